package io.spanfold.redmetrics.histogram;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class HistogramRecorderTest {
  private static final ExplicitBuckets LAYOUT = ExplicitBuckets.seconds(ExplicitBuckets.TEMPO_SPAN_METRICS_SECONDS);

  @Test
  void exactCountsSumAndLatestExemplar() {
    HistogramRecorder r = new HistogramRecorder(LAYOUT);
    r.record(1_000_000, 1, 2, 100); // 1 ms -> bucket 0
    r.record(2_000_000, 3, 4, 200); // 2 ms -> bucket 0, newer exemplar
    r.record(3_000_000, 5, 6, 50); // bucket 1
    r.record(-5); // negative -> 0 -> bucket 0
    r.record(20_000_000_000L); // +Inf
    HistogramSnapshot s = new HistogramSnapshot(LAYOUT);
    r.drainInto(s);
    assertThat(s.count()).isEqualTo(5);
    assertThat(s.bucketCount(0)).isEqualTo(3);
    assertThat(s.bucketCount(1)).isEqualTo(1);
    assertThat(s.bucketCount(14)).isEqualTo(1);
    assertThat(s.cumulativeCount(13)).isEqualTo(4);
    assertThat(s.sumUnits()).isEqualTo(20_006_000_000L);
    assertThat(s.sum()).isEqualTo(20.006);
    assertThat(s.exemplarTraceIdHigh(0)).isEqualTo(3);
    assertThat(s.exemplarTraceIdLow(0)).isEqualTo(4);
    assertThat(s.exemplarValue(0)).isEqualTo(0.002);
    assertThat(s.exemplarTimestampMillis(0)).isEqualTo(200);
    assertThat(s.hasExemplar(14)).isFalse();
    assertThat(r.isEmpty()).isTrue();

    r.record(1_000_000, 9, 9, 150); // older than the kept exemplar: counts, does not replace
    r.drainInto(s);
    assertThat(s.count()).isEqualTo(6);
    assertThat(s.exemplarTraceIdHigh(0)).isEqualTo(3);
  }

  @Property
  void drainedCountsMatchOracle(@ForAll @Size(max = 300) List<@LongRange(min = 0, max = 30_000_000_000L) Long> vs) {
    HistogramRecorder r = new HistogramRecorder(LAYOUT);
    long[] expected = new long[LAYOUT.bucketCount()];
    long sum = 0;
    for (long v : vs) {
      r.record(v);
      double sec = v / 1e9;
      int i = 0;
      while (i < 14 && sec > LAYOUT.upperBound(i)) {
        i++;
      }
      expected[i]++;
      sum += v;
    }
    HistogramSnapshot s = new HistogramSnapshot(LAYOUT);
    r.drainInto(s);
    for (int i = 0; i < expected.length; i++) {
      assertThat(s.bucketCount(i)).as("bucket %d", i).isEqualTo(expected[i]);
    }
    assertThat(s.count()).isEqualTo(vs.size());
    assertThat(s.sumUnits()).isEqualTo(sum);
  }
}
