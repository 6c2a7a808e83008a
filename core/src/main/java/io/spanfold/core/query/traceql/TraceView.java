package io.spanfold.core.query.traceql;

/**
 * The spans of one trace as TraceQL reads them; the store implements it over its own layout, {@link OtlpTraceView}
 * over OTLP bytes. Spans are addressed by index {@code 0..spanCount()-1}; results refer to these indexes.
 *
 * <p>Ids are longs (big-endian bytes), {@code 0} means absent. Kind and status are OTLP codes. Trace-level values have
 * defaults computed from the spans (root = first span without a parent; duration = last end − first start).
 */
public interface TraceView {
  int spanCount();

  long traceIdHigh();

  long traceIdLow();

  long spanId(int span);

  /** 0 for a root span. */
  long parentSpanId(int span);

  String name(int span);

  /** OTLP {@code Span.SpanKind} number. */
  int kind(int span);

  /** OTLP {@code Status.code}: 0 unset, 1 ok, 2 error. */
  int statusCode(int span);

  /** The status message, "" when absent. */
  String statusMessage(int span);

  long startNanos(int span);

  long endNanos(int span);

  /** Resource {@code service.name}, or null. */
  String serviceName(int span);

  /**
   * An attribute of the span ({@link Attribute.Scope#SPAN}) or of its resource ({@link Attribute.Scope#RESOURCE});
   * {@link Value#NIL} when absent or of a type TraceQL cannot compare (arrays, maps, bytes).
   */
  Value attribute(int span, Attribute.Scope scope, String key);

  /** Index of the root span (first span without a parent), or -1. */
  default int rootSpan() {
    for (int i = 0, n = spanCount(); i < n; i++) {
      if (parentSpanId(i) == 0) {
        return i;
      }
    }
    return -1;
  }

  /** Earliest span start. */
  default long traceStartNanos() {
    long min = Long.MAX_VALUE;
    for (int i = 0, n = spanCount(); i < n; i++) {
      min = Math.min(min, startNanos(i));
    }
    return spanCount() == 0 ? 0 : min;
  }

  /** Latest span end. */
  default long traceEndNanos() {
    long max = Long.MIN_VALUE;
    for (int i = 0, n = spanCount(); i < n; i++) {
      max = Math.max(max, endNanos(i));
    }
    return spanCount() == 0 ? 0 : max;
  }
}
