package io.spanfold.otlp.sdk;

import com.google.protobuf.ByteString;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.KeyValue;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the SDK's {@link SpanData} into OTLP {@code TracesData} protobuf bytes (wire-identical to an {@code
 * ExportTraceServiceRequest}), spans grouped under their resource and instrumentation scope. Built with the
 * opentelemetry-proto message classes: this runs once per export batch on the exporter's worker, where correctness
 * matters more than the cost. The SDK exporter's own marshaler is not public API, so it is not used.
 */
final class SpanDataEncoder {
  // OTLP Span.flags: bits 0-7 W3C trace flags, bit 8 "has is_remote", bit 9 "is_remote" (of the parent or link).
  private static final int CONTEXT_HAS_IS_REMOTE = 0x100;
  private static final int CONTEXT_IS_REMOTE = 0x200;

  private SpanDataEncoder() {}

  static byte[] encode(Collection<SpanData> spans) {
    // Resource and InstrumentationScopeInfo have value equality: equal ones share one group.
    Map<io.opentelemetry.sdk.resources.Resource, Map<InstrumentationScopeInfo, ScopeSpans.Builder>> groups =
        new LinkedHashMap<>();
    for (SpanData s : spans) {
      groups.computeIfAbsent(s.getResource(), r -> new LinkedHashMap<>())
          .computeIfAbsent(s.getInstrumentationScopeInfo(), SpanDataEncoder::scopeSpans)
          .addSpans(span(s));
    }
    TracesData.Builder out = TracesData.newBuilder();
    for (Map.Entry<io.opentelemetry.sdk.resources.Resource, Map<InstrumentationScopeInfo, ScopeSpans.Builder>> g
        : groups.entrySet()) {
      ResourceSpans.Builder rs = ResourceSpans.newBuilder().setResource(resource(g.getKey()));
      if (g.getKey().getSchemaUrl() != null) {
        rs.setSchemaUrl(g.getKey().getSchemaUrl());
      }
      for (ScopeSpans.Builder ss : g.getValue().values()) {
        rs.addScopeSpans(ss);
      }
      out.addResourceSpans(rs);
    }
    return out.build().toByteArray();
  }

  private static Resource resource(io.opentelemetry.sdk.resources.Resource r) {
    Resource.Builder b = Resource.newBuilder();
    addAttributes(r.getAttributes(), new AttributeSink() {
      @Override
      public void add(io.opentelemetry.proto.common.v1.KeyValue kv) {
        b.addAttributes(kv);
      }
    });
    return b.build();
  }

  private static ScopeSpans.Builder scopeSpans(InstrumentationScopeInfo scope) {
    InstrumentationScope.Builder b = InstrumentationScope.newBuilder().setName(scope.getName());
    if (scope.getVersion() != null) {
      b.setVersion(scope.getVersion());
    }
    addAttributes(scope.getAttributes(), b::addAttributes);
    ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(b);
    if (scope.getSchemaUrl() != null) {
      ss.setSchemaUrl(scope.getSchemaUrl());
    }
    return ss;
  }

  private static Span span(SpanData s) {
    SpanContext ctx = s.getSpanContext();
    Span.Builder b = Span.newBuilder()
        .setTraceId(ByteString.copyFrom(ctx.getTraceIdBytes()))
        .setSpanId(ByteString.copyFrom(ctx.getSpanIdBytes()))
        .setName(s.getName())
        .setKindValue(kind(s.getKind()))
        .setStartTimeUnixNano(s.getStartEpochNanos())
        .setEndTimeUnixNano(s.getEndEpochNanos())
        .setFlags(flags(ctx.getTraceFlags().asByte(), s.getParentSpanContext()));
    String traceState = traceState(ctx.getTraceState());
    if (!traceState.isEmpty()) {
      b.setTraceState(traceState);
    }
    if (s.getParentSpanContext().isValid()) {
      b.setParentSpanId(ByteString.copyFrom(s.getParentSpanContext().getSpanIdBytes()));
    }
    addAttributes(s.getAttributes(), b::addAttributes);
    b.setDroppedAttributesCount(Math.max(0, s.getTotalAttributeCount() - s.getAttributes().size()));
    for (EventData e : s.getEvents()) {
      Span.Event.Builder eb = Span.Event.newBuilder().setTimeUnixNano(e.getEpochNanos()).setName(e.getName());
      addAttributes(e.getAttributes(), eb::addAttributes);
      eb.setDroppedAttributesCount(Math.max(0, e.getTotalAttributeCount() - e.getAttributes().size()));
      b.addEvents(eb);
    }
    b.setDroppedEventsCount(Math.max(0, s.getTotalRecordedEvents() - s.getEvents().size()));
    for (LinkData l : s.getLinks()) {
      SpanContext lc = l.getSpanContext();
      Span.Link.Builder lb = Span.Link.newBuilder()
          .setTraceId(ByteString.copyFrom(lc.getTraceIdBytes()))
          .setSpanId(ByteString.copyFrom(lc.getSpanIdBytes()))
          .setFlags(flags(lc.getTraceFlags().asByte(), lc));
      String ts = traceState(lc.getTraceState());
      if (!ts.isEmpty()) {
        lb.setTraceState(ts);
      }
      addAttributes(l.getAttributes(), lb::addAttributes);
      lb.setDroppedAttributesCount(Math.max(0, l.getTotalAttributeCount() - l.getAttributes().size()));
      b.addLinks(lb);
    }
    b.setDroppedLinksCount(Math.max(0, s.getTotalRecordedLinks() - s.getLinks().size()));
    StatusCode code = s.getStatus().getStatusCode();
    if (code != StatusCode.UNSET || !s.getStatus().getDescription().isEmpty()) {
      Status.Builder st = Status.newBuilder().setCodeValue(code == StatusCode.OK ? 1 : code == StatusCode.ERROR ? 2 : 0);
      if (!s.getStatus().getDescription().isEmpty()) {
        st.setMessage(s.getStatus().getDescription());
      }
      b.setStatus(st);
    }
    return b.build();
  }

  /** OTLP {@code Span.flags} for a span whose parent (or a link's context) is {@code ctx}. */
  private static int flags(byte traceFlags, SpanContext ctx) {
    int f = traceFlags & 0xFF;
    if (ctx.isValid()) {
      f |= CONTEXT_HAS_IS_REMOTE;
      if (ctx.isRemote()) {
        f |= CONTEXT_IS_REMOTE;
      }
    }
    return f;
  }

  private static int kind(io.opentelemetry.api.trace.SpanKind k) {
    switch (k) {
      case INTERNAL:
        return 1;
      case SERVER:
        return 2;
      case CLIENT:
        return 3;
      case PRODUCER:
        return 4;
      case CONSUMER:
        return 5;
      default:
        return 0;
    }
  }

  /** W3C {@code tracestate} header form: {@code k1=v1,k2=v2}. */
  private static String traceState(TraceState ts) {
    if (ts.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    ts.forEach((k, v) -> {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(k).append('=').append(v);
    });
    return sb.toString();
  }

  @FunctionalInterface
  private interface AttributeSink {
    void add(io.opentelemetry.proto.common.v1.KeyValue kv);
  }

  private static void addAttributes(Attributes attributes, AttributeSink sink) {
    attributes.forEach((AttributeKey<?> key, Object value) -> sink.add(io.opentelemetry.proto.common.v1.KeyValue
        .newBuilder().setKey(key.getKey()).setValue(attributeValue(key, value)).build()));
  }

  private static AnyValue attributeValue(AttributeKey<?> key, Object value) {
    switch (key.getType()) {
      case STRING:
        return AnyValue.newBuilder().setStringValue((String) value).build();
      case BOOLEAN:
        return AnyValue.newBuilder().setBoolValue((Boolean) value).build();
      case LONG:
        return AnyValue.newBuilder().setIntValue((Long) value).build();
      case DOUBLE:
        return AnyValue.newBuilder().setDoubleValue((Double) value).build();
      case STRING_ARRAY:
      case BOOLEAN_ARRAY:
      case LONG_ARRAY:
      case DOUBLE_ARRAY:
        {
          ArrayValue.Builder a = ArrayValue.newBuilder();
          for (Object o : (List<?>) value) {
            a.addValues(scalar(o));
          }
          return AnyValue.newBuilder().setArrayValue(a).build();
        }
      default: // VALUE: a structured io.opentelemetry.api.common.Value
        return value instanceof Value ? anyValue((Value<?>) value) : scalar(value);
    }
  }

  private static AnyValue scalar(Object o) {
    AnyValue.Builder v = AnyValue.newBuilder();
    if (o instanceof String) {
      v.setStringValue((String) o);
    } else if (o instanceof Boolean) {
      v.setBoolValue((Boolean) o);
    } else if (o instanceof Long || o instanceof Integer) {
      v.setIntValue(((Number) o).longValue());
    } else if (o instanceof Double || o instanceof Float) {
      v.setDoubleValue(((Number) o).doubleValue());
    } else if (o != null) {
      v.setStringValue(o.toString());
    }
    return v.build();
  }

  private static AnyValue anyValue(Value<?> v) {
    switch (v.getType()) {
      case STRING:
      case BOOLEAN:
      case LONG:
      case DOUBLE:
        return scalar(v.getValue());
      case ARRAY:
        {
          ArrayValue.Builder a = ArrayValue.newBuilder();
          for (Object o : (List<?>) v.getValue()) {
            a.addValues(anyValue((Value<?>) o));
          }
          return AnyValue.newBuilder().setArrayValue(a).build();
        }
      case KEY_VALUE_LIST:
        {
          KeyValueList.Builder l = KeyValueList.newBuilder();
          for (Object o : (List<?>) v.getValue()) {
            KeyValue kv = (KeyValue) o;
            l.addValues(io.opentelemetry.proto.common.v1.KeyValue.newBuilder().setKey(kv.getKey())
                .setValue(anyValue(kv.getValue())));
          }
          return AnyValue.newBuilder().setKvlistValue(l).build();
        }
      case BYTES:
        return AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(((ByteBuffer) v.getValue()).duplicate()))
            .build();
      default: // EMPTY
        return AnyValue.getDefaultInstance();
    }
  }
}
