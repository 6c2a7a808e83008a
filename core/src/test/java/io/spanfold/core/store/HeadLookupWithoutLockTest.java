package io.spanfold.core.store;

import static io.spanfold.core.store.StoreFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.store.internal.HeadBlock;
import io.spanfold.core.store.internal.TraceAssembler;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace-by-id reads of the head block do not take its append lock: a lookup answers while another thread holds the
 * lock (as an append of a large batch does), and lookups racing appends that grow and rehash the index always see
 * every acknowledged trace whole.
 */
class HeadLookupWithoutLockTest {
  @TempDir Path dir;

  private static SpanBatch batch(long hi, int firstTrace, int traces, int spansPerTrace) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(scope("s"));
    long now = System.currentTimeMillis() * 1_000_000L;
    for (int t = firstTrace; t < firstTrace + traces; t++) {
      for (int s = 1; s <= spansPerTrace; s++) {
        ss.addSpans(span(hi, t, s, s == 1 ? 0 : 1, "op", 2, now, false));
      }
    }
    return decode(TracesData.newBuilder().addResourceSpans(
        ResourceSpans.newBuilder().setResource(resource("svc-" + (firstTrace % 7))).addScopeSpans(ss)).build());
  }

  private static int lookup(HeadBlock h, long hi, long lo) throws Exception {
    TraceAssembler a = new TraceAssembler();
    h.collect(hi, lo, a);
    return SpanStoreDurabilityTest.spanCount(a.encode());
  }

  @Test
  @Timeout(60)
  void lookupAnswersWhileTheAppendLockIsHeld() throws Exception {
    Object lock = new Object();
    HeadBlock h = HeadBlock.create("single-tenant", 1, dir.resolve("b1"), lock, System.nanoTime());
    synchronized (lock) {
      h.append(batch(1, 1, 20, 3), System.currentTimeMillis() * 1_000_000L, Long.MAX_VALUE / 4);
    }
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder = new Thread(() -> {
      synchronized (lock) {
        held.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    holder.start();
    try {
      assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
      AtomicReference<Object> got = new AtomicReference<>();
      Thread reader = new Thread(() -> {
        try {
          got.set(lookup(h, 1, 7) * 100 + lookup(h, 1, 99));
        } catch (Exception e) {
          got.set(e);
        }
      });
      reader.start();
      reader.join(5000);
      // with the lock taken for reads, the reader would still be blocked here
      assertThat(reader.isAlive()).as("lookup blocked behind the append lock").isFalse();
      assertThat(got.get()).isEqualTo(300); // 3 spans of trace 7, none of the unknown trace 99
    } finally {
      release.countDown();
      holder.join();
      h.retire(io.spanfold.core.store.internal.Block.Disposal.DELETE_DIRECTORY);
    }
  }

  @Test
  @Timeout(120)
  void lookupsRacingGrowingAppendsSeeEveryAcknowledgedTraceWhole() throws Exception {
    Object lock = new Object();
    HeadBlock h = HeadBlock.create("single-tenant", 2, dir.resolve("b2"), lock, System.nanoTime());
    AtomicLong acknowledged = new AtomicLong(); // traces 1..acknowledged are complete
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicLong lookups = new AtomicLong();
    Thread[] readers = new Thread[2];
    for (int r = 0; r < readers.length; r++) {
      long seed = r;
      readers[r] = new Thread(() -> {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        try {
          while (!done.get()) {
            long n = acknowledged.get();
            if (n == 0) {
              Thread.onSpinWait();
              continue;
            }
            long t = 1 + rnd.nextLong(n);
            int spans = lookup(h, 3, t);
            if (spans != 4) {
              throw new AssertionError("trace " + t + " of " + n + " acknowledged had " + spans + " spans");
            }
            // ids past the acknowledged ones are in flight or unknown: never more than their 4 spans
            assertThat(lookup(h, 3, n + 1 + rnd.nextLong(100))).isBetween(0, 4);
            lookups.incrementAndGet();
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      readers[r].start();
    }
    // 40 000 traces in batches of 25 traces x 4 spans: the index grows and rehashes many times under the readers
    for (int first = 1; first <= 40_000; first += 25) {
      SpanBatch b = batch(3, first, 25, 4);
      synchronized (lock) {
        h.append(b, System.currentTimeMillis() * 1_000_000L, Long.MAX_VALUE / 4);
      }
      acknowledged.set(first + 24);
      if (!failures.isEmpty()) {
        break;
      }
    }
    done.set(true);
    for (Thread r : readers) {
      r.join();
    }
    try {
      assertThat(failures).isEmpty();
      assertThat(lookups.get()).isPositive();
      assertThat(lookup(h, 3, 40_000)).isEqualTo(4);
      assertThat(lookup(h, 3, 40_001)).isZero();
    } finally {
      h.retire(io.spanfold.core.store.internal.Block.Disposal.DELETE_DIRECTORY);
    }
  }
}
