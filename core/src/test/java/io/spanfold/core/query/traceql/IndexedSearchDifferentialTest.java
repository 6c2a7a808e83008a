package io.spanfold.core.query.traceql;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.search.SearchRequest;
import io.spanfold.core.search.SearchResponse;
import io.spanfold.core.store.SpanStore;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.core.wire.OtlpProtoDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The indexed search engine against the naive reference: random traces go into a real {@link SpanStore} — a third in
 * a completed block, a third in a second completed block whose {@code search.idx} is deleted before a restart (so it
 * is re-indexed at open, as a block of an earlier store version), a third in the head block (live, then recovered from
 * its span log after the restart) — and random TraceQL queries must give, for every trace, exactly the spansets
 * {@link NaiveTraceQL} computes by interpreting the query over every span.
 */
class IndexedSearchDifferentialTest {

  @Property(tries = 12)
  void indexedSearchAgreesWithNaiveScan(@ForAll long seed) throws IOException {
    Random r = new Random(seed);
    Path dir = Files.createTempDirectory("spanfold-search-diff");
    try {
      List<NaiveTraceQL.NTrace> traces = new ArrayList<>();
      for (int i = 0; i < 36; i++) {
        traces.add(NaiveTraceQL.randomTrace(r));
      }
      List<NaiveTraceQL.Pipeline> queries = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        queries.add(NaiveTraceQL.randomPipeline(r));
      }
      try (SpanStore store = SpanStore.builder().dataDir(dir).build()) {
        for (int i = 0; i < 36; i++) {
          store.accept(batch(traces.get(i)));
          if (i == 11 || i == 23) {
            store.completeHeadBlock();
          }
        }
        check(store, traces, queries, "live head");
      }
      // the second completed block loses its search index (an older store version wrote it); the head is recovered
      try (Stream<Path> files = Files.walk(dir)) {
        List<Path> idx = files.filter(p -> p.getFileName().toString().equals("search.idx")).sorted().toList();
        assertThat(idx).hasSize(2);
        Files.delete(idx.get(1));
      }
      try (SpanStore store = SpanStore.builder().dataDir(dir).build()) {
        check(store, traces, queries, "after restart");
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void check(SpanStore store, List<NaiveTraceQL.NTrace> traces, List<NaiveTraceQL.Pipeline> queries,
      String phase) {
    for (NaiveTraceQL.Pipeline p : queries) {
      String text = p.render();
      Query q = TraceQL.parse(text);
      Map<String, List<String>> expected = new TreeMap<>();
      for (NaiveTraceQL.NTrace t : traces) {
        List<NaiveTraceQL.Result> res = NaiveTraceQL.evaluate(p, t);
        if (!res.isEmpty()) {
          List<String> sets = new ArrayList<>();
          for (NaiveTraceQL.Result x : res) {
            List<Long> ids = new ArrayList<>();
            x.spans().forEach(i -> ids.add(t.spans().get(i).id()));
            ids.sort(null);
            StringBuilder sb = new StringBuilder(ids.toString());
            for (Map.Entry<String, Object> a : x.attrs()) {
              sb.append(' ').append(a.getKey()).append('=').append(naiveValue(a.getValue()));
            }
            sets.add(sb.toString());
          }
          sets.sort(null);
          expected.put(key(t.hi(), t.lo()), sets);
        }
      }
      SearchResponse resp = store.search(SpanBatch.DEFAULT_TENANT, SearchRequest.builder().query(q)
          .timeRange(1, Long.MAX_VALUE).limit(1000).spansPerSpanset(100).build());
      Map<String, List<String>> actual = new TreeMap<>();
      for (SearchResponse.TraceSummary ts : resp.traces()) {
        List<String> sets = new ArrayList<>();
        for (SearchResponse.SpansetSummary ss : ts.spansets()) {
          List<Long> ids = new ArrayList<>();
          ss.spans().forEach(s -> ids.add(s.spanId()));
          ids.sort(null);
          assertThat(ss.matched()).isEqualTo(ids.size());
          StringBuilder sb = new StringBuilder(ids.toString());
          for (Spanset.SpansetAttribute a : ss.attributes()) {
            sb.append(' ').append(a.name()).append('=').append(value(a.value()));
          }
          sets.add(sb.toString());
        }
        sets.sort(null);
        actual.put(key(ts.traceIdHigh(), ts.traceIdLow()), sets);
      }
      assertThat(resp.partial()).isFalse();
      assertThat(actual).as("%s: query %s", phase, text).isEqualTo(expected);
      // newest first
      for (int i = 1; i < resp.traces().size(); i++) {
        assertThat(resp.traces().get(i - 1).startNanos()).isGreaterThanOrEqualTo(resp.traces().get(i).startNanos());
      }
    }
  }

  private static String key(long hi, long lo) {
    return Long.toHexString(hi) + ":" + Long.toHexString(lo);
  }

  static SpanBatch batch(NaiveTraceQL.NTrace t) {
    TracesData.Builder td = TracesData.newBuilder();
    List<Resource> res = new ArrayList<>();
    for (Map<String, Object> m : t.resources()) {
      Resource.Builder rb = Resource.newBuilder();
      m.forEach((k, v) -> rb.addAttributes(kv(k, v)));
      res.add(rb.build());
    }
    byte[] tid = ByteBuffer.allocate(16).putLong(t.hi()).putLong(t.lo()).array();
    // one ResourceSpans per run of spans sharing a resource keeps the naive model's span order in the store
    ResourceSpans.Builder cur = null;
    int curRes = -1;
    for (NaiveTraceQL.NSpan s : t.spans()) {
      if (cur == null || s.resource() != curRes) {
        if (cur != null) {
          td.addResourceSpans(cur);
        }
        cur = ResourceSpans.newBuilder().setResource(res.get(s.resource())).addScopeSpans(ScopeSpans.newBuilder());
        curRes = s.resource();
      }
      Span.Builder sb = Span.newBuilder()
          .setTraceId(ByteString.copyFrom(tid))
          .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(s.id()).array()))
          .setName(s.name())
          .setKindValue(s.kind())
          .setStartTimeUnixNano(s.start())
          .setEndTimeUnixNano(s.end())
          .setStatus(Status.newBuilder().setCodeValue(s.status()));
      if (s.parent() != 0) {
        sb.setParentSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(s.parent()).array()));
      }
      s.attrs().forEach((k, v) -> sb.addAttributes(kv(k, v)));
      cur.getScopeSpansBuilder(0).addSpans(sb);
    }
    td.addResourceSpans(cur);
    byte[] bytes = td.build().toByteArray();
    SpanBatch b = new SpanBatch();
    try {
      new OtlpProtoDecoder().decode(bytes, 0, bytes.length, b);
    } catch (MalformedRequestException e) {
      throw new AssertionError(e);
    }
    return b;
  }

  private static KeyValue kv(String k, Object v) {
    AnyValue.Builder a = AnyValue.newBuilder();
    if (v instanceof String) {
      a.setStringValue((String) v);
    } else if (v instanceof Long) {
      a.setIntValue((Long) v);
    } else if (v instanceof Double) {
      a.setDoubleValue((Double) v);
    } else if (v instanceof Boolean) {
      a.setBoolValue((Boolean) v);
    }
    return KeyValue.newBuilder().setKey(k).setValue(a).build();
  }

  private static String value(Value v) {
    switch (v.type()) {
      case INT:
        return "int:" + v.asLong();
      case FLOAT:
        return "float:" + v.asDouble();
      case DURATION:
        return "dur:" + v.asLong();
      case STRING:
        return "str:" + v.asString();
      case NIL:
        return "nil";
      default:
        return v.toString();
    }
  }

  private static String naiveValue(Object o) {
    if (o instanceof Long) {
      return "int:" + o;
    }
    if (o instanceof Double) {
      return "float:" + o;
    }
    if (o instanceof NaiveTraceQL.Dur) {
      return "dur:" + ((NaiveTraceQL.Dur) o).nanos();
    }
    if ("<nil>".equals(o)) {
      return "nil";
    }
    return "str:" + o;
  }
}
