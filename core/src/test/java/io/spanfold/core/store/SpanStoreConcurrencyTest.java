package io.spanfold.core.store;

import static io.spanfold.core.store.StoreFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanfold.core.model.SpanBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers, readers and block completion at once: every acknowledged trace is found whole while blocks are
 * cut and completed (head replaced by its completed block) under the readers.
 */
class SpanStoreConcurrencyTest {
  @TempDir Path dir;

  @Test
  @Timeout(180)
  void concurrentAppendsLookupsAndCompletions() throws Exception {
    int writers = 3;
    int perWriter = 300; // traces per writer, 4 spans each, one request per trace
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
    AtomicBoolean done = new AtomicBoolean();
    try (SpanStore store = SpanStore.builder().dataDir(dir).maxBlockSpans(500)
        .maintenanceInterval(Duration.ofMillis(5)).fsyncInterval(Duration.ofMillis(5)).build()) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        long hi = w + 1;
        threads.add(new Thread(() -> {
          try {
            start.await();
            for (int t = 1; t <= perWriter; t++) {
              ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(scope("s"));
              for (int s = 1; s <= 4; s++) {
                ss.addSpans(span(hi, t, s, s == 1 ? 0 : 1, "op", 2, System.currentTimeMillis() * 1_000_000L, false));
              }
              SpanBatch b = decode(TracesData.newBuilder().addResourceSpans(
                  ResourceSpans.newBuilder().setResource(resource("w" + hi)).addScopeSpans(ss)).build());
              store.accept(b);
              acknowledged.add(hi << 32 | t);
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        }));
      }
      for (int r = 0; r < 2; r++) {
        threads.add(new Thread(() -> {
          try {
            start.await();
            while (!done.get()) {
              Long k = acknowledged.peek();
              for (Long key : acknowledged) {
                k = key;
                byte[] got = store.findTrace(k >>> 32, k & 0xFFFFFFFFL, 0, 0);
                assertThat(got).isNotNull();
                assertThat(SpanStoreDurabilityTest.spanCount(got)).isEqualTo(4);
                if (done.get()) {
                  break;
                }
              }
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        }));
      }
      threads.forEach(Thread::start);
      start.countDown();
      for (int i = 0; i < writers; i++) {
        threads.get(i).join();
      }
      done.set(true);
      for (Thread t : threads) {
        t.join();
      }
      assertThat(failures).isEmpty();
      assertThat(store.blocks().size()).isGreaterThan(3);
      store.completeHeadBlock();
      for (Long k : acknowledged) {
        assertThat(SpanStoreDurabilityTest.spanCount(store.findTrace(k >>> 32, k & 0xFFFFFFFFL, 0, 0)))
            .isEqualTo(4);
      }
    }
  }
}
