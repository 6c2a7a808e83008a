package io.spanfold.core.query.traceql.internal;

import io.spanfold.core.model.TraceIds;
import io.spanfold.core.query.traceql.Attribute;
import io.spanfold.core.query.traceql.TraceView;
import io.spanfold.core.query.traceql.Value;

/** Internal, unstable: one evaluation of a query over one trace; caches trace-level values and the span tree. */
public final class EvalContext {
  final TraceView view;
  private TraceStructure structure;
  private Value rootName;
  private Value rootService;
  private Value traceDuration;
  private Value traceId;

  public EvalContext(TraceView view) {
    this.view = view;
  }

  TraceStructure structure() {
    if (structure == null) {
      structure = new TraceStructure(view);
    }
    return structure;
  }

  /** The value of an attribute or intrinsic on a span; {@link Value#NIL} when absent. */
  public Value value(Attribute a, int span) {
    Attribute.Intrinsic in = a.intrinsic();
    if (in != null) {
      return intrinsic(in, span);
    }
    switch (a.scope()) {
      case SPAN:
        return view.attribute(span, Attribute.Scope.SPAN, a.name());
      case RESOURCE:
        return view.attribute(span, Attribute.Scope.RESOURCE, a.name());
      default:
        Value v = view.attribute(span, Attribute.Scope.SPAN, a.name());
        return v.isNil() ? view.attribute(span, Attribute.Scope.RESOURCE, a.name()) : v;
    }
  }

  private Value intrinsic(Attribute.Intrinsic in, int span) {
    switch (in) {
      case DURATION:
        return Value.ofDuration(view.endNanos(span) - view.startNanos(span));
      case NAME:
        String name = view.name(span);
        return name == null ? Value.NIL : Value.ofString(name);
      case STATUS:
        return Value.ofStatusCode(view.statusCode(span));
      case STATUS_MESSAGE:
        String msg = view.statusMessage(span);
        return Value.ofString(msg == null ? "" : msg);
      case KIND:
        return Value.ofSpanKind(view.kind(span));
      case SPAN_ID:
        return Value.ofString(TraceIds.spanIdHex(view.spanId(span)));
      case PARENT_ID:
        long p = view.parentSpanId(span);
        return p == 0 ? Value.NIL : Value.ofString(TraceIds.spanIdHex(p));
      case TRACE_ROOT_SPAN:
        if (rootName == null) {
          int root = view.rootSpan();
          String n = root < 0 ? null : view.name(root);
          rootName = n == null ? Value.NIL : Value.ofString(n);
        }
        return rootName;
      case TRACE_ROOT_SERVICE:
        if (rootService == null) {
          int root = view.rootSpan();
          String s = root < 0 ? null : view.serviceName(root);
          rootService = s == null ? Value.NIL : Value.ofString(s);
        }
        return rootService;
      case TRACE_DURATION:
        if (traceDuration == null) {
          traceDuration = Value.ofDuration(view.traceEndNanos() - view.traceStartNanos());
        }
        return traceDuration;
      case TRACE_ID:
        if (traceId == null) {
          traceId = Value.ofString(TraceIds.traceIdHexStripped(view.traceIdHigh(), view.traceIdLow()));
        }
        return traceId;
      default:
        throw new AssertionError(in);
    }
  }
}
