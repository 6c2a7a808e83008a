package io.spanfold.redmetrics.histogram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class ExplicitBucketsTest {
  private final ExplicitBuckets tempo = ExplicitBuckets.seconds(ExplicitBuckets.TEMPO_SPAN_METRICS_SECONDS);

  @Test
  void leIsInclusiveAndLastBucketIsInf() {
    assertThat(tempo.bucketCount()).isEqualTo(15);
    assertThat(tempo.bucketIndex(0)).isZero();
    assertThat(tempo.bucketIndex(2_000_000)).isZero(); // exactly 0.002 s
    assertThat(tempo.bucketIndex(2_000_001)).isEqualTo(1);
    assertThat(tempo.bucketIndex(16_384_000_000L)).isEqualTo(13);
    assertThat(tempo.bucketIndex(16_384_000_001L)).isEqualTo(14);
    assertThat(tempo.bucketIndex(Long.MAX_VALUE)).isEqualTo(14);
    assertThat(tempo.upperBound(0)).isEqualTo(0.002);
    assertThat(tempo.upperBound(13)).isEqualTo(16.384);
    assertThat(tempo.upperBound(14)).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void builderNamesTheBadBound() {
    assertThatThrownBy(() -> ExplicitBuckets.seconds(1, 1)).hasMessageContaining("strictly increasing at index 1");
    assertThatThrownBy(() -> ExplicitBuckets.seconds(Double.NaN)).hasMessageContaining("bounds[0]");
    assertThatThrownBy(ExplicitBuckets::seconds).hasMessageContaining("at least one");
  }

  @Property
  void indexMatchesLinearOracle(@ForAll @LongRange(min = -10, max = 20_000_000_000L) long nanos) {
    double seconds = nanos / 1e9;
    int expected = 0;
    while (expected < 14 && !(Math.max(0, seconds) <= tempo.upperBound(expected))) {
      expected++;
    }
    assertThat(tempo.bucketIndex(nanos)).isEqualTo(expected);
  }

  @Property
  void manyBoundsUseBinarySearchCorrectly(@ForAll @LongRange(min = 0, max = 100) long v) {
    double[] b = new double[40];
    for (int i = 0; i < b.length; i++) {
      b[i] = 2 * i + 1; // 1, 3, 5 ...
    }
    ExplicitBuckets layout = ExplicitBuckets.of(1, b);
    int expected = (int) Math.min(40, v / 2); // v <= 2i+1  <=>  i >= (v-1)/2
    assertThat(layout.bucketIndex(v)).isEqualTo(expected);
  }
}
