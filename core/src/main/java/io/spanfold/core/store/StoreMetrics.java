package io.spanfold.core.store;

/**
 * Self-metrics of the {@link SpanStore}, kept free of any metrics library: an adapter binds them (for example to
 * Tempo's {@code tempodb_backend_bytes_total}, {@code tempodb_backend_objects_total}, {@code tempodb_blocklist_length}).
 * Methods are called from the store's background threads and must not block.
 */
public interface StoreMetrics {
  /** Does nothing. */
  StoreMetrics NOOP = new StoreMetrics() {};

  /**
   * The tenant's current figures, reported after every blocklist change and on each maintenance tick.
   *
   * @param blocks blocklist length (head and completing blocks included)
   * @param bytes bytes on disk of all its blocks
   * @param spans spans stored
   * @param traces traces stored (a trace spread over several blocks counts once per block, as Tempo counts objects)
   */
  default void stored(String tenant, int blocks, long bytes, long spans, long traces) {}

  /** A head block was completed. */
  default void blockCompleted(String tenant, long spans, long bytes, long durationNanos) {}

  /** Blocks were deleted by retention ({@code byBytesCap} false) or by the byte cap. */
  default void blocksDeleted(String tenant, int count, boolean byBytesCap) {}

  /** A corrupt block was renamed aside and is no longer served. */
  default void blockQuarantined(String tenant) {}
}
