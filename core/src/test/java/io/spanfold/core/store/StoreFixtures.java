package io.spanfold.core.store;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.model.TraceIds;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.core.wire.OtlpProtoDecoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds OTLP requests with the generated classes (the oracle) and decodes them with the real decoder. */
final class StoreFixtures {
  private StoreFixtures() {}

  static Resource resource(String service) {
    return Resource.newBuilder()
        .addAttributes(kv("service.name", service))
        .addAttributes(kv("host.name", "host-" + service.length()))
        .build();
  }

  static InstrumentationScope scope(String name) {
    return InstrumentationScope.newBuilder().setName(name).setVersion("1.2.3").build();
  }

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static ByteString traceId(long hi, long lo) {
    byte[] b = new byte[16];
    TraceIds.writeLong(hi, b, 0);
    TraceIds.writeLong(lo, b, 8);
    return ByteString.copyFrom(b);
  }

  static ByteString spanId(long id) {
    byte[] b = new byte[8];
    TraceIds.writeLong(id, b, 0);
    return ByteString.copyFrom(b);
  }

  /** A span; parent 0 makes a root. */
  static Span span(long hi, long lo, long id, long parent, String name, int kind, long start, boolean error) {
    Span.Builder s =
        Span.newBuilder()
            .setTraceId(traceId(hi, lo))
            .setSpanId(spanId(id))
            .setName(name)
            .setKindValue(kind)
            .setStartTimeUnixNano(start)
            .setEndTimeUnixNano(start + 1_000_000)
            .addAttributes(kv("http.route", "/r/" + id % 7))
            .addEvents(Span.Event.newBuilder().setName("ev").setTimeUnixNano(start + 10));
    if (parent != 0) {
      s.setParentSpanId(spanId(parent));
    }
    if (error) {
      s.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("boom"));
    }
    return s.build();
  }

  static SpanBatch decode(TracesData request) {
    byte[] bytes = request.toByteArray();
    SpanBatch b = new SpanBatch();
    try {
      new OtlpProtoDecoder().decode(bytes, 0, bytes.length, b);
    } catch (MalformedRequestException e) {
      throw new AssertionError(e);
    }
    return b;
  }

  /**
   * What the store must return for one trace: the request's spans of that trace, grouped by (resource, scope) in
   * order of first appearance, of copies of the same (span id, kind) only the latest kept, where it arrived.
   */
  static TracesData expected(long hi, long lo, List<TracesData> requests) {
    ByteString tid = traceId(hi, lo);
    Map<ResourceKey, Map<ScopeKey, List<Span>>> groups = new LinkedHashMap<>();
    List<Object[]> all = new ArrayList<>();
    for (TracesData r : requests) {
      for (ResourceSpans rs : r.getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (Span s : ss.getSpansList()) {
            if (s.getTraceId().equals(tid)) {
              all.add(new Object[] {rs, ss, s});
            }
          }
        }
      }
    }
    // the latest copy of a duplicate wins, placed where that copy arrived
    Map<List<Object>, Integer> last = new LinkedHashMap<>();
    for (int i = 0; i < all.size(); i++) {
      Span s = (Span) all.get(i)[2];
      last.put(List.of(s.getSpanId(), s.getKindValue()), i);
    }
    for (int i = 0; i < all.size(); i++) {
      Span s = (Span) all.get(i)[2];
      if (last.get(List.of(s.getSpanId(), s.getKindValue())) != i) {
        continue;
      }
      ResourceSpans rs = (ResourceSpans) all.get(i)[0];
      ScopeSpans ss = (ScopeSpans) all.get(i)[1];
      groups
          .computeIfAbsent(new ResourceKey(rs), k -> new LinkedHashMap<>())
          .computeIfAbsent(new ScopeKey(ss), k -> new ArrayList<>())
          .add(s);
    }
    TracesData.Builder out = TracesData.newBuilder();
    for (Map.Entry<ResourceKey, Map<ScopeKey, List<Span>>> rg : groups.entrySet()) {
      ResourceSpans.Builder rsb = ResourceSpans.newBuilder().setSchemaUrl(rg.getKey().rs.getSchemaUrl());
      if (rg.getKey().rs.hasResource()) {
        rsb.setResource(rg.getKey().rs.getResource());
      }
      for (Map.Entry<ScopeKey, List<Span>> sg : rg.getValue().entrySet()) {
        ScopeSpans.Builder ssb = ScopeSpans.newBuilder().setSchemaUrl(sg.getKey().ss.getSchemaUrl());
        if (sg.getKey().ss.hasScope()) {
          ssb.setScope(sg.getKey().ss.getScope());
        }
        ssb.addAllSpans(sg.getValue());
        rsb.addScopeSpans(ssb);
      }
      out.addResourceSpans(rsb);
    }
    return out.build();
  }

  private static final class ResourceKey {
    final ResourceSpans rs;

    ResourceKey(ResourceSpans rs) {
      this.rs = rs;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ResourceKey
          && ((ResourceKey) o).rs.getResource().equals(rs.getResource())
          && ((ResourceKey) o).rs.hasResource() == rs.hasResource()
          && ((ResourceKey) o).rs.getSchemaUrl().equals(rs.getSchemaUrl());
    }

    @Override
    public int hashCode() {
      return rs.getResource().hashCode() * 31 + rs.getSchemaUrl().hashCode();
    }
  }

  private static final class ScopeKey {
    final ScopeSpans ss;

    ScopeKey(ScopeSpans ss) {
      this.ss = ss;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ScopeKey
          && ((ScopeKey) o).ss.getScope().equals(ss.getScope())
          && ((ScopeKey) o).ss.hasScope() == ss.hasScope()
          && ((ScopeKey) o).ss.getSchemaUrl().equals(ss.getSchemaUrl());
    }

    @Override
    public int hashCode() {
      return ss.getScope().hashCode() * 31 + ss.getSchemaUrl().hashCode();
    }
  }
}
