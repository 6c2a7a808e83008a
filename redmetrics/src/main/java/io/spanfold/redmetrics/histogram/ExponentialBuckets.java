package io.spanfold.redmetrics.histogram;

/**
 * Base-2 exponential buckets with Prometheus native-histogram indexing: for schema {@code s} the growth factor is
 * {@code 2^(2^-s)} and bucket index {@code i} covers {@code (base^(i-1), base^i]} in exposed units.
 *
 * <p>To record without allocation or locks the index range is fixed up front from {@code [minValue, maxValue]}:
 * bucket 0 is the zero bucket (values {@code <= zeroThreshold()}, which is the lower edge of the first
 * exponential bucket), buckets {@code 1..n} are the exponential ones and the last bucket ({@code +Inf}) takes values
 * above {@code maxValue}'s bucket. {@link #nativeIndex(int)} gives the native index of an exponential bucket, for
 * expositions that speak native histograms (remote write {@code Histogram} spans).
 */
public final class ExponentialBuckets extends BucketLayout {
  /** Smallest and largest schema Prometheus accepts. */
  public static final int MIN_SCHEMA = -4;

  public static final int MAX_SCHEMA = 8;

  private final int schema;
  private final int minIndex;
  private final int maxIndex;
  private final double[] fracBounds; // schema > 0 only: 2^(j/2^s - 1)
  private final double[] upper; // exposed upper bounds per bucket
  private final double zeroThreshold;

  private ExponentialBuckets(int schema, double minValue, double maxValue, double unitsPerExposedUnit) {
    super(unitsPerExposedUnit);
    if (schema < MIN_SCHEMA || schema > MAX_SCHEMA) {
      throw new IllegalArgumentException("schema must be in [-4, 8]: " + schema);
    }
    if (!(minValue > 0) || !(maxValue > minValue) || Double.isInfinite(maxValue)) {
      throw new IllegalArgumentException("need 0 < minValue < maxValue < Inf: " + minValue + ", " + maxValue);
    }
    this.schema = schema;
    if (schema > 0) {
      int n = 1 << schema;
      fracBounds = new double[n];
      for (int j = 0; j < n; j++) {
        fracBounds[j] = Math.pow(2, (double) j / n - 1);
      }
    } else {
      fracBounds = null;
    }
    this.minIndex = index(minValue);
    this.maxIndex = index(maxValue);
    int n = maxIndex - minIndex + 1;
    if (n > 1 << 16) {
      throw new IllegalArgumentException("too many buckets (" + n + "): lower the schema or narrow the range");
    }
    upper = new double[n + 2];
    this.zeroThreshold = bound(minIndex - 1);
    upper[0] = zeroThreshold;
    for (int k = 1; k <= n; k++) {
      upper[k] = bound(minIndex + k - 1);
    }
    upper[n + 1] = Double.POSITIVE_INFINITY;
  }

  /**
   * Exponential buckets over seconds, recording nanoseconds.
   *
   * @param schema -4..8 (resolution: 8 gives factor 1.0027, 3 gives 1.09, 0 gives 2)
   */
  public static ExponentialBuckets seconds(int schema, double minSeconds, double maxSeconds) {
    return new ExponentialBuckets(schema, minSeconds, maxSeconds, 1e9);
  }

  /** Exponential buckets over {@code [minValue, maxValue]} exposed units. */
  public static ExponentialBuckets of(int schema, double minValue, double maxValue, double unitsPerExposedUnit) {
    return new ExponentialBuckets(schema, minValue, maxValue, unitsPerExposedUnit);
  }

  private double bound(int index) {
    return Math.pow(2, Math.scalb((double) index, -schema));
  }

  /** The native-histogram bucket index of a positive value in exposed units (Prometheus' key function). */
  public int index(double x) {
    int exp = Math.getExponent(x) + 1;
    double frac = Math.scalb(x, -exp); // x = frac * 2^exp, frac in [0.5, 1)
    if (schema > 0) {
      double[] b = fracBounds;
      int lo = 0;
      int hi = b.length; // smallest j with b[j] >= frac
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (b[mid] < frac) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo + (exp - 1) * b.length;
    }
    int key = frac == 0.5 ? exp - 1 : exp;
    int shift = -schema;
    return (key + (1 << shift) - 1) >> shift;
  }

  @Override
  public int bucketCount() {
    return upper.length;
  }

  @Override
  public int bucketIndex(long value) {
    if (value <= 0) {
      return 0;
    }
    double x = toExposed(value);
    if (x <= zeroThreshold) {
      return 0;
    }
    int idx = index(x);
    if (idx < minIndex) {
      return 1; // rounding at the edge: the zero bucket's threshold is this bucket's lower edge
    }
    if (idx > maxIndex) {
      return upper.length - 1;
    }
    return idx - minIndex + 1;
  }

  @Override
  public double upperBound(int i) {
    return upper[i];
  }

  public int schema() {
    return schema;
  }

  /** Values at or below this (exposed units) land in bucket 0. */
  public double zeroThreshold() {
    return zeroThreshold;
  }

  /**
   * Native index of bucket {@code i} for {@code 1 <= i <= bucketCount()-2}; bucket 0 is the zero bucket and the last
   * is the overflow bucket, which have none.
   */
  public int nativeIndex(int i) {
    if (i < 1 || i > upper.length - 2) {
      throw new IndexOutOfBoundsException("not an exponential bucket: " + i);
    }
    return minIndex + i - 1;
  }

  @Override
  public String toString() {
    return "ExponentialBuckets{schema=" + schema + ", index=[" + minIndex + ", " + maxIndex + "]}";
  }
}
