package io.spanfold.redmetrics.histogram;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import org.HdrHistogram.WriterReaderPhaser;

/**
 * A histogram any number of threads record into concurrently, wait-free and without allocation, with consistent
 * snapshots.
 *
 * <p><b>Concurrency contract:</b> {@code record*} may be called from any thread at any time; writers never wait for
 * each other or for readers (each record is a handful of uncontended atomic adds inside a {@link
 * WriterReaderPhaser} critical section). {@link #snapshot} may be called from any thread; snapshots are serialised
 * among themselves. A snapshot swaps the active and the idle phase, waits until writers that started in the old
 * phase have finished (they are never blocked, only awaited), folds that phase into the running totals and copies
 * the totals out. It is therefore consistent: {@code count} equals the sum of the buckets and {@code sum} contains
 * exactly the recorded values counted. A record that races a snapshot shows up in that snapshot or the next.
 *
 * <p>Exemplars: each bucket keeps the latest exemplar. A writer that finds the bucket's exemplar slot being
 * written by another thread skips its exemplar (counts and sum are never skipped), so exemplars are never torn.
 */
public final class ConcurrentHistogram {
  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  private final BucketLayout layout;
  private final WriterReaderPhaser phaser = new WriterReaderPhaser();
  private volatile Phase active;
  private Phase idle; // guarded by the phaser's reader lock
  private final HistogramSnapshot totals; // guarded by the phaser's reader lock

  public ConcurrentHistogram(BucketLayout layout) {
    this.layout = layout;
    this.active = new Phase(layout.bucketCount());
    this.idle = new Phase(layout.bucketCount());
    this.totals = new HistogramSnapshot(layout);
  }

  public BucketLayout layout() {
    return layout;
  }

  /** Records one value (recorded units; negative values count as zero). */
  public void record(long value) {
    long v = Math.max(0, value);
    int i = layout.bucketIndex(v);
    long e = phaser.writerCriticalSectionEnter();
    try {
      Phase p = active;
      LONGS.getAndAdd(p.counts, i, 1L);
      LONGS.getAndAdd(p.counts, p.sumSlot, v);
    } finally {
      phaser.writerCriticalSectionExit(e);
    }
  }

  /** Records one value and offers it as its bucket's latest exemplar. */
  public void record(long value, long traceIdHigh, long traceIdLow, long timestampMillis) {
    long v = Math.max(0, value);
    int i = layout.bucketIndex(v);
    long e = phaser.writerCriticalSectionEnter();
    try {
      Phase p = active;
      LONGS.getAndAdd(p.counts, i, 1L);
      LONGS.getAndAdd(p.counts, p.sumSlot, v);
      long s = (long) LONGS.getOpaque(p.exStamp, i);
      // even stamp = slot free; odd = a writer is filling it. Losing the race just skips this exemplar.
      if ((s & 1) == 0 && LONGS.compareAndSet(p.exStamp, i, s, s + 1)) {
        p.exTraceHigh[i] = traceIdHigh;
        p.exTraceLow[i] = traceIdLow;
        p.exValue[i] = v;
        p.exTime[i] = timestampMillis;
        LONGS.setRelease(p.exStamp, i, s + 2);
      }
    } finally {
      phaser.writerCriticalSectionExit(e);
    }
  }

  /**
   * Copies the cumulative state (everything recorded since creation) into {@code into}, which must have been created
   * with this histogram's layout.
   */
  public void snapshot(HistogramSnapshot into) {
    phaser.readerLock();
    try {
      Phase old = active;
      active = idle;
      idle = old;
      phaser.flipPhase();
      // No writer is inside `old` any more: plain reads see everything they wrote.
      old.drainInto(totals);
      into.copyFrom(totals);
    } finally {
      phaser.readerUnlock();
    }
  }

  private static final class Phase {
    final long[] counts; // buckets, then the sum at sumSlot
    final int sumSlot;
    final long[] exStamp;
    final long[] exTraceHigh;
    final long[] exTraceLow;
    final long[] exValue;
    final long[] exTime;

    Phase(int buckets) {
      counts = new long[buckets + 1];
      sumSlot = buckets;
      exStamp = new long[buckets];
      exTraceHigh = new long[buckets];
      exTraceLow = new long[buckets];
      exValue = new long[buckets];
      exTime = new long[buckets];
      Arrays.fill(exTime, Long.MIN_VALUE);
    }

    void drainInto(HistogramSnapshot t) {
      for (int i = 0; i < sumSlot; i++) {
        long n = counts[i];
        if (n != 0) {
          t.addBucket(i, n);
          counts[i] = 0;
        }
        if (exTime[i] != Long.MIN_VALUE) {
          t.offerExemplar(i, exTraceHigh[i], exTraceLow[i], exValue[i], exTime[i]);
          exTime[i] = Long.MIN_VALUE;
        }
      }
      t.addSum(counts[sumSlot]);
      counts[sumSlot] = 0;
      // Publish the resets before writers return to this phase (they enter through the phaser's atomics).
      VarHandle.releaseFence();
    }
  }
}
