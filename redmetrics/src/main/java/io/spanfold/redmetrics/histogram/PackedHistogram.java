package io.spanfold.redmetrics.histogram;

/**
 * The layout of single-writer histograms with exemplars packed into a caller's {@code long[]}, one after another: a
 * writer that keeps thousands of histograms (one per series) in one array touches one or two cache lines per record
 * instead of chasing a recorder object and its five arrays.
 *
 * <p>From {@code base}: {@code sum, count}, then per bucket {@code count, exemplarTimeMillis, exemplarTraceHigh,
 * exemplarTraceLow, exemplarValue} ({@link #stride()} longs in all). Semantics are those of {@link
 * HistogramRecorder}: values below zero record as zero, a bucket's exemplar is the latest by timestamp (ties go to
 * the later record), and {@link #drainInto} adds everything into a {@link HistogramSnapshot} and resets.
 *
 * <p><b>Concurrency:</b> none; the owner serialises writers and drains, as for {@link HistogramRecorder}.
 */
public final class PackedHistogram {
  private static final int SUM = 0;
  private static final int COUNT = 1;
  private static final int BUCKETS = 2;
  private static final int PER_BUCKET = 5;
  private static final int EX_TIME = 1;
  private static final int EX_HIGH = 2;
  private static final int EX_LOW = 3;
  private static final int EX_VALUE = 4;

  private final BucketLayout layout;
  private final int buckets;
  private final int stride;

  public PackedHistogram(BucketLayout layout) {
    this.layout = layout;
    this.buckets = layout.bucketCount();
    this.stride = BUCKETS + PER_BUCKET * buckets;
  }

  public BucketLayout layout() {
    return layout;
  }

  /** Longs one histogram occupies. */
  public int stride() {
    return stride;
  }

  /** Makes {@code data[base .. base + stride())} an empty histogram. */
  public void clear(long[] data, int base) {
    data[base + SUM] = 0;
    data[base + COUNT] = 0;
    for (int i = 0, b = base + BUCKETS; i < buckets; i++, b += PER_BUCKET) {
      data[b] = 0;
      data[b + EX_TIME] = Long.MIN_VALUE;
      data[b + EX_HIGH] = 0;
      data[b + EX_LOW] = 0;
      data[b + EX_VALUE] = 0;
    }
  }

  /** Records one value (recorded units) and makes it the latest exemplar of its bucket when not older. */
  public void record(long[] data, int base, long value, long traceIdHigh, long traceIdLow, long timestampMillis) {
    long v = Math.max(0, value);
    recordInBucket(data, base, layout.bucketIndex(v), v, traceIdHigh, traceIdLow, timestampMillis);
  }

  /** The bucket {@link #record} puts a value in (values below zero count as zero). */
  public int bucketIndex(long value) {
    return layout.bucketIndex(Math.max(0, value));
  }

  /**
   * Index in {@code data} of the count of bucket {@code bucket} of the histogram at {@code base}: a caller that
   * looks ahead may read it to bring the bucket's cache line in before {@link #recordInBucket}.
   */
  public int bucketSlot(int base, int bucket) {
    return base + BUCKETS + PER_BUCKET * bucket;
  }

  /**
   * {@link #record} with the bucket already known.
   *
   * @param bucket {@link #bucketIndex}{@code (value)}
   * @param value the value, already {@code >= 0}
   */
  public void recordInBucket(
      long[] data, int base, int bucket, long value, long traceIdHigh, long traceIdLow, long timestampMillis) {
    int b = base + BUCKETS + PER_BUCKET * bucket;
    data[base + SUM] += value;
    data[base + COUNT]++;
    data[b]++;
    if (timestampMillis >= data[b + EX_TIME]) {
      data[b + EX_TIME] = timestampMillis;
      data[b + EX_HIGH] = traceIdHigh;
      data[b + EX_LOW] = traceIdLow;
      data[b + EX_VALUE] = value;
    }
  }

  /** True when nothing was recorded since the last drain or clear. */
  public boolean isEmpty(long[] data, int base) {
    return data[base + COUNT] == 0;
  }

  /** Values recorded since the last drain or clear. */
  public long count(long[] data, int base) {
    return data[base + COUNT];
  }

  /** Adds everything recorded since the last drain into {@code target} and resets the histogram at {@code base}. */
  public void drainInto(long[] data, int base, HistogramSnapshot target) {
    if (target.layout() != layout) {
      throw new IllegalArgumentException("target has another layout: " + target.layout());
    }
    if (data[base + COUNT] == 0) {
      return;
    }
    for (int i = 0, b = base + BUCKETS; i < buckets; i++, b += PER_BUCKET) {
      long n = data[b];
      if (n != 0) {
        target.addBucket(i, n);
        data[b] = 0;
      }
      if (data[b + EX_TIME] != Long.MIN_VALUE) {
        target.offerExemplar(i, data[b + EX_HIGH], data[b + EX_LOW], data[b + EX_VALUE], data[b + EX_TIME]);
        data[b + EX_TIME] = Long.MIN_VALUE;
      }
    }
    target.addSum(data[base + SUM]);
    data[base + SUM] = 0;
    data[base + COUNT] = 0;
  }
}
