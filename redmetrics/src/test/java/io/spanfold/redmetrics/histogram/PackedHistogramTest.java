package io.spanfold.redmetrics.histogram;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class PackedHistogramTest {
  private static final ExplicitBuckets LAYOUT = ExplicitBuckets.seconds(ExplicitBuckets.TEMPO_SPAN_METRICS_SECONDS);

  /**
   * Two packed histograms side by side in one array behave exactly like two {@link HistogramRecorder}s: counts, sum,
   * and per-bucket exemplars (latest timestamp wins, ties to the later record), across two drains.
   */
  @Property
  void behavesLikeHistogramRecorder(
      @ForAll @Size(max = 200) List<@LongRange(min = -5_000_000, max = 30_000_000_000L) Long> values,
      @ForAll @Size(max = 200) List<@LongRange(min = 0, max = 6) Long> times) {
    PackedHistogram p = new PackedHistogram(LAYOUT);
    int offset = 3; // not at the array start, as in a stripe's cell
    long[] data = new long[offset + 2 * p.stride()];
    p.clear(data, offset);
    p.clear(data, offset + p.stride());
    HistogramRecorder[] ref = {new HistogramRecorder(LAYOUT), new HistogramRecorder(LAYOUT)};
    HistogramSnapshot[] gotSnap = {new HistogramSnapshot(LAYOUT), new HistogramSnapshot(LAYOUT)};
    HistogramSnapshot[] refSnap = {new HistogramSnapshot(LAYOUT), new HistogramSnapshot(LAYOUT)};
    for (int round = 0; round < 2; round++) {
      for (int k = 0; k < values.size(); k++) {
        int h = (k + round) % 2;
        long v = values.get(k);
        long t = times.isEmpty() ? 0 : times.get(k % times.size());
        p.record(data, offset + h * p.stride(), v, k, ~k, t);
        ref[h].record(v, k, ~k, t);
      }
      for (int h = 0; h < 2; h++) {
        assertThat(p.isEmpty(data, offset + h * p.stride())).isEqualTo(ref[h].isEmpty());
        p.drainInto(data, offset + h * p.stride(), gotSnap[h]);
        ref[h].drainInto(refSnap[h]);
        assertThat(p.isEmpty(data, offset + h * p.stride())).isTrue();
        assertSame(gotSnap[h], refSnap[h]);
      }
    }
  }

  private static void assertSame(HistogramSnapshot got, HistogramSnapshot want) {
    assertThat(got.count()).isEqualTo(want.count());
    assertThat(got.sumUnits()).isEqualTo(want.sumUnits());
    for (int i = 0; i < LAYOUT.bucketCount(); i++) {
      assertThat(got.bucketCount(i)).as("bucket %d", i).isEqualTo(want.bucketCount(i));
      assertThat(got.hasExemplar(i)).as("exemplar %d", i).isEqualTo(want.hasExemplar(i));
      if (want.hasExemplar(i)) {
        assertThat(got.exemplarTraceIdHigh(i)).isEqualTo(want.exemplarTraceIdHigh(i));
        assertThat(got.exemplarTraceIdLow(i)).isEqualTo(want.exemplarTraceIdLow(i));
        assertThat(got.exemplarValueUnits(i)).isEqualTo(want.exemplarValueUnits(i));
        assertThat(got.exemplarTimestampMillis(i)).isEqualTo(want.exemplarTimestampMillis(i));
      }
    }
  }
}
