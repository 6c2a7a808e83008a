package io.spanfold.core.store.internal;

import io.spanfold.core.store.FsyncPolicy;
import io.spanfold.core.store.RecoveryListener;
import io.spanfold.core.store.StoreMetrics;
import java.util.function.LongSupplier;

/** Internal, unstable. The validated settings of a store, as the builder produced them. */
public final class StoreSettings {
  public final long retentionNanos;
  public final long maxBytes;
  public final long blockDurationNanos;
  public final long maxBlockBytes;
  public final int maxBlockSpans;
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
    this.retentionNanos = retentionNanos;
    this.maxBytes = maxBytes;
    this.blockDurationNanos = blockDurationNanos;
    this.maxBlockBytes = maxBlockBytes;
    this.maxBlockSpans = maxBlockSpans;
    this.fsync = fsync;
    this.slackNanos = slackNanos;
    this.clock = clock;
    this.metrics = metrics;
    this.recovery = recovery;
    this.recoveryProgressNanos = recoveryProgressNanos;
  }
}
