package io.spanfold.redmetrics.histogram;

import java.util.Arrays;

/**
 * A single-writer histogram: plain fields, no atomics, no allocation per record.
 *
 * <p><b>Concurrency contract:</b> one thread at a time calls {@code record*} and {@link #drainInto}; the owner
 * provides that mutual exclusion and the memory visibility between successive owners (for example: a lock held
 * around a whole ingest batch, and the same lock held while the collector drains). Use {@link ConcurrentHistogram}
 * when writers cannot be serialised.
 *
 * <p>Values below zero are recorded as zero (Tempo treats negative span durations as zero).
 */
public final class HistogramRecorder {
  private final BucketLayout layout;
  private final long[] counts;
  private long sum;
  private boolean dirty;
  private final long[] exTraceHigh;
  private final long[] exTraceLow;
  private final long[] exValue;
  private final long[] exTime;

  public HistogramRecorder(BucketLayout layout) {
    this.layout = layout;
    int n = layout.bucketCount();
    counts = new long[n];
    exTraceHigh = new long[n];
    exTraceLow = new long[n];
    exValue = new long[n];
    exTime = new long[n];
    Arrays.fill(exTime, Long.MIN_VALUE);
  }

  public BucketLayout layout() {
    return layout;
  }

  /** Records one value (recorded units). */
  public void record(long value) {
    long v = Math.max(0, value);
    counts[layout.bucketIndex(v)]++;
    sum += v;
    dirty = true;
  }

  /**
   * Records one value and makes it the latest exemplar of its bucket.
   *
   * @param timestampMillis epoch millis of the exemplar (for spans: the end time)
   */
  public void record(long value, long traceIdHigh, long traceIdLow, long timestampMillis) {
    long v = Math.max(0, value);
    int i = layout.bucketIndex(v);
    counts[i]++;
    sum += v;
    dirty = true;
    if (timestampMillis >= exTime[i]) {
      exTraceHigh[i] = traceIdHigh;
      exTraceLow[i] = traceIdLow;
      exValue[i] = v;
      exTime[i] = timestampMillis;
    }
  }

  /** True when nothing was recorded since the last drain. */
  public boolean isEmpty() {
    return !dirty;
  }

  /** Total count recorded since the last drain. */
  public long count() {
    long c = 0;
    for (long n : counts) {
      c += n;
    }
    return c;
  }

  /**
   * Adds everything recorded since the last drain into {@code target} (counts, sum, newer exemplars) and resets
   * this recorder. Same thread / lock as the writers.
   */
  public void drainInto(HistogramSnapshot target) {
    if (target.layout() != layout) {
      throw new IllegalArgumentException("target has another layout: " + target.layout());
    }
    if (!dirty) {
      return;
    }
    for (int i = 0; i < counts.length; i++) {
      long n = counts[i];
      if (n != 0) {
        target.addBucket(i, n);
        counts[i] = 0;
      }
      if (exTime[i] != Long.MIN_VALUE) {
        target.offerExemplar(i, exTraceHigh[i], exTraceLow[i], exValue[i], exTime[i]);
        exTime[i] = Long.MIN_VALUE;
      }
    }
    target.addSum(sum);
    sum = 0;
    dirty = false;
  }
}
