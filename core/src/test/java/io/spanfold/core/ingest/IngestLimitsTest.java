package io.spanfold.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanfold.core.model.SpanBatch;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IngestLimitsTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void memoryBudgetRefusesWhatDoesNotFitAndTakesItBackOnRelease() {
    IngestLimiter l = IngestLimiter.ofBytes(100);
    assertThat(l.tryAcquire(60)).isTrue();
    assertThat(l.tryAcquire(41)).isFalse();
    assertThat(l.tryAcquire(40)).isTrue();
    assertThat(l.inUse()).isEqualTo(100);
    l.release(60);
    assertThat(l.tryAcquire(101)).isFalse();
    assertThat(l.tryAcquire(60)).isTrue();
    l.release(100);
    assertThat(l.inUse()).isZero();
    assertThatThrownBy(() -> l.release(1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> IngestLimiter.ofBytes(0)).hasMessageContaining("capacityBytes");
  }

  @Test
  void memoryBudgetNeverOvercommitsUnderContention() throws Exception {
    IngestLimiter l = IngestLimiter.ofBytes(1000);
    AtomicLong max = new AtomicLong();
    int threads = 4;
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      new Thread(() -> {
        for (int i = 0; i < 100_000; i++) {
          if (l.tryAcquire(300)) {
            max.accumulateAndGet(l.inUse(), Math::max);
            l.release(300);
          }
        }
        done.countDown();
      }).start();
    }
    done.await();
    assertThat(max.get()).isLessThanOrEqualTo(1000);
    assertThat(l.inUse()).isZero();
  }

  @Test
  void rateLimitIsATokenBucketPerTenant() {
    IngestRateLimiter r =
        IngestRateLimiter.builder().bytesPerSecond(1000).burstBytes(2000).nanoClock(now::get).build();
    assertThat(r.tryAcquire("a", 1500)).isTrue();
    assertThat(r.tryAcquire("a", 600)).isFalse();
    assertThat(r.tryAcquire("b", 2000)).isTrue(); // other tenant, own bucket
    now.addAndGet(100_000_000L); // +0.1 s: 100 more tokens
    assertThat(r.tryAcquire("a", 600)).isTrue();
    assertThat(r.tryAcquire("a", 1)).isFalse();
    now.addAndGet(60_000_000_000L); // refills to the burst, never beyond
    assertThat(r.tryAcquire("a", 2001)).isFalse();
    assertThat(r.tryAcquire("a", 2000)).isTrue();
  }

  @Test
  void rateLimitMessagesAreTempos() {
    IngestRateLimiter r = IngestRateLimiter.builder().bytesPerSecond(1000).burstBytes(2000).build();
    assertThat(r.rejectionMessage("single-tenant", 500)).isEqualTo(
        "RATE_LIMITED: ingestion rate limit (local: 1000 bytes/s, global: 0 bytes/s, burst: 2000 bytes) exceeded while"
            + " adding 500 bytes for user single-tenant. consider increasing the limit or reducing ingestion rate.");
    assertThat(r.rejectionMessage("t", 5000)).startsWith(
        "RATE_LIMITED: batch size (5000 bytes) exceeds ingestion limit (local: 1000 bytes/s");
  }

  // ---------------------------------------------------------------- per-trace limits through SpanIngest

  private final Map<DiscardReason, Integer> discarded = new EnumMap<>(DiscardReason.class);
  private final List<Long> seen = new ArrayList<>();

  private SpanIngest ingest(TraceLimiter limiter) {
    return SpanIngest.builder()
        .traceLimits(limiter)
        .consumer(b -> {
          for (int i = 0; i < b.size(); i++) {
            seen.add(b.spanId(i));
          }
        })
        .metrics(new IngestMetrics() {
          @Override
          public void received(String tenant, int spans, long bytes) {}

          @Override
          public void discarded(String tenant, DiscardReason reason, int spans) {
            discarded.merge(reason, spans, Integer::sum);
          }
        })
        .build();
  }

  private static void add(SpanBatch b, long traceLo, long span, int spanBytes) {
    int r = b.resourceCount() == 0 ? b.addResource(-1, -1, -1, -1, "svc") : 0;
    b.addSpan(r, -1, 7, traceLo, 16, span, 8, 0, 0, 2, 0, 5, 6, 0, spanBytes, 0, 0, 0, 0);
  }

  @Test
  void spansOverTheTraceByteLimitAreDroppedCountedAndReported() {
    SpanIngest ingest = ingest(TraceLimiter.builder().maxBytesPerTrace(1000).nanoClock(now::get).build());
    SpanBatch b = new SpanBatch();
    add(b, 1, 10, 600);
    add(b, 1, 11, 400); // exactly at the limit
    add(b, 1, 12, 1); // over
    add(b, 2, 13, 999);
    IngestResult r = ingest.ingest(b);
    assertThat(seen).containsExactly(10L, 11L, 13L);
    assertThat(r.rejected()).isEqualTo(1);
    assertThat(r.message()).contains("1 trace_too_large");
    assertThat(discarded).containsEntry(DiscardReason.TRACE_TOO_LARGE, 1);

    SpanBatch next = new SpanBatch();
    add(next, 2, 14, 2); // trace 2 is live with 999 bytes
    assertThat(ingest.ingest(next).message()).contains("trace_too_large");
  }

  @Test
  void liveTraceLimitRefusesNewTracesUntilOldOnesGoIdle() {
    TraceLimiter limiter =
        TraceLimiter.builder().maxLiveTraces(3).idleNanos(10_000_000_000L).nanoClock(now::get).build();
    SpanIngest ingest = ingest(limiter);
    SpanBatch b = new SpanBatch();
    for (int t = 1; t <= 5; t++) {
      add(b, t, 100 + t, 10);
    }
    add(b, 1, 200, 10); // a live trace still takes spans
    IngestResult r = ingest.ingest(b);
    assertThat(seen).containsExactly(101L, 102L, 103L, 200L);
    assertThat(r.message()).contains("2 live_traces_exceeded");
    assertThat(discarded).containsEntry(DiscardReason.LIVE_TRACES_EXCEEDED, 2);
    assertThat(limiter.liveTraces(SpanBatch.DEFAULT_TENANT)).isEqualTo(3);

    now.addAndGet(11_000_000_000L);
    seen.clear();
    SpanBatch later = new SpanBatch();
    add(later, 4, 104, 10);
    add(later, 5, 105, 10);
    assertThat(ingest.ingest(later).rejected()).isZero();
    assertThat(seen).containsExactly(104L, 105L);
  }

  @Test
  void liveTraceTableStaysBoundedUnderManyTraces() {
    TraceLimiter limiter = TraceLimiter.builder().maxLiveTraces(1000).idleNanos(1_000_000L).nanoClock(now::get)
        .build();
    SpanIngest ingest = ingest(limiter);
    SpanBatch b = new SpanBatch();
    long accepted = 0;
    for (int round = 0; round < 200; round++) {
      b.clear();
      for (int t = 0; t < 500; t++) {
        add(b, round * 1000L + t + 1, t + 1, 10);
      }
      accepted += ingest.ingest(b).accepted();
      now.addAndGet(2_000_000L); // everything of the last round goes idle
    }
    assertThat(accepted).isEqualTo(200 * 500);
    assertThat(limiter.liveTraces(SpanBatch.DEFAULT_TENANT)).isLessThanOrEqualTo(1000);
  }
}
