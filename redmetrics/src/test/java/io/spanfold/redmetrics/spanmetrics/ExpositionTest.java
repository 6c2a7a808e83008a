package io.spanfold.redmetrics.spanmetrics;

import static io.spanfold.redmetrics.testing.Batches.attr;
import static io.spanfold.redmetrics.testing.Batches.resource;
import static io.spanfold.redmetrics.testing.Batches.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.spanfold.redmetrics.testing.Batches;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The collector's output in both text formats, checked by Prometheus' own promtool. */
class ExpositionTest {
  static final long NOW_NS = SpanMetricsTest.NOW_MS * 1_000_000L;

  static CollectorRegistry registry() {
    SpanMetrics m =
        SpanMetrics.builder()
            .clock(new SpanMetricsTest.MutableClock())
            .dimensions(List.of("http.method"))
            .maxActiveSeries(3)
            .build();
    Batches b = Batches.create();
    int r = b.resource(resource("api \"quoted\"\nnewline"));
    for (int i = 0; i < 5; i++) {
      b.span(r, span(0, 0xABC + i, i, "GET /" + i, 2, i % 3, "", NOW_NS - (i + 1) * 3_000_000L, NOW_NS,
          attr("http.method", "GET")));
    }
    m.accept(b.build());
    CollectorRegistry reg = new CollectorRegistry();
    reg.register(m.collector());
    reg.register(m.selfMetricsCollector());
    return reg;
  }

  static String render(CollectorRegistry reg, String contentType) throws IOException {
    StringWriter w = new StringWriter();
    TextFormat.writeFormat(contentType, w, reg.metricFamilySamples());
    return w.toString();
  }

  @Test
  void textFormat004PassesPromtool() throws Exception {
    String text = render(registry(), TextFormat.CONTENT_TYPE_004);
    assertThat(text).contains("# TYPE traces_spanmetrics_calls_total counter");
    assertThat(text).contains("# TYPE traces_spanmetrics_latency histogram");
    assertThat(text).contains("traces_spanmetrics_latency_bucket{service=\"api \\\"quoted\\\"\\nnewline\",span_name=\"GET /0\"");
    assertThat(text).doesNotContain("traceID"); // 0.0.4 has no exemplars
    assertThat(promtool(text)).isEqualTo(0);
  }

  /**
   * promtool 2.42's {@code check metrics} parses only the 0.0.4 text format, so OpenMetrics output is validated by a
   * real Prometheus scraping it in {@code PrometheusIT}; here its content is checked.
   */
  @Test
  void openMetricsCarriesExemplars() throws Exception {
    String text = render(registry(), TextFormat.CONTENT_TYPE_OPENMETRICS_100);
    assertThat(text).contains("# TYPE traces_spanmetrics_calls counter");
    assertThat(text).contains("traces_spanmetrics_calls_total{");
    assertThat(text).containsPattern("traces_spanmetrics_latency_bucket\\{[^}]*le=\"0\\.004\"} 1\\.0 # \\{traceID=\"abc\"} 0\\.003 ");
    assertThat(text).endsWith("# EOF\n");
  }

  /** Runs {@code promtool check metrics}; a missing promtool fails the test (it is installed by .ci/run). */
  static int promtool(String text) throws Exception {
    File exe = new File("/usr/bin/promtool");
    assertThat(exe.canExecute()).as("promtool is required (Debian package prometheus)").isTrue();
    Process p = new ProcessBuilder(exe.getPath(), "check", "metrics").redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream o = p.getInputStream()) {
      o.transferTo(out);
    }
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("promtool timed out");
    }
    String report = out.toString(StandardCharsets.UTF_8);
    assertThat(report).as("promtool output for:\n" + text).isEmpty();
    return p.exitValue();
  }
}
