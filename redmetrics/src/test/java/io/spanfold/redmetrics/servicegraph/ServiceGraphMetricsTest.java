package io.spanfold.redmetrics.servicegraph;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.spanfold.core.graph.ServiceGraphBuilder;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.model.TraceIds;
import io.spanfold.core.wire.OtlpProtoDecoder;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceGraphMetricsTest {
  static final long T0 = 1_700_000_000_000_000_000L;
  static final long MS = 1_000_000L;
  long now;

  static KeyValue str(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static ByteString id(long v, int len) {
    byte[] b = new byte[len];
    TraceIds.writeLong(v, b, len - 8);
    return ByteString.copyFrom(b);
  }

  static Span span(long trace, long spanId, long parent, Span.SpanKind kind, long durMs, boolean error,
      KeyValue... attrs) {
    Span.Builder b = Span.newBuilder().setTraceId(id(trace, 16)).setSpanId(id(spanId, 8)).setName("op")
        .setKind(kind).setStartTimeUnixNano(T0).setEndTimeUnixNano(T0 + durMs * MS).addAllAttributes(List.of(attrs));
    if (parent != 0) {
      b.setParentSpanId(id(parent, 8));
    }
    if (error) {
      b.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
    }
    return b.build();
  }

  static SpanBatch batch(String service, Span... spans) throws Exception {
    byte[] bytes = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(str("service.name", service)))
        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(List.of(spans)))).build().toByteArray();
    SpanBatch b = new SpanBatch();
    new OtlpProtoDecoder().decode(bytes, 0, bytes.length, b);
    return b;
  }

  static String scrape(CollectorRegistry registry, String contentType) throws Exception {
    StringWriter w = new StringWriter();
    TextFormat.writeFormat(contentType, w, registry.metricFamilySamples());
    return w.toString();
  }

  @Test
  void tempoSeriesWithBucketsAndExemplars() throws Exception {
    ServiceGraphMetrics metrics = ServiceGraphMetrics.builder().build();
    ServiceGraphBuilder graph = ServiceGraphBuilder.builder().clock(() -> now).listener(metrics).maxItems(3).build();
    CollectorRegistry registry = new CollectorRegistry();
    metrics.collector().register(registry);
    metrics.selfMetricsCollector(graph).register(registry);

    // frigate -> ollama: server latencies 150,150,150,500,3000 ms; client 200 ms each; the 3 s one failed
    long[] serverMs = {150, 150, 150, 500, 3000};
    for (int t = 1; t <= 5; t++) {
      graph.accept(batch("ollama", span(t, t * 10 + 2, t * 10 + 1, Span.SpanKind.SPAN_KIND_SERVER, serverMs[t - 1],
          t == 5)));
      graph.accept(batch("frigate", span(t, t * 10 + 1, t * 10, Span.SpanKind.SPAN_KIND_CLIENT, 200, false)));
    }
    graph.accept(batch("immich",
        span(40, 401, 400, Span.SpanKind.SPAN_KIND_CLIENT, 5, false, str("db.system", "postgresql"),
            str("server.address", "postgres"))));
    // three lone client halves fill the store (maxItems 3), the fourth is dropped
    for (int t = 50; t < 54; t++) {
      graph.accept(batch("cron", span(t, t * 10 + 1, t * 10, Span.SpanKind.SPAN_KIND_CLIENT, 5, false)));
    }
    now += 11_000_000_000L; // past the wait: the three halves expire unpaired (no peer attribute)
    graph.expire(); // the self-metrics collector also expires on scrape, but collectors run in no fixed order

    String text = scrape(registry, TextFormat.CONTENT_TYPE_004);
    String l = "client=\"frigate\",server=\"ollama\",connection_type=\"\"";
    assertThat(text)
        .contains("traces_service_graph_request_total{" + l + ",} 5.0")
        .contains("traces_service_graph_request_failed_total{" + l + ",} 1.0")
        .contains("traces_service_graph_request_server_seconds_bucket{" + l + ",le=\"0.1\",} 0.0")
        .contains("traces_service_graph_request_server_seconds_bucket{" + l + ",le=\"0.2\",} 3.0")
        .contains("traces_service_graph_request_server_seconds_bucket{" + l + ",le=\"0.4\",} 3.0")
        .contains("traces_service_graph_request_server_seconds_bucket{" + l + ",le=\"0.8\",} 4.0")
        .contains("traces_service_graph_request_server_seconds_bucket{" + l + ",le=\"3.2\",} 5.0")
        .contains("traces_service_graph_request_server_seconds_bucket{" + l + ",le=\"+Inf\",} 5.0")
        .contains("traces_service_graph_request_server_seconds_count{" + l + ",} 5.0")
        .contains("traces_service_graph_request_server_seconds_sum{" + l + ",} 3.95")
        .contains("traces_service_graph_request_client_seconds_bucket{" + l + ",le=\"0.1\",} 0.0")
        .contains("traces_service_graph_request_client_seconds_bucket{" + l + ",le=\"0.2\",} 5.0")
        .contains("traces_service_graph_request_total{client=\"immich\",server=\"postgres\","
            + "connection_type=\"database\",} 1.0")
        .contains("traces_service_graph_unpaired_spans_total{client=\"cron\",server=\"\",connection_type=\"\",} 3.0")
        .contains("traces_service_graph_dropped_spans_total{client=\"cron\",server=\"\",connection_type=\"\",} 1.0")
        .contains("tempo_metrics_generator_processor_service_graphs_expired_edges{tenant=\"single-tenant\",} 3.0")
        .contains("tempo_metrics_generator_processor_service_graphs_dropped_spans{tenant=\"single-tenant\",} 1.0")
        .contains("tempo_metrics_generator_processor_service_graphs_edges{tenant=\"single-tenant\",} 9.0")
        .contains("spanfold_service_graph_pending_edges{tenant=\"single-tenant\",} 0.0");
    assertThat(text).doesNotContain("failed_total{client=\"immich\"");
    assertThat(promtool(text)).as("promtool check metrics").isEmpty();

    String om = scrape(registry, TextFormat.CONTENT_TYPE_OPENMETRICS_100);
    // the 3 s request of trace 5 is the exemplar of its bucket
    assertThat(om).containsPattern(
        "traces_service_graph_request_server_seconds_bucket\\{" + l.replace("\"\"", "\"\"") + ",le=\"3\\.2\"} 5\\.0 "
            + "# \\{traceID=\"5\"} 3\\.0 ");
  }

  /** {@code promtool check metrics} (Debian package prometheus, installed by .ci/run); returns its complaints. */
  static String promtool(String text) throws Exception {
    java.io.File exe = new java.io.File("/usr/bin/promtool");
    assertThat(exe.canExecute()).as("promtool is required (Debian package prometheus)").isTrue();
    Process p = new ProcessBuilder(exe.getPath(), "check", "metrics").redirectErrorStream(true).start();
    try (java.io.OutputStream in = p.getOutputStream()) {
      in.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("promtool timed out");
    }
    return new String(out, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void prefixedDimensionsAndVirtualNodeLabel() throws Exception {
    ServiceGraphMetrics metrics =
        ServiceGraphMetrics.builder().enableClientServerPrefix(true).enableVirtualNodeLabel(true).build();
    ServiceGraphBuilder graph = ServiceGraphBuilder.builder().clock(() -> now).listener(metrics)
        .dimensions(List.of("http.request.method")).build();
    CollectorRegistry registry = new CollectorRegistry();
    metrics.collector().register(registry);
    graph.accept(batch("shop", span(1, 11, 10, Span.SpanKind.SPAN_KIND_CLIENT, 20, false,
        str("http.request.method", "POST"), str("peer.service", "stripe"))));
    now += 11_000_000_000L;
    graph.expire();
    assertThat(scrape(registry, TextFormat.CONTENT_TYPE_004)).contains(
        "traces_service_graph_request_total{client=\"shop\",server=\"stripe\",connection_type=\"virtual_node\","
            + "client_http_request_method=\"POST\",server_http_request_method=\"\",virtual_node=\"server\",} 1.0");
  }

  @Test
  void staleSeriesAreDroppedAfterStaleDuration() throws Exception {
    long[] wall = {1_000_000};
    ServiceGraphMetrics metrics = ServiceGraphMetrics.builder().staleDuration(java.time.Duration.ofMinutes(15))
        .wallClockMillis(() -> wall[0]).build();
    ServiceGraphBuilder graph = ServiceGraphBuilder.builder().clock(() -> now).listener(metrics).build();
    CollectorRegistry registry = new CollectorRegistry();
    metrics.collector().register(registry);
    KeyValue db = str("db.system", "redis");
    graph.accept(batch("a", span(1, 1, 0, Span.SpanKind.SPAN_KIND_CLIENT, 1, false, db)));
    graph.accept(batch("b", span(2, 1, 0, Span.SpanKind.SPAN_KIND_CLIENT, 1, false, db)));
    assertThat(scrape(registry, TextFormat.CONTENT_TYPE_004)).contains("client=\"a\"").contains("client=\"b\"");
    wall[0] += 10 * 60_000;
    graph.accept(batch("b", span(3, 1, 0, Span.SpanKind.SPAN_KIND_CLIENT, 1, false, db)));
    assertThat(scrape(registry, TextFormat.CONTENT_TYPE_004)).contains("client=\"a\"");
    wall[0] += 6 * 60_000; // a: 16 min without update, b: 6 min
    String text = scrape(registry, TextFormat.CONTENT_TYPE_004);
    assertThat(text).doesNotContain("client=\"a\"").contains(
        "traces_service_graph_request_total{client=\"b\",server=\"redis\",connection_type=\"database\",} 2.0");
    assertThat(metrics.seriesRemoved()).isEqualTo(1);
    assertThat(metrics.activeSeries()).isEqualTo(1);
    // a comes back as a new series, counting from zero as Prometheus expects after a gap
    graph.accept(batch("a", span(4, 1, 0, Span.SpanKind.SPAN_KIND_CLIENT, 1, false, db)));
    assertThat(scrape(registry, TextFormat.CONTENT_TYPE_004)).contains(
        "traces_service_graph_request_total{client=\"a\",server=\"redis\",connection_type=\"database\",} 1.0");
  }

  @Test
  void messagingSystemLatencyWhenEnabled() throws Exception {
    ServiceGraphMetrics metrics = ServiceGraphMetrics.builder().enableMessagingSystemLatencyHistogram(true).build();
    ServiceGraphBuilder graph = ServiceGraphBuilder.builder().clock(() -> now).listener(metrics).build();
    CollectorRegistry registry = new CollectorRegistry();
    metrics.collector().register(registry);
    // producer runs T0 .. T0+2ms; the consumer starts 300 ms later (T0 + 302 ms)
    graph.accept(batch("frigate", span(7, 71, 70, Span.SpanKind.SPAN_KIND_PRODUCER, 2, false)));
    Span consumer = span(7, 72, 71, Span.SpanKind.SPAN_KIND_CONSUMER, 4, false).toBuilder()
        .setStartTimeUnixNano(T0 + 302 * MS).setEndTimeUnixNano(T0 + 306 * MS).build();
    graph.accept(batch("ntfy", consumer));
    String l = "client=\"frigate\",server=\"ntfy\",connection_type=\"messaging_system\"";
    String text = scrape(registry, TextFormat.CONTENT_TYPE_004);
    assertThat(text)
        .contains("traces_service_graph_request_messaging_system_seconds_bucket{" + l + ",le=\"0.2\",} 0.0")
        .contains("traces_service_graph_request_messaging_system_seconds_bucket{" + l + ",le=\"0.4\",} 1.0")
        .contains("traces_service_graph_request_messaging_system_seconds_sum{" + l + ",} 0.3");
    assertThat(promtool(text)).isEmpty();
  }
}
