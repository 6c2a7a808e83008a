package io.spanfold.redmetrics.histogram;

/**
 * How recorded values map to buckets. A layout is immutable and shared by every histogram that uses it.
 *
 * <p>Buckets are numbered {@code 0 .. bucketCount()-1}; bucket {@code i} counts values {@code v} with {@code
 * upperBound(i-1) < v <= upperBound(i)} (Prometheus {@code le} semantics) and the last bucket's upper bound is
 * {@code +Inf}. Values are {@code long}s in recorded units; {@link #unitsPerExposedUnit()} converts them for
 * exposition (for example 1e9 when nanoseconds are recorded and seconds exposed).
 *
 * <p>Only the two layouts of this package exist: {@link ExplicitBuckets} and {@link ExponentialBuckets}.
 */
public abstract sealed class BucketLayout permits ExplicitBuckets, ExponentialBuckets {
  private final double unitsPerExposedUnit;

  BucketLayout(double unitsPerExposedUnit) {
    if (!(unitsPerExposedUnit > 0) || Double.isInfinite(unitsPerExposedUnit)) {
      throw new IllegalArgumentException("unitsPerExposedUnit must be finite and > 0: " + unitsPerExposedUnit);
    }
    this.unitsPerExposedUnit = unitsPerExposedUnit;
  }

  /** Number of buckets, including the last ({@code +Inf}) one. */
  public abstract int bucketCount();

  /** The bucket a value (in recorded units) falls in. Negative values fall in bucket 0. Never allocates. */
  public abstract int bucketIndex(long value);

  /** Upper bound of bucket {@code i} in exposed units; {@code +Inf} for the last bucket. */
  public abstract double upperBound(int i);

  /** How many recorded units make one exposed unit (1e9 when recording nanoseconds and exposing seconds). */
  public final double unitsPerExposedUnit() {
    return unitsPerExposedUnit;
  }

  /** Converts a value in recorded units to exposed units. */
  public final double toExposed(long units) {
    return units / unitsPerExposedUnit;
  }

  /** Converts a value in recorded units to exposed units. */
  public final double toExposed(double units) {
    return units / unitsPerExposedUnit;
  }
}
