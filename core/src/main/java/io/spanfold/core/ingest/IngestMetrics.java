package io.spanfold.core.ingest;

/**
 * Self-metrics of ingest. Core knows no metrics library: adapters bind this to one (redmetrics binds it to
 * Prometheus simpleclient). Implementations must be thread-safe and cheap.
 */
public interface IngestMetrics {
  /** A batch reached ingest: {@code spans} spans decoded from {@code bytes} bytes. */
  void received(String tenant, int spans, long bytes);

  /** {@code spans} spans of a batch were dropped for {@code reason}. */
  void discarded(String tenant, DiscardReason reason, int spans);

  IngestMetrics NOOP =
      new IngestMetrics() {
        @Override
        public void received(String tenant, int spans, long bytes) {}

        @Override
        public void discarded(String tenant, DiscardReason reason, int spans) {}
      };
}
