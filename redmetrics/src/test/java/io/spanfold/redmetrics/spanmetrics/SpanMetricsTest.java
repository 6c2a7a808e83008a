package io.spanfold.redmetrics.spanmetrics;

import static io.spanfold.redmetrics.testing.Batches.attr;
import static io.spanfold.redmetrics.testing.Batches.resource;
import static io.spanfold.redmetrics.testing.Batches.span;
import static io.spanfold.redmetrics.testing.Samples.labels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.trace.v1.Span;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.spanfold.redmetrics.testing.Batches;
import io.spanfold.redmetrics.testing.Samples;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SpanMetricsTest {
  static final long NOW_MS = 1_700_000_000_000L;
  static final long NOW_NS = NOW_MS * 1_000_000L;
  static final long MS = 1_000_000L;

  static final class MutableClock extends Clock {
    final AtomicLong millis = new AtomicLong(NOW_MS);

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public long millis() {
      return millis.get();
    }
  }

  static Map<String, String> base(String service, String name, String kind, String status) {
    return labels("service", service, "span_name", name, "span_kind", kind, "status_code", status);
  }

  @Test
  void exactCountersBucketsSumsLabelsAndExemplars() {
    MutableClock clock = new MutableClock();
    SpanMetrics m =
        SpanMetrics.builder()
            .clock(clock)
            .dimensions(List.of("deployment.environment", "http.status_code", "span.kind"))
            .build();
    Batches b = Batches.create();
    int api = b.resource(resource("api", attr("deployment.environment", "prod")));
    int web = b.resource(resource("web"));
    long end = NOW_NS - 1000 * MS;
    Span s1 = span(0, 0xABCL, 1, "GET /x", 2, 1, "", end - 1 * MS, end, attr("http.status_code", 200));
    Span s2 = span(0, 0xDEFL, 2, "GET /x", 2, 1, "", end - 2 * MS, end + MS, attr("http.status_code", "200"));
    Span s3 = span(0x1L, 0x2L, 3, "GET /x", 2, 1, "", end - MS, end + 2 * MS, attr("http.status_code", 200));
    Span s4 = span(0xF00L, 0x1L, 4, "db", 3, 2, "boom", end - 20_000 * MS, end); // +Inf bucket
    Span s5 = span(0, 0x5L, 5, "render", 1, 0, "", end, end - 5 * MS,
        attr("deployment.environment", "span-level-loses"), attr("span.kind", "custom"), attr("flag", true));
    Span late = span(0, 0x6L, 6, "GET /x", 2, 1, "", NOW_NS - 40_000 * MS, NOW_NS - 31_000 * MS);
    Span future = span(0, 0x7L, 7, "GET /x", 2, 1, "", NOW_NS, NOW_NS + 31_000 * MS);
    b.span(api, s1).span(api, s2).span(api, s3).span(api, s4).span(web, s5).span(api, late).span(api, future);
    m.accept(b.build());

    Samples out = Samples.of(m.collector());
    Map<String, String> get =
        with(base("api", "GET /x", "SPAN_KIND_SERVER", "STATUS_CODE_OK"), "prod", "200", "");
    assertThat(out.value("traces_spanmetrics_calls_total", get)).isEqualTo(3);
    assertThat(out.value("traces_spanmetrics_latency_count", get)).isEqualTo(3);
    assertThat(out.value("traces_spanmetrics_latency_sum", get)).isEqualTo(0.007);
    assertThat(out.value("traces_spanmetrics_size_total", get))
        .isEqualTo(s1.getSerializedSize() + s2.getSerializedSize() + s3.getSerializedSize());
    assertThat(bucket(out, get, "0.002").value).isEqualTo(1);
    assertThat(bucket(out, get, "0.004").value).isEqualTo(3);
    assertThat(bucket(out, get, "+Inf").value).isEqualTo(3);
    // latest exemplar per bucket: 0.002 has s1, 0.004 has s3 (ends last); hex with leading zeros stripped
    assertThat(bucket(out, get, "0.002").exemplar.getLabelValue(0)).isEqualTo("abc");
    assertThat(bucket(out, get, "0.002").exemplar.getLabelName(0)).isEqualTo("traceID");
    assertThat(bucket(out, get, "0.004").exemplar.getLabelValue(0)).isEqualTo("10000000000000002");
    assertThat(bucket(out, get, "0.004").exemplar.getValue()).isEqualTo(0.003);
    assertThat(bucket(out, get, "0.004").exemplar.getTimestampMs()).isEqualTo((end + 2 * MS) / MS);
    assertThat(bucket(out, get, "0.008").exemplar).isNull();

    Map<String, String> db = with(base("api", "db", "SPAN_KIND_CLIENT", "STATUS_CODE_ERROR"), "prod", "", "");
    assertThat(out.value("traces_spanmetrics_calls_total", db)).isEqualTo(1);
    assertThat(out.value("traces_spanmetrics_latency_sum", db)).isEqualTo(20.0);
    assertThat(bucket(out, db, "16.384").value).isEqualTo(0);
    assertThat(bucket(out, db, "+Inf").value).isEqualTo(1);
    assertThat(bucket(out, db, "+Inf").exemplar.getLabelValue(0)).isEqualTo("f000000000000000001");

    // resource attribute wins over span attribute; "span.kind" sanitises to span_kind, clashes, gets "__"
    Map<String, String> render =
        with(base("web", "render", "SPAN_KIND_INTERNAL", "STATUS_CODE_UNSET"), "span-level-loses", "", "custom");
    assertThat(out.value("traces_spanmetrics_calls_total", render)).isEqualTo(1);
    assertThat(out.value("traces_spanmetrics_latency_sum", render)).isEqualTo(0.0); // negative duration -> 0
    assertThat(bucket(out, render, "0.002").value).isEqualTo(1);

    assertThat(out.named("traces_spanmetrics_calls_total")).hasSize(3);
    assertThat(m.activeSeries()).isEqualTo(3);
    Samples self = Samples.of(m.selfMetricsCollector());
    assertThat(self.value("tempo_metrics_generator_spans_discarded_total",
        labels("tenant", "single-tenant", "reason", "outside_metrics_ingestion_slack"))).isEqualTo(2);
    assertThat(self.value("tempo_metrics_generator_spans_received_total", labels("tenant", "single-tenant")))
        .isEqualTo(7);
    assertThat(self.value("tempo_metrics_generator_registry_series_added_total", labels("tenant", "single-tenant")))
        .isEqualTo(3);

    // counters are cumulative across collections
    Batches again = Batches.create();
    int api2 = again.resource(resource("api", attr("deployment.environment", "prod")));
    m.accept(again.span(api2, s1).build());
    Samples out2 = Samples.of(m.collector());
    assertThat(out2.value("traces_spanmetrics_calls_total", get)).isEqualTo(4);
    assertThat(bucket(out2, get, "0.002").value).isEqualTo(2);
  }

  @Test
  void labelOrderAndIntrinsicToggles() {
    SpanMetrics m =
        SpanMetrics.builder()
            .clock(new MutableClock())
            .intrinsicDimension("status_message", true)
            .intrinsicDimension("span_kind", false)
            .build();
    Batches b = Batches.create();
    int r = b.resource(resource(null));
    b.span(r, span(0, 1, 1, "op", 2, 2, "bad thing", NOW_NS - MS, NOW_NS));
    m.accept(b.build());
    Sample s = Samples.of(m.collector()).named("traces_spanmetrics_calls_total").get(0);
    assertThat(s.labelNames).containsExactly("service", "span_name", "status_code", "status_message");
    assertThat(s.labelValues).containsExactly("", "op", "STATUS_CODE_ERROR", "bad thing");
  }

  @Test
  void maxActiveSeriesOverflowsAndStaleSeriesAreRemoved() {
    MutableClock clock = new MutableClock();
    SpanMetrics m =
        SpanMetrics.builder().clock(clock).maxActiveSeries(2).staleDuration(Duration.ofMinutes(15)).build();
    Batches b = Batches.create();
    int r = b.resource(resource("svc"));
    for (int i = 0; i < 5; i++) {
      b.span(r, span(0, i + 1, i, "op" + i, 2, 0, "", NOW_NS - MS, NOW_NS));
      b.span(r, span(0, i + 1, i, "op" + i, 2, 0, "", NOW_NS - MS, NOW_NS));
    }
    m.accept(b.build());
    Samples out = Samples.of(m.collector());
    assertThat(m.activeSeries()).isEqualTo(2);
    assertThat(out.value("traces_spanmetrics_calls_total", labels("metric_overflow", "true"))).isEqualTo(6);
    assertThat(out.named("traces_spanmetrics_calls_total")).hasSize(3);
    Samples self = Samples.of(m.selfMetricsCollector());
    assertThat(self.value("tempo_metrics_generator_registry_series_limited_total", labels("tenant", "single-tenant")))
        .isEqualTo(6);

    // 16 minutes without updates: both series are stale and removed, room for new ones
    clock.millis.addAndGet(Duration.ofMinutes(16).toMillis());
    Samples later = Samples.of(m.collector());
    assertThat(m.activeSeries()).isZero();
    assertThat(later.named("traces_spanmetrics_calls_total")).hasSize(1); // only overflow remains
    long now2 = clock.millis() * MS;
    Batches b2 = Batches.create();
    int r2 = b2.resource(resource("svc"));
    b2.span(r2, span(0, 9, 9, "op4", 2, 0, "", now2 - MS, now2));
    b2.span(r2, span(0, 9, 9, "op0", 2, 0, "", now2 - MS, now2));
    m.accept(b2.build());
    Samples after = Samples.of(m.collector());
    assertThat(after.value("traces_spanmetrics_calls_total", base("svc", "op4", "SPAN_KIND_SERVER",
        "STATUS_CODE_UNSET"))).isEqualTo(1);
    assertThat(after.value("traces_spanmetrics_calls_total", base("svc", "op0", "SPAN_KIND_SERVER",
        "STATUS_CODE_UNSET"))).isEqualTo(1); // counter restarted: the old series was removed
    assertThat(Samples.of(m.selfMetricsCollector()).value(
        "tempo_metrics_generator_registry_series_removed_total", labels("tenant", "single-tenant"))).isEqualTo(2);
  }

  @Test
  void builderRejectsBadSettingsByName() {
    assertThatThrownBy(() -> SpanMetrics.builder().maxActiveSeries(-1)).hasMessageContaining("maxActiveSeries");
    assertThatThrownBy(() -> SpanMetrics.builder().intrinsicDimension("foo", true)).hasMessageContaining("foo");
    assertThatThrownBy(() -> SpanMetrics.builder().dimensions(List.of("a.b", "a_b")).build())
        .hasMessageContaining("a_b");
    assertThatThrownBy(() -> SpanMetrics.builder().ingestionSlack(Duration.ofHours(13)))
        .hasMessageContaining("ingestionSlack");
    assertThat(SpanMetrics.dimensionLabel("http.method")).isEqualTo("http_method");
    assertThat(SpanMetrics.dimensionLabel("service")).isEqualTo("__service");
    assertThat(SpanMetrics.dimensionLabel("status.code")).isEqualTo("__status_code");
  }

  static Map<String, String> with(Map<String, String> base, String env, String code, String kind) {
    Map<String, String> m = new java.util.LinkedHashMap<>(base);
    m.put("deployment_environment", env);
    m.put("http_status_code", code);
    m.put("__span_kind", kind);
    return m;
  }

  static Sample bucket(Samples out, Map<String, String> labels, String le) {
    Map<String, String> m = new java.util.LinkedHashMap<>(labels);
    m.put("le", le);
    return out.get("traces_spanmetrics_latency_bucket", m);
  }
}
