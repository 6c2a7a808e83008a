package io.spanfold.redmetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.prometheus.client.CollectorRegistry;
import io.spanfold.core.Spanfold;
import io.spanfold.core.model.TraceIds;
import io.spanfold.redmetrics.remotewrite.RemoteWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class RedMetricsTest {
  @TempDir Path dir;

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

  static Span span(long spanId, long parent, String name, Span.SpanKind kind) {
    long now = System.currentTimeMillis() * 1_000_000L;
    Span.Builder s = Span.newBuilder().setTraceId(id(1, 2)).setSpanId(id(spanId)).setName(name).setKind(kind)
        .setStartTimeUnixNano(now - 20_000_000).setEndTimeUnixNano(now);
    if (parent != 0) {
      s.setParentSpanId(id(parent));
    }
    return s.build();
  }

  static byte[] call() {
    return TracesData.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(kv("service.name", "frontend")))
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(span(1, 0, "GET /", Span.SpanKind.SPAN_KIND_SERVER))
                .addSpans(span(2, 1, "call", Span.SpanKind.SPAN_KIND_CLIENT))))
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(kv("service.name", "backend")))
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(span(3, 2, "work", Span.SpanKind.SPAN_KIND_SERVER))))
        .build().toByteArray();
  }

  @Test
  void attachesSpanMetricsAndServiceGraphMetricsToAnEmbeddedSpanfold() throws Exception {
    RedMetrics red = RedMetrics.builder().build();
    try (Spanfold s = red.attachTo(Spanfold.builder().dataDir(dir)).build()) {
      red.start(s);
      s.ingest(call());
      CollectorRegistry r = red.registry();
      assertThat(r.getSampleValue("traces_spanmetrics_calls_total",
          new String[] {"service", "span_name", "span_kind", "status_code"},
          new String[] {"backend", "work", "SPAN_KIND_SERVER", "STATUS_CODE_UNSET"})).isEqualTo(1.0);
      assertThat(r.getSampleValue("traces_service_graph_request_total",
          new String[] {"client", "server", "connection_type"}, new String[] {"frontend", "backend", ""}))
          .isEqualTo(1.0);
      // self-metrics registered by start(): the pairing store's edge counter
      assertThat(r.metricFamilySamples().asIterator()).toIterable()
          .anyMatch(f -> f.name.startsWith("tempo_metrics_generator_processor_service_graphs"));
      CollectorRegistry other = new CollectorRegistry(true);
      red.register(other);
      assertThat(other.getSampleValue("traces_spanmetrics_calls_total",
          new String[] {"service", "span_name", "span_kind", "status_code"},
          new String[] {"frontend", "GET /", "SPAN_KIND_SERVER", "STATUS_CODE_UNSET"})).isEqualTo(1.0);
    }
  }

  @Test
  void misuseIsReported() throws Exception {
    RedMetrics red = RedMetrics.builder().build();
    Spanfold.Builder b = Spanfold.builder().dataDir(dir);
    red.attachTo(b);
    assertThatThrownBy(() -> red.attachTo(b)).isInstanceOf(IllegalStateException.class)
        .hasMessage("RedMetrics is already attached to a Spanfold builder");
    assertThatThrownBy(() -> RedMetrics.builder().build().attachTo(b))
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("serviceGraphListener is already set");
    try (Spanfold s = b.build()) {
      red.start(s);
      assertThatThrownBy(() -> red.start(s)).hasMessage("RedMetrics is already started");
    }
    assertThatThrownBy(() -> RedMetrics.builder().build().start(null)).hasMessage("spanfold");
  }

  @Test
  @Timeout(60)
  void remoteWritesBothMetricSetsWithConfiguredHeadersAndClosesWithTheSpanfold() throws Exception {
    Map<String, String> headers = new ConcurrentHashMap<>();
    AtomicInteger posts = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/write", ex -> {
      ex.getRequestBody().readAllBytes();
      headers.put("X-Scope-OrgID", String.valueOf(ex.getRequestHeaders().getFirst("X-Scope-OrgID")));
      headers.put("Authorization", String.valueOf(ex.getRequestHeaders().get("Authorization")));
      posts.incrementAndGet();
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    server.start();
    try {
      RedMetrics red = RedMetrics.builder().remoteWrite(RemoteWriter.builder()
          .url("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write")
          .interval(Duration.ofMillis(100)).header("X-Scope-OrgID", "homelab")
          .header("Authorization", "Bearer from-header").bearerToken("tok").sendExemplars(false)).build();
      assertThat(red.remoteWriteEnabled()).isTrue();
      try (Spanfold s = red.attachTo(Spanfold.builder().dataDir(dir)).build()) {
        red.start(s);
        s.ingest(call());
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (posts.get() == 0 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
      }
      assertThat(posts.get()).isPositive();
      assertThat(headers).containsEntry("X-Scope-OrgID", "homelab").containsEntry("Authorization", "[Bearer tok]");
    } finally {
      server.stop(0);
    }
  }

  /** One counter sample carrying an exemplar. */
  static io.prometheus.client.Collector exemplarCollector() {
    return new io.prometheus.client.Collector() {
      @Override
      public List<MetricFamilySamples> collect() {
        return List.of(new MetricFamilySamples("demo", Type.COUNTER, "demo", List.of(new MetricFamilySamples.Sample(
            "demo_total", List.of(), List.of(), 1, new io.prometheus.client.exemplars.Exemplar(0.5, "traceID", "abc"),
            null))));
      }
    };
  }

  static double exemplarsSent(RemoteWriter w) {
    for (io.prometheus.client.Collector.MetricFamilySamples f : w.metricsCollector().collect()) {
      for (io.prometheus.client.Collector.MetricFamilySamples.Sample x : f.samples) {
        if (x.name.equals("prometheus_remote_storage_exemplars_total")) {
          return x.value;
        }
      }
    }
    throw new AssertionError("no exemplar counter");
  }

  @Test
  @Timeout(60)
  void sendExemplarsFalseStripsThem() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    server.start();
    try {
      for (boolean send : new boolean[] {true, false}) {
        RemoteWriter w = RemoteWriter.builder().url("http://127.0.0.1:" + server.getAddress().getPort() + "/")
            .collector(exemplarCollector()).interval(Duration.ofHours(1)).sendExemplars(send).build().start();
        try {
          w.collectNow();
          assertThat(w.awaitEmpty(Duration.ofSeconds(10))).isTrue();
          assertThat(w.samplesSent()).isEqualTo(1);
          assertThat(exemplarsSent(w)).as("send_exemplars=%s", send).isEqualTo(send ? 1.0 : 0.0);
        } finally {
          w.close();
        }
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void protocolHeadersCannotBeReplaced() {
    assertThatThrownBy(() -> RemoteWriter.builder().header("Content-Type", "x"))
        .hasMessage("header: Content-Type is set by the remote-write protocol");
    assertThatThrownBy(() -> RemoteWriter.builder().header("bad name", "x"))
        .hasMessage("header: invalid name \"bad name\"");
  }
}
