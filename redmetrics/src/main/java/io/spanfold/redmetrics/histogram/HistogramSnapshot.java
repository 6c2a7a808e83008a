package io.spanfold.redmetrics.histogram;

import java.util.Arrays;

/**
 * A histogram's state as plain arrays: per-bucket counts (not cumulative), total count, sum, and per bucket the
 * latest exemplar (trace id as two longs, value, timestamp). Reusable: recorders write into an instance the caller
 * keeps, so taking a snapshot allocates nothing.
 *
 * <p>Invariant: {@link #count()} always equals the sum of {@link #bucketCount(int)} over all buckets.
 *
 * <p>Not thread-safe; owned by whoever reads it.
 */
public final class HistogramSnapshot {
  private final BucketLayout layout;
  private final long[] counts;
  private long count;
  private long sum;
  private final long[] exTraceHigh;
  private final long[] exTraceLow;
  private final long[] exValue;
  /** Exemplar timestamp in epoch millis; {@code Long.MIN_VALUE} when the bucket has no exemplar. */
  private final long[] exTime;

  public HistogramSnapshot(BucketLayout layout) {
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

  public int bucketCount() {
    return counts.length;
  }

  /** Count of bucket {@code i} alone. */
  public long bucketCount(int i) {
    return counts[i];
  }

  /** Count of buckets {@code 0..i} (Prometheus' {@code le} bucket value). */
  public long cumulativeCount(int i) {
    long c = 0;
    for (int k = 0; k <= i; k++) {
      c += counts[k];
    }
    return c;
  }

  /** Upper bound of bucket {@code i} in exposed units. */
  public double upperBound(int i) {
    return layout.upperBound(i);
  }

  public long count() {
    return count;
  }

  /** Sum of recorded values in recorded units (exact). */
  public long sumUnits() {
    return sum;
  }

  /** Sum in exposed units. */
  public double sum() {
    return layout.toExposed(sum);
  }

  public boolean hasExemplar(int i) {
    return exTime[i] != Long.MIN_VALUE;
  }

  public long exemplarTraceIdHigh(int i) {
    return exTraceHigh[i];
  }

  public long exemplarTraceIdLow(int i) {
    return exTraceLow[i];
  }

  /** Exemplar value in recorded units. */
  public long exemplarValueUnits(int i) {
    return exValue[i];
  }

  /** Exemplar value in exposed units. */
  public double exemplarValue(int i) {
    return layout.toExposed(exValue[i]);
  }

  public long exemplarTimestampMillis(int i) {
    return exTime[i];
  }

  /** Resets counts, sum and exemplars. */
  public void clear() {
    Arrays.fill(counts, 0);
    count = 0;
    sum = 0;
    Arrays.fill(exTime, Long.MIN_VALUE);
  }

  /** Copies {@code other} into this snapshot (same layout required). */
  public void copyFrom(HistogramSnapshot other) {
    checkLayout(other);
    System.arraycopy(other.counts, 0, counts, 0, counts.length);
    count = other.count;
    sum = other.sum;
    System.arraycopy(other.exTraceHigh, 0, exTraceHigh, 0, counts.length);
    System.arraycopy(other.exTraceLow, 0, exTraceLow, 0, counts.length);
    System.arraycopy(other.exValue, 0, exValue, 0, counts.length);
    System.arraycopy(other.exTime, 0, exTime, 0, counts.length);
  }

  /** Adds {@code other}'s counts and sum; per bucket the newer exemplar wins. Same layout required. */
  public void add(HistogramSnapshot other) {
    checkLayout(other);
    long c = 0;
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
      c += other.counts[i];
      offerExemplar(i, other.exTraceHigh[i], other.exTraceLow[i], other.exValue[i], other.exTime[i]);
    }
    count += c;
    sum += other.sum;
  }

  // ---- package-private writers used by the recorders

  void addBucket(int i, long n) {
    counts[i] += n;
    count += n;
  }

  void addSum(long units) {
    sum += units;
  }

  void offerExemplar(int i, long traceHigh, long traceLow, long valueUnits, long timeMillis) {
    if (timeMillis != Long.MIN_VALUE && timeMillis >= exTime[i]) {
      exTraceHigh[i] = traceHigh;
      exTraceLow[i] = traceLow;
      exValue[i] = valueUnits;
      exTime[i] = timeMillis;
    }
  }

  private void checkLayout(HistogramSnapshot other) {
    if (other.layout != layout) {
      throw new IllegalArgumentException("snapshots of different layouts: " + layout + " vs " + other.layout);
    }
  }

  @Override
  public String toString() {
    return "HistogramSnapshot{count=" + count + ", sum=" + sum + ", counts=" + Arrays.toString(counts) + "}";
  }
}
