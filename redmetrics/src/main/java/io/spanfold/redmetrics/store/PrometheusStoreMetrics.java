package io.spanfold.redmetrics.store;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.spanfold.core.store.StoreMetrics;

/**
 * Binds the span store's {@link StoreMetrics} to Tempo's storage series, so Tempo's operational dashboards read them
 * unchanged. As in Tempo, {@code tempodb_backend_bytes_total} and {@code tempodb_backend_objects_total} are gauges
 * despite their suffix; {@code status} is always {@code live} here (spanfold has no separate compacted state).
 */
public final class PrometheusStoreMetrics implements StoreMetrics {
  private final Gauge bytes;
  private final Gauge objects;
  private final Gauge blocklist;
  private final Counter blocksDeleted;
  private final Counter blocksCompleted;
  private final Counter quarantined;

  private PrometheusStoreMetrics(CollectorRegistry registry) {
    bytes = Gauge.build("tempodb_backend_bytes_total", "Total bytes stored in the backend per tenant and status.")
        .labelNames("tenant", "status").register(registry);
    objects = Gauge.build("tempodb_backend_objects_total", "Total traces stored in the backend per tenant and status.")
        .labelNames("tenant", "status").register(registry);
    blocklist = Gauge.build("tempodb_blocklist_length", "Number of blocks per tenant.")
        .labelNames("tenant").register(registry);
    blocksDeleted = Counter.build("spanfold_store_blocks_deleted_total",
            "Blocks deleted, by cause: retention or the byte cap.")
        .labelNames("tenant", "cause").register(registry);
    blocksCompleted = Counter.build("tempo_ingester_blocks_flushed_total", "Head blocks completed (flushed).")
        .labelNames("tenant").register(registry);
    quarantined = Counter.build("spanfold_store_blocks_quarantined_total",
            "Corrupt blocks renamed aside and no longer served.")
        .labelNames("tenant").register(registry);
  }

  /** Creates the series in {@code registry} and returns the binding to pass to {@code SpanStore.Builder#metrics}. */
  public static PrometheusStoreMetrics register(CollectorRegistry registry) {
    return new PrometheusStoreMetrics(registry);
  }

  @Override
  public void stored(String tenant, int blocks, long storedBytes, long spans, long traces) {
    bytes.labels(tenant, "live").set(storedBytes);
    objects.labels(tenant, "live").set(traces);
    blocklist.labels(tenant).set(blocks);
  }

  @Override
  public void blockCompleted(String tenant, long spans, long blockBytes, long durationNanos) {
    blocksCompleted.labels(tenant).inc();
  }

  @Override
  public void blocksDeleted(String tenant, int count, boolean byBytesCap) {
    blocksDeleted.labels(tenant, byBytesCap ? "max_bytes" : "retention").inc(count);
  }

  @Override
  public void blockQuarantined(String tenant) {
    quarantined.labels(tenant).inc();
  }
}
