package io.spanfold.core.store.internal;

import io.spanfold.core.store.BlockInfo;
import io.spanfold.core.store.BlockState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Internal, unstable. A block of the store, reference counted: the blocklist holds one reference and every reader
 * takes one for the duration of its read, so a block removed by retention or replaced after completion is closed (and
 * its files deleted or renamed) only after the last reader released it.
 */
public abstract class Block {
  /** What to do with the block's files once the last reference is released. */
  public enum Disposal {
    KEEP,
    DELETE_DIRECTORY,
    DELETE_WAL,
    QUARANTINE
  }

  protected final String tenant;
  protected final long id;
  protected final Path dir;
  private final AtomicInteger refs = new AtomicInteger(1);
  private volatile Disposal disposal = Disposal.KEEP;

  protected Block(String tenant, long id, Path dir) {
    this.tenant = tenant;
    this.id = id;
    this.dir = dir;
  }

  public final long id() {
    return id;
  }

  public final Path dir() {
    return dir;
  }

  /** Takes a reference; false when the block is already freed. */
  public final boolean acquire() {
    while (true) {
      int r = refs.get();
      if (r <= 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  public final void release() {
    if (refs.decrementAndGet() == 0) {
      BlockFiles.dispose(this, disposal);
    }
  }

  /** Drops the blocklist's reference, arranging for {@code d} once no reader holds the block. */
  public final void retire(Disposal d) {
    this.disposal = d;
    release();
  }

  public abstract BlockState state();

  public abstract long minTimeNanos();

  public abstract long maxTimeNanos();

  public abstract long spanCount();

  public abstract long traceCount();

  public abstract long bytes();

  /** Adds the trace's spans held by this block to {@code into}. The caller holds a reference. */
  public abstract void collect(long high, long low, TraceAssembler into) throws IOException;

  /** Releases file handles and mappings; called once, after the last reference is gone. */
  protected abstract void closeResources();

  public final BlockInfo info() {
    return new BlockInfo(tenant, id, state(), minTimeNanos(), maxTimeNanos(), spanCount(), traceCount(), bytes());
  }

  public final boolean overlaps(long fromNanos, long toNanos) {
    if (spanCount() == 0) {
      return false;
    }
    return (fromNanos == 0 || maxTimeNanos() >= fromNanos) && (toNanos == 0 || minTimeNanos() <= toNanos);
  }
}
