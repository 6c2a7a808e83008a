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

  /**
   * A whole request was refused before its spans were read, for {@code reason} (e.g. {@code memory_budget},
   * {@code rate_limited}, {@code unauthenticated}); {@code bytes} is its body size when known. Default: ignored.
   */
  default void requestRejected(String tenant, String reason, long bytes) {}

  /**
   * {@code count} attribute values in {@code scope} ({@code resource}, {@code scope}, {@code span}, {@code event},
   * {@code link}) were truncated to the attribute size limit. Default: ignored.
   */
  default void attributesTruncated(String tenant, String scope, int count) {}

  IngestMetrics NOOP =
      new IngestMetrics() {
        @Override
        public void received(String tenant, int spans, long bytes) {}

        @Override
        public void discarded(String tenant, DiscardReason reason, int spans) {}
      };
}
