package io.spanfold.redmetrics.histogram;

import java.util.Arrays;

/**
 * Fixed, explicit upper bounds (Prometheus classic histogram buckets) plus the implicit {@code +Inf} bucket.
 *
 * <pre>{@code
 * // Tempo's span-metrics default, recording nanoseconds, exposing seconds:
 * ExplicitBuckets latency = ExplicitBuckets.seconds(ExplicitBuckets.TEMPO_SPAN_METRICS_SECONDS);
 * }</pre>
 */
public final class ExplicitBuckets extends BucketLayout {
  /** Tempo's span-metrics latency buckets, in seconds (+Inf implied). */
  public static final double[] TEMPO_SPAN_METRICS_SECONDS = {
    0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384
  };

  /** Tempo's service-graph latency buckets, in seconds (+Inf implied). */
  public static final double[] TEMPO_SERVICE_GRAPH_SECONDS = {0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8};

  private final long[] boundUnits;
  private final double[] exposedBounds;

  private ExplicitBuckets(double unitsPerExposedUnit, double[] exposedBounds) {
    super(unitsPerExposedUnit);
    if (exposedBounds.length == 0) {
      throw new IllegalArgumentException("bounds: at least one finite bound is required");
    }
    this.exposedBounds = exposedBounds.clone();
    this.boundUnits = new long[exposedBounds.length];
    for (int i = 0; i < exposedBounds.length; i++) {
      double b = exposedBounds[i];
      if (!Double.isFinite(b) || b < 0) {
        throw new IllegalArgumentException("bounds[" + i + "] must be finite and >= 0: " + b);
      }
      if (i > 0 && !(b > exposedBounds[i - 1])) {
        throw new IllegalArgumentException("bounds must be strictly increasing at index " + i + ": " + b);
      }
      double units = Math.rint(b * unitsPerExposedUnit);
      if (units >= 0x1p63) {
        throw new IllegalArgumentException("bounds[" + i + "] overflows a long in recorded units: " + b);
      }
      boundUnits[i] = (long) units;
      if (i > 0 && boundUnits[i] == boundUnits[i - 1]) {
        throw new IllegalArgumentException("bounds[" + i + "] is not distinct in recorded units: " + b);
      }
    }
  }

  /** Bounds given in seconds; values are recorded in nanoseconds. */
  public static ExplicitBuckets seconds(double... boundsSeconds) {
    return new ExplicitBuckets(1e9, boundsSeconds);
  }

  /**
   * Bounds given in exposed units; values recorded in units of {@code 1/unitsPerExposedUnit}.
   *
   * @param unitsPerExposedUnit for example 1 to record and expose the same unit, 1e9 for ns → s
   */
  public static ExplicitBuckets of(double unitsPerExposedUnit, double... bounds) {
    return new ExplicitBuckets(unitsPerExposedUnit, bounds);
  }

  @Override
  public int bucketCount() {
    return boundUnits.length + 1;
  }

  @Override
  public int bucketIndex(long value) {
    long[] b = boundUnits;
    if (b.length <= 16) {
      // Few bounds: count the bounds below the value without branches. A search (linear or binary) branches on
      // the value, and span latencies are spread over many buckets, so it mispredicts about once per record.
      // With v and every bound >= 0, b[k] - v cannot overflow: its sign bit is 1 exactly when v > b[k].
      long v = Math.max(0, value);
      int i = 0;
      for (long bound : b) {
        i += (int) ((bound - v) >>> 63);
      }
      return i;
    }
    int r = Arrays.binarySearch(b, value);
    return r >= 0 ? r : -r - 1;
  }

  @Override
  public double upperBound(int i) {
    return i == exposedBounds.length ? Double.POSITIVE_INFINITY : exposedBounds[i];
  }

  /** The finite bounds in exposed units (a copy). */
  public double[] bounds() {
    return exposedBounds.clone();
  }

  @Override
  public String toString() {
    return "ExplicitBuckets" + Arrays.toString(exposedBounds);
  }
}
