package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: a sender posts OTLP/HTTP requests in a loop; after about two seconds the server is killed with SIGKILL.
 * Started again on the same data directory, it is ready within seconds and returns every span of every request that
 * had been answered 200 (a 200 means the spans were in the span log).
 */
@Timeout(120)
class ITCrash {
  static final int TRACES_PER_REQUEST = 20;
  static final int SPANS_PER_TRACE = 5;
  static final int MAX_REQUESTS = 100_000 / TRACES_PER_REQUEST;

  @TempDir Path dataDir;

  @Test
  void everyAcknowledgedSpanSurvivesKillMinus9() throws Exception {
    long run = System.nanoTime();
    BitSet acknowledged = new BitSet(MAX_REQUESTS);
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Thread sender;
    try (ServerProcess first = ServerProcess.start(dataDir)) {
      TraceApi api = new TraceApi(first);
      sender = new Thread(() -> {
        for (int r = 0; r < MAX_REQUESTS; r++) {
          sent.incrementAndGet();
          try {
            if (api.post(TraceApi.request(run, r * TRACES_PER_REQUEST, TRACES_PER_REQUEST, SPANS_PER_TRACE)) == 200) {
              synchronized (acknowledged) {
                acknowledged.set(r);
              }
            }
          } catch (Exception e) {
            failed.incrementAndGet();
            return; // the server is gone
          }
        }
      }, "crash-sender");
      sender.start();
      Thread.sleep(2000);
      first.process.destroyForcibly(); // SIGKILL
      assertThat(first.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(first.process.exitValue()).isEqualTo(137);
      sender.join(30_000);
      assertThat(sender.isAlive()).isFalse();
    }
    int acked;
    synchronized (acknowledged) {
      acked = acknowledged.cardinality();
    }
    assertThat(acked).as("requests acknowledged before the kill (sent %d)", sent.get()).isGreaterThan(10);
    assertThat(acked).as("the sender was still sending when the server died").isLessThan(MAX_REQUESTS);

    long t0 = System.nanoTime();
    try (ServerProcess second = ServerProcess.start(dataDir)) {
      long restartMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      System.out.printf("ITCrash: %d requests (%d spans) acknowledged before SIGKILL; restart to /ready in %d ms%n",
          acked, acked * TRACES_PER_REQUEST * SPANS_PER_TRACE, restartMillis);
      assertThat(restartMillis).as("JVM start + recovery to /ready").isLessThan(15_000);
      List<String> bad = new TraceApi(second).incompleteTraces(run, MAX_REQUESTS * TRACES_PER_REQUEST,
          SPANS_PER_TRACE, i -> {
            synchronized (acknowledged) {
              return acknowledged.get(i / TRACES_PER_REQUEST);
            }
          });
      assertThat(bad).as("acknowledged traces not returned whole after the crash; output:\n%s", second.output())
          .isEmpty();
      assertThat(second.stop()).isEqualTo(143);
    }
  }
}
