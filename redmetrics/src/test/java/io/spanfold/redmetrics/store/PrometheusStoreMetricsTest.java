package io.spanfold.redmetrics.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.CollectorRegistry;
import org.junit.jupiter.api.Test;

class PrometheusStoreMetricsTest {
  @Test
  void storeFiguresBecomeTempoGauges() {
    CollectorRegistry registry = new CollectorRegistry();
    PrometheusStoreMetrics m = PrometheusStoreMetrics.register(registry);
    m.stored("t1", 3, 4096, 100, 7);
    m.stored("t1", 2, 2048, 50, 4); // gauges follow the latest report
    m.blocksDeleted("t1", 2, false);
    m.blocksDeleted("t1", 1, true);
    m.blockQuarantined("t1");

    String[] live = {"tenant", "status"};
    assertThat(registry.getSampleValue("tempodb_backend_bytes_total", live, new String[] {"t1", "live"}))
        .isEqualTo(2048.0);
    assertThat(registry.getSampleValue("tempodb_backend_objects_total", live, new String[] {"t1", "live"}))
        .isEqualTo(4.0);
    assertThat(registry.getSampleValue("tempodb_blocklist_length", new String[] {"tenant"}, new String[] {"t1"}))
        .isEqualTo(2.0);
    String[] cause = {"tenant", "cause"};
    assertThat(registry.getSampleValue("spanfold_store_blocks_deleted_total", cause, new String[] {"t1", "retention"}))
        .isEqualTo(2.0);
    assertThat(registry.getSampleValue("spanfold_store_blocks_deleted_total", cause, new String[] {"t1", "max_bytes"}))
        .isEqualTo(1.0);
    assertThat(registry.getSampleValue("spanfold_store_blocks_quarantined_total", new String[] {"tenant"},
        new String[] {"t1"})).isEqualTo(1.0);
  }
}
