package io.spanfold.redmetrics.servicegraph;

import io.prometheus.client.Collector;
import io.spanfold.core.graph.ServiceGraphBuilder;
import io.spanfold.core.graph.ServiceGraphStats;
import java.util.List;

/**
 * The edge store's own metrics with Tempo's names: {@code tempo_metrics_generator_processor_service_graphs_edges},
 * {@code _expired_edges}, {@code _dropped_spans} (by {@code tenant}; exact Tempo names, untyped, see {@link
 * #tempoCounter}), plus spanfold gauges {@code
 * spanfold_service_graph_pending_edges} and {@code spanfold_service_graph_store_capacity} and the counter {@code
 * spanfold_service_graph_series_overflowed}.
 *
 * <p>Collecting also runs the builder's expiry, so edges expire on schedule even when no spans arrive (a scrape
 * every 15 s complements the sweep on ingest).
 */
public final class ServiceGraphSelfCollector extends Collector {
  static final String PREFIX = "tempo_metrics_generator_processor_service_graphs_";
  private final ServiceGraphBuilder graph;
  private final List<String> tenant;
  private final ServiceGraphMetrics metrics;

  ServiceGraphSelfCollector(ServiceGraphBuilder graph, String tenant, ServiceGraphMetrics metrics) {
    this.graph = graph;
    this.tenant = List.of(tenant);
    this.metrics = metrics;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    graph.expire();
    ServiceGraphStats s = graph.stats();
    List<String> t = List.of("tenant");
    return List.of(
        tempoCounter(PREFIX + "edges", "Total number of unique edges", t, s.edgesCreated()),
        tempoCounter(PREFIX + "expired_edges", "Number of edges that expired before finding its matching span", t,
            s.expiredEdges()),
        tempoCounter(PREFIX + "dropped_spans", "Number of spans dropped when trying to add edges", t,
            s.droppedSpans()),
        gauge("spanfold_service_graph_pending_edges", "Half edges waiting for their other span", t,
            s.pendingEdges()),
        gauge("spanfold_service_graph_store_capacity", "Bound of the edge store (max_items)", t, s.capacity()),
        counter("spanfold_service_graph_series_overflowed", "Edges not counted because max_active_series was reached",
            t, metrics.seriesOverflowed()),
        counter("spanfold_service_graph_series_removed", "Service-graph series dropped after stale_duration without "
            + "updates", t, metrics.seriesRemoved()));
  }

  private MetricFamilySamples counter(String name, String help, List<String> names, double v) {
    return new MetricFamilySamples(name, Type.COUNTER, help,
        List.of(new MetricFamilySamples.Sample(name + "_total", names, tenant, v)));
  }

  /**
   * Tempo declares these Go counters without a {@code _total} suffix, so dashboards query the bare name; simpleclient
   * and OpenMetrics insist on {@code _total} for counters, so they are exposed untyped under Tempo's exact name.
   */
  private MetricFamilySamples tempoCounter(String name, String help, List<String> names, double v) {
    return new MetricFamilySamples(name, Type.UNKNOWN, help,
        List.of(new MetricFamilySamples.Sample(name, names, tenant, v)));
  }

  private MetricFamilySamples gauge(String name, String help, List<String> names, double v) {
    return new MetricFamilySamples(name, Type.GAUGE, help,
        List.of(new MetricFamilySamples.Sample(name, names, tenant, v)));
  }
}
