package io.spanfold.core.store;

/** When the head block's span log is forced to disk. Appends are always in the span log before they are acknowledged. */
public enum FsyncPolicy {
  /** Never forced explicitly: survives a process crash, not a power loss (the OS writes back when it likes). */
  NONE,
  /** Forced by a background task every {@link SpanStore.Builder#fsyncInterval} (default 1 s): bounded loss. */
  INTERVAL,
  /** Forced before {@code accept} returns: nothing acknowledged is lost, at the cost of one fsync per batch. */
  EVERY_BATCH
}
