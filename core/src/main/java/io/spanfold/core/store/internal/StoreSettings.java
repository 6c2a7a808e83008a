package io.spanfold.core.store.internal;

import io.spanfold.core.store.FsyncPolicy;
import io.spanfold.core.store.RecoveryListener;
import io.spanfold.core.store.StoreMetrics;
import java.util.function.LongSupplier;

/** Internal, unstable. The validated settings of a store, as the builder produced them. */
public final class StoreSettings {
  /** Default head cut by trace count (see {@code SpanStore.Builder#maxBlockTraces}). */
  public static final int DEFAULT_MAX_BLOCK_TRACES = 500_000;

  public final long retentionNanos;
  public final long maxBytes;
  public final long blockDurationNanos;
  public final long maxBlockBytes;
  public final int maxBlockSpans;
  public final int maxBlockTraces;
  public final FsyncPolicy fsync;
  public final long slackNanos;
  public final LongSupplier clock;
  public final StoreMetrics metrics;
  public final RecoveryListener recovery;
  public final long recoveryProgressNanos;

  public StoreSettings(
      long retentionNanos, long maxBytes, long blockDurationNanos, long maxBlockBytes, int maxBlockSpans,
      FsyncPolicy fsync, long slackNanos, LongSupplier clock, StoreMetrics metrics) {
    this.retentionNanos = retentionNanos;
    this.maxBytes = maxBytes;
    this.blockDurationNanos = blockDurationNanos;
    this.maxBlockBytes = maxBlockBytes;
    this.maxBlockSpans = maxBlockSpans;
    this.maxBlockTraces = DEFAULT_MAX_BLOCK_TRACES;
    this.fsync = fsync;
    this.slackNanos = slackNanos;
    this.clock = clock;
    this.metrics = metrics;
    this.recovery = RecoveryListener.NOOP;
    this.recoveryProgressNanos = 2_000_000_000L;
  }

  /** As above, with a listener told about head-block recovery at most every {@code recoveryProgressNanos}. */
  public StoreSettings(
      long retentionNanos, long maxBytes, long blockDurationNanos, long maxBlockBytes, int maxBlockSpans,
      FsyncPolicy fsync, long slackNanos, LongSupplier clock, StoreMetrics metrics, RecoveryListener recovery,
      long recoveryProgressNanos) {
    this(retentionNanos, maxBytes, blockDurationNanos, maxBlockBytes, maxBlockSpans, DEFAULT_MAX_BLOCK_TRACES, fsync,
        slackNanos, clock, metrics, recovery, recoveryProgressNanos);
  }

  /** As above, with the head block also cut by its trace count. */
  public StoreSettings(
      long retentionNanos, long maxBytes, long blockDurationNanos, long maxBlockBytes, int maxBlockSpans,
      int maxBlockTraces, FsyncPolicy fsync, long slackNanos, LongSupplier clock, StoreMetrics metrics,
      RecoveryListener recovery, long recoveryProgressNanos) {
    this.retentionNanos = retentionNanos;
    this.maxBytes = maxBytes;
    this.blockDurationNanos = blockDurationNanos;
    this.maxBlockBytes = maxBlockBytes;
    this.maxBlockSpans = maxBlockSpans;
    this.maxBlockTraces = maxBlockTraces;
    this.fsync = fsync;
    this.slackNanos = slackNanos;
    this.clock = clock;
    this.metrics = metrics;
    this.recovery = recovery;
    this.recoveryProgressNanos = recoveryProgressNanos;
  }
}
