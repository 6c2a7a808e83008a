package io.spanfold.redmetrics.ingest;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.spanfold.core.ingest.DiscardReason;
import io.spanfold.core.ingest.IngestMetrics;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ingest self-metrics as Prometheus counters with Tempo's distributor names, so Tempo's operational dashboards work:
 *
 * <ul>
 *   <li>{@code tempo_distributor_spans_received_total{tenant}} — spans decoded from accepted requests;
 *   <li>{@code tempo_distributor_bytes_received_total{tenant}} — their request bytes (after decompression);
 *   <li>{@code tempo_discarded_spans_total{reason,tenant}} — spans dropped, by {@link DiscardReason#label()};
 *   <li>{@code spanfold_ingest_requests_rejected_total{reason,tenant}} — whole requests refused before decoding;
 *   <li>{@code tempo_distributor_attributes_truncated_total{tenant,scope}} — attribute values cut to the limit.
 * </ul>
 *
 * <p>Thread-safe. The labelled children are cached per tenant so that a call does no label-list lookup.
 */
public final class PrometheusIngestMetrics implements IngestMetrics {
  private final Counter spansReceived;
  private final Counter bytesReceived;
  private final Counter discarded;
  private final Counter requestsRejected;
  private final Counter attributesTruncated;
  private final ConcurrentHashMap<String, TenantCounters> tenants = new ConcurrentHashMap<>();

  private PrometheusIngestMetrics(CollectorRegistry registry) {
    spansReceived = Counter.build()
        .name("tempo_distributor_spans_received_total")
        .help("The total number of spans received per tenant")
        .labelNames("tenant")
        .register(registry);
    bytesReceived = Counter.build()
        .name("tempo_distributor_bytes_received_total")
        .help("The total number of proto bytes received per tenant")
        .labelNames("tenant")
        .register(registry);
    discarded = Counter.build()
        .name("tempo_discarded_spans_total")
        .help("The total number of samples that were discarded")
        .labelNames("reason", "tenant")
        .register(registry);
    requestsRejected = Counter.build()
        .name("spanfold_ingest_requests_rejected_total")
        .help("Requests refused before their spans were read"
            + " (memory_budget, rate_limited, unauthenticated, no_org_id, invalid_tenant)")
        .labelNames("reason", "tenant")
        .register(registry);
    attributesTruncated = Counter.build()
        .name("tempo_distributor_attributes_truncated_total")
        .help("The total number of attribute keys or values truncated per tenant and scope")
        .labelNames("tenant", "scope")
        .register(registry);
  }

  @Override
  public void requestRejected(String tenant, String reason, long bytes) {
    requestsRejected.labels(reason, tenant).inc();
  }

  @Override
  public void attributesTruncated(String tenant, String scope, int count) {
    if (count > 0) {
      attributesTruncated.labels(tenant, scope).inc(count);
    }
  }

  /** Creates the counters and registers them in {@code registry}. */
  public static PrometheusIngestMetrics register(CollectorRegistry registry) {
    return new PrometheusIngestMetrics(Objects.requireNonNull(registry, "registry"));
  }

  @Override
  public void received(String tenant, int spans, long bytes) {
    TenantCounters t = tenant(tenant);
    if (spans > 0) {
      t.spans.inc(spans);
    }
    if (bytes > 0) {
      t.bytes.inc(bytes);
    }
  }

  @Override
  public void discarded(String tenant, DiscardReason reason, int spans) {
    if (spans > 0) {
      tenant(tenant).discarded[reason.ordinal()].inc(spans);
    }
  }

  private TenantCounters tenant(String tenant) {
    TenantCounters t = tenants.get(tenant);
    return t != null ? t : tenants.computeIfAbsent(tenant, TenantCounters::new);
  }

  private final class TenantCounters {
    final Counter.Child spans;
    final Counter.Child bytes;
    final Counter.Child[] discarded;

    TenantCounters(String tenant) {
      spans = spansReceived.labels(tenant);
      bytes = bytesReceived.labels(tenant);
      DiscardReason[] reasons = DiscardReason.values();
      discarded = new Counter.Child[reasons.length];
      for (DiscardReason r : reasons) {
        discarded[r.ordinal()] = PrometheusIngestMetrics.this.discarded.labels(r.label(), tenant);
      }
    }
  }
}
