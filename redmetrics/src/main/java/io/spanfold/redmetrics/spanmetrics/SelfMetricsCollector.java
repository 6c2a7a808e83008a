package io.spanfold.redmetrics.spanmetrics;

import io.prometheus.client.Collector;
import java.util.List;

/** {@code tempo_metrics_generator_*} self-metrics of a {@link SpanMetrics}, with Tempo's names and labels. */
final class SelfMetricsCollector extends Collector {
  private final SpanMetrics metrics;

  SelfMetricsCollector(SpanMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    long[] c = metrics.counters();
    List<String> tenant = List.of("tenant");
    List<String> t = List.of(metrics.tenant());
    return List.of(
        counter("tempo_metrics_generator_spans_received", "The total number of spans received per tenant", tenant, t,
            c[0]),
        counter(
            "tempo_metrics_generator_spans_discarded",
            "The total number of discarded spans received per tenant",
            List.of("tenant", "reason"),
            List.of(metrics.tenant(), "outside_metrics_ingestion_slack"),
            c[1]),
        new MetricFamilySamples(
            "tempo_metrics_generator_registry_active_series",
            Type.GAUGE,
            "The active series per tenant",
            List.of(new MetricFamilySamples.Sample(
                "tempo_metrics_generator_registry_active_series", tenant, t, metrics.activeSeries()))),
        counter("tempo_metrics_generator_registry_series_added", "The total amount of series created per tenant",
            tenant, t, metrics.seriesAdded()),
        counter("tempo_metrics_generator_registry_series_removed", "The total amount of series removed after they "
            + "have become stale per tenant", tenant, t, metrics.seriesRemoved()),
        counter("tempo_metrics_generator_registry_series_limited", "The total amount of series not created because "
            + "of limits per tenant", tenant, t, c[2]));
  }

  private static MetricFamilySamples counter(
      String name, String help, List<String> names, List<String> values, double v) {
    return new MetricFamilySamples(
        name, Type.COUNTER, help, List.of(new MetricFamilySamples.Sample(name + "_total", names, values, v)));
  }
}
