package io.spanfold.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanfold.core.graph.ServiceGraph;
import io.spanfold.core.ingest.IngestResult;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.model.TraceIds;
import io.spanfold.core.query.traceql.OtlpTraceView;
import io.spanfold.core.query.traceql.Spanset;
import io.spanfold.core.wire.MalformedRequestException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpanfoldTest {
  @TempDir Path dir;

  static final long NOW = System.currentTimeMillis() * 1_000_000L;

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static ByteString id(long... parts) {
    byte[] b = new byte[parts.length * 8];
    for (int i = 0; i < parts.length; i++) {
      TraceIds.writeLong(parts[i], b, i * 8);
    }
    return ByteString.copyFrom(b);
  }

  static Span span(long hi, long lo, long spanId, long parent, String name, Span.SpanKind kind, boolean error) {
    Span.Builder s = Span.newBuilder().setTraceId(id(hi, lo)).setSpanId(id(spanId)).setName(name).setKind(kind)
        .setStartTimeUnixNano(NOW).setEndTimeUnixNano(NOW + 5_000_000).addAttributes(kv("http.route", "/" + name));
    if (parent != 0) {
      s.setParentSpanId(id(parent));
    }
    if (error) {
      s.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
    }
    return s.build();
  }

  static ResourceSpans service(String name, Span... spans) {
    return ResourceSpans.newBuilder().setResource(Resource.newBuilder().addAttributes(kv("service.name", name)))
        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(List.of(spans))).build();
  }

  /** frontend (SERVER root, CLIENT child) calls backend (SERVER, error). */
  static TracesData call(long hi, long lo) {
    return TracesData.newBuilder()
        .addResourceSpans(service("frontend",
            span(hi, lo, 1, 0, "GET /", Span.SpanKind.SPAN_KIND_SERVER, false),
            span(hi, lo, 2, 1, "call backend", Span.SpanKind.SPAN_KIND_CLIENT, false)))
        .addResourceSpans(service("backend", span(hi, lo, 3, 2, "GET /work", Span.SpanKind.SPAN_KIND_SERVER, true)))
        .build();
  }

  @Test
  void defaultsStoreAndFanOutToExtraConsumers() throws Exception {
    AtomicInteger extra = new AtomicInteger();
    try (Spanfold s = Spanfold.builder().dataDir(dir).consumer(b -> extra.addAndGet(b.size())).build()) {
      IngestResult r = s.ingest(call(0x1234, 0x5678).toByteArray());
      assertThat(r.accepted()).isEqualTo(3);
      assertThat(r.rejected()).isZero();
      assertThat(extra).hasValue(3);
      assertThat(s.serviceGraphEnabled()).isTrue();
      TracesData found = TracesData.parseFrom(s.traceById(0x1234, 0x5678));
      assertThat(found.getResourceSpansList()).hasSize(2);
      assertThat(found).isEqualTo(call(0x1234, 0x5678));
    }
  }

  @Test
  void findsByIdAsBytesAndView() throws Exception {
    try (Spanfold s = Spanfold.builder().dataDir(dir).build()) {
      s.ingest(call(0x1234, 0x5678).toByteArray());
      assertThat(TracesData.parseFrom(s.traceById("12340000000000005678"))).isEqualTo(TracesData.parseFrom(
          s.traceById(0x1234, 0x5678)));
      assertThat(s.traceById(0x1234, 0x9999)).isNull();
      assertThat(s.trace(0x1234, 0x9999)).isNull();

      OtlpTraceView v = s.trace(0x1234, 0x5678);
      assertThat(v.spanCount()).isEqualTo(3);
      assertThat(v.traceIdHigh()).isEqualTo(0x1234);
      assertThat(v.traceIdLow()).isEqualTo(0x5678);
      List<String> services = new ArrayList<>();
      for (int i = 0; i < v.spanCount(); i++) {
        services.add(v.serviceName(i) + ":" + v.name(i));
      }
      assertThat(services).containsExactlyInAnyOrder("frontend:GET /", "frontend:call backend", "backend:GET /work");
    }
  }

  @Test
  void evaluatesTraceQlOnAStoredTrace() throws Exception {
    try (Spanfold s = Spanfold.builder().dataDir(dir).build()) {
      s.ingest(call(7, 8).toByteArray());
      List<Spanset> errors = s.evaluate("{ status = error && resource.service.name = \"backend\" }", 7, 8);
      assertThat(errors).hasSize(1);
      OtlpTraceView v = s.trace(7, 8);
      assertThat(v.name(errors.get(0).spans()[0])).isEqualTo("GET /work");
      assertThat(s.evaluate("{ span.http.route = \"/nope\" }", 7, 8)).isEmpty();
      assertThat(s.evaluate("{ }", 9, 9)).isEmpty(); // unknown trace
    }
  }

  @Test
  void searchesStoredTracesWithTraceQlAndListsTags() throws Exception {
    try (Spanfold s = Spanfold.builder().dataDir(dir).build()) {
      s.ingest(call(7, 8).toByteArray());
      s.ingest(call(9, 10).toByteArray());
      io.spanfold.core.search.SearchResponse found = s.search(io.spanfold.core.search.SearchRequest.builder()
          .query(io.spanfold.core.query.traceql.TraceQL.parse("{ status = error && resource.service.name = \"backend\" }"))
          .timeRange(1, Long.MAX_VALUE).build());
      assertThat(found.traces()).extracting(t -> t.traceIdLow()).containsExactlyInAnyOrder(8L, 10L);
      io.spanfold.core.search.SearchResponse none = s.search(io.spanfold.core.search.SearchRequest.builder()
          .query(io.spanfold.core.query.traceql.TraceQL.parse("{ resource.service.name = \"nope\" }"))
          .timeRange(1, Long.MAX_VALUE).build());
      assertThat(none.traces()).isEmpty();
      assertThat(s.tagNames(1, Long.MAX_VALUE).get("resource")).contains("service.name");
    }
  }

  @Test
  void serviceGraphPairsClientAndServer() throws Exception {
    try (Spanfold s = Spanfold.builder().dataDir(dir).build()) {
      s.ingest(call(1, 2).toByteArray());
      ServiceGraph g = s.serviceGraph(Duration.ofMinutes(5));
      ServiceGraph.Edge e = g.edge("frontend", "backend");
      assertThat(e).isNotNull();
      assertThat(e.requests()).isEqualTo(1);
      assertThat(e.failed()).isEqualTo(1);
      assertThat(s.serviceGraphStats().pairedSpans()).isEqualTo(2);
    }
  }

  @Test
  void serviceGraphCanBeDisabled() throws Exception {
    try (Spanfold s = Spanfold.builder().dataDir(dir).serviceGraphEnabled(false).build()) {
      s.ingest(call(1, 2).toByteArray());
      assertThat(s.serviceGraphEnabled()).isFalse();
      assertThatThrownBy(() -> s.serviceGraph(Duration.ofMinutes(1)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("service graph is disabled");
      assertThat(s.traceById(1, 2)).isNotNull();
    }
  }

  @Test
  void ingestsADecodedBatchAndDropsInvalidSpans() throws Exception {
    try (Spanfold s = Spanfold.builder().dataDir(dir).build()) {
      TracesData bad = TracesData.newBuilder().addResourceSpans(service("svc",
          span(5, 6, 1, 0, "ok", Span.SpanKind.SPAN_KIND_SERVER, false),
          span(0, 0, 2, 0, "zero trace id", Span.SpanKind.SPAN_KIND_SERVER, false))).build();
      byte[] bytes = bad.toByteArray();
      SpanBatch batch = new SpanBatch();
      new io.spanfold.core.wire.OtlpProtoDecoder().decode(bytes, 0, bytes.length, batch);
      IngestResult r = s.ingest(batch);
      assertThat(r.accepted()).isEqualTo(1);
      assertThat(r.rejected()).isEqualTo(1);
      assertThat(r.message()).contains("1 of 2 spans rejected");
      assertThat(TracesData.parseFrom(s.traceById(5, 6)).getResourceSpans(0).getScopeSpans(0).getSpansCount())
          .isEqualTo(1);
    }
  }

  @Test
  void malformedBytesAreRejectedAndNothingIsStored() throws Exception {
    try (Spanfold s = Spanfold.builder().dataDir(dir).build()) {
      byte[] good = call(3, 4).toByteArray();
      byte[] truncated = java.util.Arrays.copyOf(good, good.length - 7);
      assertThatThrownBy(() -> s.ingest(truncated)).isInstanceOf(MalformedRequestException.class);
      assertThat(s.traceById(3, 4)).isNull();
      s.ingest(good); // the thread's scratch batch is still usable
      assertThat(s.traceById(3, 4)).isNotNull();
    }
  }

  @Test
  void concurrentIngestFromManyThreads() throws Exception {
    int threads = 4;
    int perThread = 200;
    try (Spanfold s = Spanfold.builder().dataDir(dir).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int tt = t;
          fs.add(pool.submit(() -> {
            for (int i = 0; i < perThread; i++) {
              s.ingest(call(100 + tt, i + 1).toByteArray());
            }
            return null;
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      for (int t = 0; t < threads; t++) {
        for (int i = 0; i < perThread; i++) {
          assertThat(s.trace(100 + t, i + 1).spanCount()).as("trace %d/%d", t, i).isEqualTo(3);
        }
      }
      assertThat(s.serviceGraph(Duration.ofMinutes(5)).edge("frontend", "backend").requests())
          .isEqualTo(threads * perThread);
    }
  }

  @Test
  void dataSurvivesReopen() throws Exception {
    try (Spanfold s = Spanfold.builder().dataDir(dir).build()) {
      s.ingest(call(11, 12).toByteArray());
    }
    try (Spanfold s = Spanfold.builder().dataDir(dir).build()) {
      assertThat(s.trace(11, 12).spanCount()).isEqualTo(3);
    }
  }

  @Test
  void closedInstanceRefusesIngestAndClosesHandedOverResources() throws Exception {
    AtomicInteger closed = new AtomicInteger();
    Spanfold s = Spanfold.builder().dataDir(dir).closeOnClose(closed::incrementAndGet).build();
    s.close();
    s.close();
    assertThat(closed).hasValue(1);
    assertThatThrownBy(() -> s.ingest(call(1, 1).toByteArray()))
        .isInstanceOf(IllegalStateException.class).hasMessage("spanfold is closed");
  }

  @Test
  void validationNamesTheField() {
    assertThatThrownBy(() -> Spanfold.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessage("dataDir is required");
    assertThatThrownBy(() -> Spanfold.builder().retention(Duration.ZERO))
        .hasMessage("retention must be > 0: PT0S");
    assertThatThrownBy(() -> Spanfold.builder().blockDuration(Duration.ofSeconds(-1)))
        .hasMessage("blockDuration must be > 0: PT-1S");
    assertThatThrownBy(() -> Spanfold.builder().maxBytes(-1)).hasMessage("maxBytes must be >= 0: -1");
    assertThatThrownBy(() -> Spanfold.builder().serviceGraphMaxItems(0))
        .hasMessage("serviceGraphMaxItems must be > 0: 0");
    assertThatThrownBy(() -> Spanfold.builder().serviceGraphWait(Duration.ofSeconds(-2)))
        .hasMessage("serviceGraphWait must be >= 0: PT-2S");
    assertThatThrownBy(() -> Spanfold.builder().serviceGraphExpiryInterval(Duration.ofSeconds(-2)))
        .hasMessage("serviceGraphExpiryInterval must be >= 0: PT-2S");
    assertThatThrownBy(() -> Spanfold.builder().serviceGraphPeerAttributes(List.of("")))
        .hasMessage("serviceGraphPeerAttributes: empty attribute name");
    assertThatThrownBy(() -> Spanfold.builder().dataDir(null)).hasMessage("dataDir");
    assertThatThrownBy(() -> Spanfold.builder().dataDir(dir).retention(Duration.ofMinutes(30)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("blockDuration (PT1H) must not exceed retention (PT30M)");
    assertThatThrownBy(() -> Spanfold.builder().serviceGraphListener(e -> { }).serviceGraphListener(e -> { }))
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("serviceGraphListener is already set");
  }

  @Test
  void ingestLimitsApplyToTheLibraryPath() throws Exception {
    try (Spanfold s = Spanfold.builder().dataDir(dir).maxAttributeBytes(12)
        .traceLimits(io.spanfold.core.ingest.TraceLimiter.builder().maxLiveTraces(1).build()).build()) {
      IngestResult first = s.ingest(call(1, 1).toByteArray());
      assertThat(first.accepted()).isEqualTo(3);
      OtlpTraceView v = s.trace(1, 1);
      List<String> routes = new ArrayList<>();
      for (int i = 0; i < v.spanCount(); i++) {
        routes.add(v.attribute(i, io.spanfold.core.query.traceql.Attribute.Scope.SPAN, "http.route").asString());
      }
      assertThat(routes).containsExactlyInAnyOrder("/GET /", "/call backen", "/GET /work"); // 13 bytes cut to 12
      IngestResult second = s.ingest(call(2, 2).toByteArray()); // a second live trace: over the limit
      assertThat(second.rejected()).isEqualTo(3);
      assertThat(s.traceById(2, 2)).isNull();
    }
    assertThatThrownBy(() -> Spanfold.builder().maxAttributeBytes(-1)).hasMessage("maxAttributeBytes must be >= 0: -1");
  }

  @Test
  void traceIdHexErrorsNameTheCharacter() throws Exception {
    try (Spanfold s = Spanfold.builder().dataDir(dir).build()) {
      assertThatThrownBy(() -> s.traceById("12x4"))
          .hasMessage("traceId: invalid character 'x' at position 2 in \"12x4\"");
      assertThatThrownBy(() -> s.traceById("1".repeat(33))).hasMessageStartingWith("traceId must be 1 to 32");
    }
  }

  @Test
  void secondInstanceOnTheSameDirFails() throws Exception {
    try (Spanfold s = Spanfold.builder().dataDir(dir).build()) {
      assertThatThrownBy(() -> Spanfold.builder().dataDir(dir).build())
          .isInstanceOf(java.io.IOException.class).hasMessageContaining("in use");
    }
  }
}
