package io.spanfold.redmetrics.histogram;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import org.junit.jupiter.api.Test;

class ExponentialBucketsTest {

  @Test
  void powersOfTwoAreUpperBoundsInclusive() {
    ExponentialBuckets b = ExponentialBuckets.of(0, 1e-3, 1e3, 1);
    assertThat(b.index(1.0)).isZero();
    assertThat(b.index(2.0)).isEqualTo(1);
    assertThat(b.index(2.0000001)).isEqualTo(2);
    assertThat(b.index(0.5)).isEqualTo(-1);
    ExponentialBuckets s3 = ExponentialBuckets.of(3, 1e-3, 1e3, 1);
    assertThat(s3.index(1.0)).isZero();
    assertThat(s3.index(2.0)).isEqualTo(8);
    ExponentialBuckets sm2 = ExponentialBuckets.of(-2, 1e-3, 1e3, 1);
    assertThat(sm2.index(16.0)).isEqualTo(1); // base 16
    assertThat(sm2.index(16.5)).isEqualTo(2);
  }

  /** Bucket i of schema s covers (2^((i-1)/2^s), 2^(i/2^s)]: checked against logarithms away from the edges. */
  @Property
  void indexAgreesWithLogarithm(
      @ForAll @IntRange(min = -4, max = 8) int schema, @ForAll @DoubleRange(min = 1e-6, max = 1e6) @Scale(12) double x) {
    ExponentialBuckets b = ExponentialBuckets.of(schema, 1e-9, 1e9, 1);
    double exact = Math.log(x) / Math.log(2) * Math.pow(2, schema);
    double frac = exact - Math.floor(exact);
    if (frac < 1e-6 || frac > 1 - 1e-6) {
      return; // too close to an edge for a floating-point oracle
    }
    assertThat(b.index(x)).isEqualTo((int) Math.ceil(exact));
  }

  @Property
  void bucketOfValueHasBoundsAroundIt(
      @ForAll @IntRange(min = -4, max = 8) int schema, @ForAll @DoubleRange(min = 1e-3, max = 100) @Scale(9) double seconds) {
    ExponentialBuckets b = ExponentialBuckets.seconds(schema, 1e-3, 60);
    long nanos = (long) (seconds * 1e9);
    int i = b.bucketIndex(nanos);
    double x = nanos / 1e9;
    assertThat(x).isLessThanOrEqualTo(b.upperBound(i) * (1 + 1e-12));
    if (i > 0) {
      assertThat(x).isGreaterThan(b.upperBound(i - 1) * (1 - 1e-12));
    }
  }

  @Test
  void outOfRangeValuesGoToZeroAndOverflowBuckets() {
    ExponentialBuckets b = ExponentialBuckets.seconds(2, 0.001, 10);
    assertThat(b.bucketIndex(0)).isZero();
    assertThat(b.bucketIndex(1)).isZero(); // 1 ns
    assertThat(b.bucketIndex(1_000_000_000_000L)).isEqualTo(b.bucketCount() - 1);
    assertThat(b.upperBound(b.bucketCount() - 1)).isInfinite();
    assertThat(b.upperBound(0)).isEqualTo(b.zeroThreshold());
  }
}
