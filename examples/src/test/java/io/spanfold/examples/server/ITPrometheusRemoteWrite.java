package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issues 5 and 6 end to end: Beyla-like spans from the OTel SDK into the server jar, span metrics and service-graph
 * metrics remote-written into a real Prometheus every second and queried back with PromQL; the same Prometheus
 * scrapes the server's {@code /metrics} as OpenMetrics and stores a {@code traceID} exemplar; {@code promtool}
 * accepts the {@code /metrics} text.
 *
 * <p>Per round (five rounds): a browser request to frigate (a root SERVER span, no client: {@code user -> frigate}
 * once the 10 s wait is over), frigate calling ollama (CLIENT -> SERVER, two of five failing), frigate publishing an
 * event ntfy consumes (PRODUCER -> CONSUMER), and an immich job querying PostgreSQL (a CLIENT span with
 * {@code db.system}).
 */
@Timeout(180)
class ITPrometheusRemoteWrite {
  static final File PROMTOOL = new File("/usr/bin/promtool");
  static final int ROUNDS = 5;
  static final int FAILING = 2;
  static final long MS = 1_000_000L;

  @TempDir Path promDir;
  @TempDir Path dataDir;

  @Test
  void spanMetricsAndServiceGraphReachPrometheus() throws Exception {
    assertThat(PROMTOOL.canExecute()).as("/usr/bin/promtool is required (Debian package prometheus)").isTrue();
    int promPort = PrometheusProcess.freePort();
    try (PrometheusProcess prom = PrometheusProcess.start(promDir, promPort, "global:\n  scrape_interval: 1s\n",
            "--enable-feature=exemplar-storage");
        ServerProcess server = ServerProcess.start(dataDir,
            "--remote-write.url=http://127.0.0.1:" + promPort + "/api/v1/write", "--remote-write.interval=1s")) {
      prom.reload("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: spanfold\n"
          + "    static_configs:\n      - targets: ['127.0.0.1:" + server.httpPort + "']\n");

      Set<String> traceIds = sendBeylaLikeSpans(server);
      long sentAt = System.nanoTime();

      // Remote-written series carry no job label (the scraped copies have job="spanfold").
      String rw = "job=\"\",";
      prom.awaitValue("traces_spanmetrics_calls_total{" + rw + "service=\"frigate\",span_name=\"GET /api/events/{id}\","
          + "span_kind=\"SPAN_KIND_SERVER\",status_code=\"STATUS_CODE_UNSET\"}", ROUNDS);
      prom.awaitValue("traces_spanmetrics_calls_total{" + rw + "service=\"frigate\",span_name=\"POST /api/generate\","
          + "span_kind=\"SPAN_KIND_CLIENT\",status_code=\"STATUS_CODE_UNSET\"}", ROUNDS);
      prom.awaitValue("traces_spanmetrics_calls_total{" + rw + "service=\"ollama\",span_name=\"POST /api/generate\","
          + "span_kind=\"SPAN_KIND_SERVER\",status_code=\"STATUS_CODE_ERROR\"}", FAILING);
      prom.awaitValue("traces_spanmetrics_calls_total{" + rw + "service=\"ollama\",span_name=\"POST /api/generate\","
          + "span_kind=\"SPAN_KIND_SERVER\",status_code=\"STATUS_CODE_UNSET\"}", ROUNDS - FAILING);
      prom.awaitValue("traces_spanmetrics_calls_total{" + rw + "service=\"immich\",span_name=\"SELECT assets\","
          + "span_kind=\"SPAN_KIND_CLIENT\"}", ROUNDS);
      prom.awaitValue("traces_spanmetrics_calls_total{" + rw + "service=\"ntfy\",span_name=\"frigate/events process\","
          + "span_kind=\"SPAN_KIND_CONSUMER\"}", ROUNDS);
      prom.awaitValue("count(traces_spanmetrics_calls_total{" + rw + "__metrics_gen_instance!=\"\"})", 8);
      JsonNode sum = prom.query("sum(traces_spanmetrics_latency_count{" + rw + "service=\"ollama\"})",
          r -> r.size() == 1 && PrometheusProcess.value(r.get(0)) == ROUNDS);
      assertThat(sum).hasSize(1);

      // ollama answers in 300 ms: the median lies in the (0.256, 0.512] bucket.
      JsonNode p50 = prom.query("histogram_quantile(0.5, sum by (le) (traces_spanmetrics_latency_bucket{" + rw
          + "service=\"ollama\"}))", r -> r.size() == 1);
      assertThat(PrometheusProcess.value(p50.get(0))).isGreaterThan(0.256).isLessThanOrEqualTo(0.512);
      // frigate's client spans take 400 ms, its server spans 600 ms: p99 over frigate in (0.512, 1.024].
      JsonNode p99 = prom.query("histogram_quantile(0.99, sum by (le) (traces_spanmetrics_latency_bucket{" + rw
          + "service=\"frigate\",span_kind=\"SPAN_KIND_SERVER\"}))", r -> r.size() == 1);
      assertThat(PrometheusProcess.value(p99.get(0))).isGreaterThan(0.512).isLessThanOrEqualTo(1.024);

      prom.awaitValue("traces_service_graph_request_total{" + rw
          + "client=\"frigate\",server=\"ollama\",connection_type=\"\"}", ROUNDS);
      prom.awaitValue("traces_service_graph_request_failed_total{" + rw
          + "client=\"frigate\",server=\"ollama\",connection_type=\"\"}", FAILING);
      prom.awaitValue("traces_service_graph_request_server_seconds_count{" + rw
          + "client=\"frigate\",server=\"ollama\"}", ROUNDS);
      prom.awaitValue("traces_service_graph_request_total{" + rw
          + "client=\"immich\",server=\"postgresql\",connection_type=\"database\"}", ROUNDS);
      prom.awaitValue("traces_service_graph_request_total{" + rw
          + "client=\"frigate\",server=\"ntfy\",connection_type=\"messaging_system\"}", ROUNDS);

      // The browser's requests have no client span: after the 10 s wait (swept every 2 s) they become user -> frigate.
      prom.awaitValue("traces_service_graph_request_total{" + rw
          + "client=\"user\",server=\"frigate\",connection_type=\"virtual_node\"}", ROUNDS);
      long virtualAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt);
      assertThat(virtualAfter).as("virtual node appears only after the 10 s wait").isGreaterThanOrEqualTo(9_000);
      prom.awaitValue("count(traces_service_graph_request_total{" + rw + "})", 4);

      // The scrape of /metrics as OpenMetrics stores exemplars carrying our trace ids.
      JsonNode exemplars = prom.exemplars("traces_spanmetrics_latency_bucket{job=\"spanfold\"}");
      Set<String> seen = new HashSet<>();
      for (JsonNode series : exemplars) {
        for (JsonNode e : series.get("exemplars")) {
          seen.add(e.get("labels").get("traceID").asText());
        }
      }
      assertThat(seen).as("exemplar trace ids").isNotEmpty();
      assertThat(traceIds).containsAll(seen);
      prom.awaitValue("traces_spanmetrics_calls_total{job=\"spanfold\",service=\"ollama\","
          + "status_code=\"STATUS_CODE_ERROR\"}", FAILING);

      String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.httpUrl("/metrics")))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(text).contains("traces_spanmetrics_latency_bucket", "traces_service_graph_request_total",
          "prometheus_remote_storage_samples_failed_total");
      promtoolAccepts(text);
    }
  }

  /**
   * Tempo's own names for its stored-bytes and stored-objects gauges end in {@code _total}, which promtool's lint
   * flags (exit code 3); dashboards query those names, so they are kept. Anything else promtool says fails the test,
   * and a parse error (exit code 1) always does.
   */
  static final List<String> TEMPO_NAMED_GAUGES = List.of(
      "tempodb_backend_bytes_total non-counter metrics should not have \"_total\" suffix",
      "tempodb_backend_objects_total non-counter metrics should not have \"_total\" suffix");

  private static void promtoolAccepts(String metrics) throws Exception {
    Process p = new ProcessBuilder(PROMTOOL.getPath(), "check", "metrics").redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      in.write(metrics.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<String> problems = out.lines().filter(l -> !l.isBlank()).toList();
    if (problems.isEmpty()) {
      assertThat(p.exitValue()).isZero();
    } else {
      assertThat(p.exitValue()).as("promtool check metrics said:\n%s", out).isEqualTo(3);
      assertThat(problems).as("promtool lint problems").isSubsetOf(TEMPO_NAMED_GAUGES);
    }
  }

  /** Sends the rounds through the real SDK (frigate and immich over gRPC, ollama and ntfy over HTTP). */
  private static Set<String> sendBeylaLikeSpans(ServerProcess server) {
    List<SdkTracerProvider> providers = new ArrayList<>();
    Tracer frigate = tracer(providers, "frigate", grpc(server));
    Tracer ollama = tracer(providers, "ollama", http(server));
    Tracer immich = tracer(providers, "immich", grpc(server));
    Tracer ntfy = tracer(providers, "ntfy", http(server));
    Set<String> traceIds = new HashSet<>();
    try {
      long now = System.currentTimeMillis() * MS;
      for (int i = 0; i < ROUNDS; i++) {
        long t = now - 2_000 * MS + i * 10 * MS;
        Span browser = frigate.spanBuilder("GET /api/events/{id}").setNoParent().setSpanKind(SpanKind.SERVER)
            .setAttribute("http.request.method", "GET").setStartTimestamp(t, TimeUnit.NANOSECONDS).startSpan();
        Span call = frigate.spanBuilder("POST /api/generate").setParent(Context.root().with(browser))
            .setSpanKind(SpanKind.CLIENT).setAttribute("server.address", "ollama")
            .setStartTimestamp(t + 100 * MS, TimeUnit.NANOSECONDS).startSpan();
        Span generate = ollama.spanBuilder("POST /api/generate").setParent(remote(call)).setSpanKind(SpanKind.SERVER)
            .setStartTimestamp(t + 150 * MS, TimeUnit.NANOSECONDS).startSpan();
        if (i < FAILING) {
          generate.setStatus(StatusCode.ERROR, "model not loaded");
        }
        generate.end(t + 450 * MS, TimeUnit.NANOSECONDS);
        call.end(t + 500 * MS, TimeUnit.NANOSECONDS);
        Span publish = frigate.spanBuilder("frigate/events publish").setParent(Context.root().with(browser))
            .setSpanKind(SpanKind.PRODUCER).setAttribute("messaging.system", "mqtt")
            .setStartTimestamp(t + 510 * MS, TimeUnit.NANOSECONDS).startSpan();
        publish.end(t + 515 * MS, TimeUnit.NANOSECONDS);
        Span consume = ntfy.spanBuilder("frigate/events process").setParent(remote(publish))
            .setSpanKind(SpanKind.CONSUMER).setStartTimestamp(t + 520 * MS, TimeUnit.NANOSECONDS).startSpan();
        consume.end(t + 540 * MS, TimeUnit.NANOSECONDS);
        browser.end(t + 600 * MS, TimeUnit.NANOSECONDS);
        traceIds.add(stripZeros(browser.getSpanContext().getTraceId()));

        Span job = immich.spanBuilder("thumbnail job").setNoParent().setSpanKind(SpanKind.INTERNAL)
            .setStartTimestamp(t, TimeUnit.NANOSECONDS).startSpan();
        Span query = immich.spanBuilder("SELECT assets").setParent(Context.root().with(job))
            .setSpanKind(SpanKind.CLIENT).setAttribute("db.system", "postgresql")
            .setAttribute("db.query.text", "SELECT * FROM assets WHERE id = $1")
            .setStartTimestamp(t + 5 * MS, TimeUnit.NANOSECONDS).startSpan();
        query.end(t + 15 * MS, TimeUnit.NANOSECONDS);
        job.end(t + 20 * MS, TimeUnit.NANOSECONDS);
        traceIds.add(stripZeros(job.getSpanContext().getTraceId()));
      }
    } finally {
      for (SdkTracerProvider p : providers) {
        assertThat(p.shutdown().join(20, TimeUnit.SECONDS).isSuccess()).as("export").isTrue();
      }
    }
    return traceIds;
  }

  private static Tracer tracer(List<SdkTracerProvider> providers, String service, SpanExporter exporter) {
    SdkTracerProvider p = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.builder().put("service.name", service)
            .put("telemetry.sdk.name", "beyla").build()))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).build()).build();
    providers.add(p);
    return p.get("github.com/grafana/beyla");
  }

  private static SpanExporter grpc(ServerProcess server) {
    return OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + server.grpcPort).build();
  }

  private static SpanExporter http(ServerProcess server) {
    return OtlpHttpSpanExporter.builder().setEndpoint(server.otlpHttpUrl("/v1/traces")).build();
  }

  /** The context a callee sees: the caller's span, arrived over the wire. */
  private static Context remote(Span caller) {
    SpanContext c = caller.getSpanContext();
    return Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(c.getTraceId(), c.getSpanId(),
        c.getTraceFlags(), c.getTraceState())));
  }

  private static String stripZeros(String hex) {
    String s = hex.replaceFirst("^0+", "");
    return s.isEmpty() ? "0" : s;
  }
}
