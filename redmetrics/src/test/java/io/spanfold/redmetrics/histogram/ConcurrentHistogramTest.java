package io.spanfold.redmetrics.histogram;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ConcurrentHistogramTest {
  private static final ExplicitBuckets LAYOUT = ExplicitBuckets.seconds(ExplicitBuckets.TEMPO_SPAN_METRICS_SECONDS);

  @Test
  void singleThreadIsExact() {
    ConcurrentHistogram h = new ConcurrentHistogram(LAYOUT);
    h.record(1_000_000, 7, 8, 10);
    h.record(5_000_000);
    HistogramSnapshot s = new HistogramSnapshot(LAYOUT);
    h.snapshot(s);
    assertThat(s.count()).isEqualTo(2);
    assertThat(s.bucketCount(0)).isEqualTo(1);
    assertThat(s.bucketCount(2)).isEqualTo(1);
    assertThat(s.sumUnits()).isEqualTo(6_000_000);
    assertThat(s.exemplarTraceIdLow(0)).isEqualTo(8);
    h.record(5_000_000);
    h.snapshot(s);
    assertThat(s.count()).isEqualTo(3); // cumulative
    assertThat(s.bucketCount(2)).isEqualTo(2);
  }

  /**
   * Writers record known values while a reader snapshots continuously: every snapshot is internally consistent
   * (count == sum of buckets; sum == what those counts imply, since every writer records a value fixed per bucket),
   * monotonic, and the final snapshot holds exactly everything recorded.
   */
  @Test
  @Timeout(60)
  void concurrentRecordersAndSnapshotsConserveCounts() throws Exception {
    ConcurrentHistogram h = new ConcurrentHistogram(LAYOUT);
    int writers = 4;
    int perWriter = 200_000;
    // value per bucket: exactly each finite bound, and 20 s for +Inf
    long[] values = new long[LAYOUT.bucketCount()];
    for (int i = 0; i < 14; i++) {
      values[i] = Math.round(LAYOUT.upperBound(i) * 1e9);
    }
    values[14] = 20_000_000_000L;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int id = w;
      Thread t =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int k = 0; k < perWriter; k++) {
                  int b = (k + id) % values.length;
                  h.record(values[b], id, k, k);
                }
              });
      t.start();
      threads.add(t);
    }
    AtomicBoolean done = new AtomicBoolean();
    List<Throwable> failures = new ArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              HistogramSnapshot s = new HistogramSnapshot(LAYOUT);
              long lastCount = 0;
              int snapshots = 0;
              try {
                while (!done.get() || snapshots < 10) {
                  h.snapshot(s);
                  snapshots++;
                  long c = 0;
                  long sum = 0;
                  for (int i = 0; i < s.bucketCount(); i++) {
                    c += s.bucketCount(i);
                    sum += s.bucketCount(i) * values[i];
                  }
                  assertThat(s.count()).isEqualTo(c);
                  assertThat(s.sumUnits()).isEqualTo(sum);
                  assertThat(c).isGreaterThanOrEqualTo(lastCount);
                  lastCount = c;
                  for (int i = 0; i < s.bucketCount(); i++) {
                    if (s.hasExemplar(i)) {
                      // exemplars are never torn: value belongs to the bucket, writer id in range
                      assertThat(s.exemplarValueUnits(i)).isEqualTo(values[i]);
                      assertThat(s.exemplarTraceIdHigh(i)).isBetween(0L, (long) writers - 1);
                      assertThat((s.exemplarTraceIdLow(i) + s.exemplarTraceIdHigh(i)) % values.length)
                          .isEqualTo(i);
                    }
                  }
                }
              } catch (Throwable e) {
                failures.add(e);
              }
            });
    reader.start();
    start.countDown();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(50));
    }
    done.set(true);
    reader.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(failures).isEmpty();
    HistogramSnapshot end = new HistogramSnapshot(LAYOUT);
    h.snapshot(end);
    assertThat(end.count()).isEqualTo((long) writers * perWriter);
    long expectedSum = 0;
    for (int w = 0; w < writers; w++) {
      for (int k = 0; k < perWriter; k++) {
        expectedSum += values[(k + w) % values.length];
      }
    }
    assertThat(end.sumUnits()).isEqualTo(expectedSum);
  }
}
