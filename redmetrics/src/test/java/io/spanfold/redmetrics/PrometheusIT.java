package io.spanfold.redmetrics;

import static io.spanfold.redmetrics.testing.Batches.resource;
import static io.spanfold.redmetrics.testing.Batches.span;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.spanfold.redmetrics.remotewrite.RemoteWriter;
import io.spanfold.redmetrics.spanmetrics.SpanMetrics;
import io.spanfold.redmetrics.testing.Batches;
import java.io.File;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Against Debian's real Prometheus (2.42): remote write into it, and scrape our OpenMetrics with exemplars. */
class PrometheusIT {
  static final File PROMETHEUS = new File("/usr/bin/prometheus");
  final HttpClient http = HttpClient.newHttpClient();

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** 10 spans of "api"/"GET /x": 8 of 10 ms (bucket le=0.016), 2 of 3 s; trace ids 0x1000+i. */
  static SpanMetrics metricsWithSpans() {
    SpanMetrics m = SpanMetrics.builder().build();
    long now = System.currentTimeMillis() * 1_000_000L;
    Batches b = Batches.create();
    int r = b.resource(resource("api"));
    for (int i = 0; i < 10; i++) {
      long dur = i < 8 ? 10_000_000L : 3_000_000_000L;
      b.span(r, span(0, 0x1000 + i, i + 1, "GET /x", 2, 0, "", now - dur, now));
    }
    m.accept(b.build());
    return m;
  }

  Process startPrometheus(Path dir, int port, String config, String... extra) throws Exception {
    assertThat(PROMETHEUS.canExecute()).as("/usr/bin/prometheus is required (Debian package prometheus)").isTrue();
    Path cfg = dir.resolve("prometheus.yml");
    Files.writeString(cfg, config);
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                PROMETHEUS.getPath(),
                "--config.file=" + cfg,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--web.enable-remote-write-receiver"));
    cmd.addAll(List.of(extra));
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    String ready = "http://127.0.0.1:" + port + "/-/ready";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(ready)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode() == 200) {
          return p;
        }
      } catch (java.io.IOException notYet) {
        // starting
      }
      Thread.sleep(100);
    }
    p.destroyForcibly();
    throw new AssertionError("prometheus did not become ready:\n" + Files.readString(dir.resolve("prometheus.log")));
  }

  static void stop(Process p) throws InterruptedException {
    if (p != null) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  String get(int port, String pathAndQuery) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).build(),
            HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  String poll(int port, String pathAndQuery, Predicate<String> ok) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String last = "";
    while (System.nanoTime() < deadline) {
      last = get(port, pathAndQuery);
      if (ok.test(last)) {
        return last;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("timed out waiting on " + pathAndQuery + ", last answer: " + last);
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  @Timeout(120)
  void remoteWriteIntoRealPrometheus(@TempDir Path dir) throws Exception {
    int port = freePort();
    Process prom = startPrometheus(dir, port, "global:\n  scrape_interval: 1m\n");
    SpanMetrics m = metricsWithSpans();
    RemoteWriter w =
        RemoteWriter.builder()
            .url("http://127.0.0.1:" + port + "/api/v1/write")
            .collector(m.collector())
            .externalLabel("cluster", "it")
            .interval(Duration.ofHours(1))
            .build()
            .start();
    try {
      w.collectNow();
      assertThat(w.awaitEmpty(Duration.ofSeconds(20))).isTrue();
      assertThat(w.samplesFailed()).as("see %s", dir.resolve("prometheus.log")).isZero();
      String calls =
          poll(port, "/api/v1/query?query=" + q("traces_spanmetrics_calls_total"), s -> s.contains("\"value\""));
      assertThat(calls)
          .contains("\"service\":\"api\"", "\"span_name\":\"GET /x\"", "\"span_kind\":\"SPAN_KIND_SERVER\"",
              "\"status_code\":\"STATUS_CODE_UNSET\"", "\"cluster\":\"it\"", "\"__metrics_gen_instance\":")
          .containsPattern("\"value\":\\[[0-9.]+,\"10\"]");
      // median of 8x10ms + 2x3s lies in the (0.008, 0.016] bucket
      String p50 =
          poll(port, "/api/v1/query?query=" + q("histogram_quantile(0.5, sum by (le) (traces_spanmetrics_latency_bucket))"),
              s -> s.contains("\"value\""));
      double v = Double.parseDouble(p50.replaceAll("(?s).*\"value\":\\[[0-9.]+,\"([^\"]+)\"].*", "$1"));
      assertThat(v).isGreaterThan(0.008).isLessThanOrEqualTo(0.016);
      String p95 =
          poll(port, "/api/v1/query?query=" + q("histogram_quantile(0.95, sum by (le) (traces_spanmetrics_latency_bucket))"),
              s -> s.contains("\"value\""));
      double v95 = Double.parseDouble(p95.replaceAll("(?s).*\"value\":\\[[0-9.]+,\"([^\"]+)\"].*", "$1"));
      assertThat(v95).isGreaterThan(2.048).isLessThanOrEqualTo(4.096);
    } finally {
      w.close();
      stop(prom);
    }
  }

  @Test
  @Timeout(120)
  void prometheusScrapesOpenMetricsWithTraceIdExemplars(@TempDir Path dir) throws Exception {
    SpanMetrics m = metricsWithSpans();
    CollectorRegistry reg = new CollectorRegistry();
    reg.register(m.collector());
    HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    target.createContext(
        "/metrics",
        ex -> {
          String accept = ex.getRequestHeaders().getFirst("Accept");
          String type = TextFormat.chooseContentType(accept);
          ex.getResponseHeaders().set("Content-Type", type);
          ex.sendResponseHeaders(200, 0);
          try (Writer out = new OutputStreamWriter(ex.getResponseBody(), StandardCharsets.UTF_8)) {
            TextFormat.writeFormat(type, out, reg.metricFamilySamples());
          }
        });
    target.start();
    int port = freePort();
    Process prom = null;
    try {
      prom =
          startPrometheus(
              dir,
              port,
              "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: spanfold\n    static_configs:\n"
                  + "      - targets: ['127.0.0.1:" + target.getAddress().getPort() + "']\n",
              "--enable-feature=exemplar-storage");
      long now = System.currentTimeMillis() / 1000;
      String ex =
          poll(port, "/api/v1/query_exemplars?query=" + q("traces_spanmetrics_latency_bucket") + "&start="
                  + (now - 600) + "&end=" + (now + 600), s -> s.contains("traceID"));
      assertThat(ex).contains("\"traceID\":\"1007\"").contains("\"traceID\":\"1009\"");
      String up = poll(port, "/api/v1/query?query=" + q("traces_spanmetrics_calls_total"), s -> s.contains("\"value\""));
      assertThat(up).containsPattern("\"value\":\\[[0-9.]+,\"10\"]");
    } finally {
      stop(prom);
      target.stop(0);
    }
  }
}
