package io.spanfold.redmetrics.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.spanfold.core.ingest.DiscardReason;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class PrometheusIngestMetricsTest {
  private final CollectorRegistry registry = new CollectorRegistry();
  private final PrometheusIngestMetrics metrics = PrometheusIngestMetrics.register(registry);

  private Double value(String name, String[] labels, String[] values) {
    return registry.getSampleValue(name, labels, values);
  }

  @Test
  void countsSpansAndBytesPerTenant() {
    metrics.received("single-tenant", 3, 300);
    metrics.received("single-tenant", 2, 120);
    metrics.received("other", 1, 10);
    metrics.received("single-tenant", 0, 0);

    String[] tenant = {"tenant"};
    assertThat(value("tempo_distributor_spans_received_total", tenant, new String[] {"single-tenant"})).isEqualTo(5.0);
    assertThat(value("tempo_distributor_bytes_received_total", tenant, new String[] {"single-tenant"})).isEqualTo(420.0);
    assertThat(value("tempo_distributor_spans_received_total", tenant, new String[] {"other"})).isEqualTo(1.0);
  }

  @Test
  void countsDiscardsByReasonLabel() {
    metrics.discarded("single-tenant", DiscardReason.INVALID_TRACE_ID, 2);
    metrics.discarded("single-tenant", DiscardReason.INVALID_TRACE_ID, 1);
    metrics.discarded("single-tenant", DiscardReason.INVALID_TIMESTAMPS, 4);

    String[] labels = {"reason", "tenant"};
    assertThat(value("tempo_discarded_spans_total", labels, new String[] {"invalid_trace_id", "single-tenant"}))
        .isEqualTo(3.0);
    assertThat(value("tempo_discarded_spans_total", labels, new String[] {"invalid_timestamps", "single-tenant"}))
        .isEqualTo(4.0);
  }

  @Test
  void exposesTempoNamesInTheTextFormat() throws Exception {
    metrics.received("single-tenant", 7, 700);
    StringWriter w = new StringWriter();
    TextFormat.write004(w, registry.metricFamilySamples());

    assertThat(w.toString())
        .contains("# TYPE tempo_distributor_spans_received_total counter")
        .contains("tempo_distributor_spans_received_total{tenant=\"single-tenant\",} 7.0")
        .contains("tempo_distributor_bytes_received_total{tenant=\"single-tenant\",} 700.0");
  }
}
