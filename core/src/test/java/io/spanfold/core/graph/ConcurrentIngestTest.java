package io.spanfold.core.graph;

import static io.spanfold.core.graph.Otlp.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanfold.core.model.SpanBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Several ingest threads and a scraper at once: every pair is found exactly once and every span accounted for. */
class ConcurrentIngestTest {
  @Test
  void threadsPairAcrossEachOthersBatches() throws Exception {
    AtomicLong edges = new AtomicLong();
    ServiceGraphBuilder g = ServiceGraphBuilder.builder().maxItems(100_000).listener(e -> edges.incrementAndGet())
        .build();
    int threads = 4;
    int traces = 2_000;
    // thread t sends client halves of traces ≡ t (mod threads) and server halves of traces ≡ t+1, so most pairs
    // are completed by a different thread than the one that opened them
    List<List<SpanBatch>> work = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<SpanBatch> batches = new ArrayList<>();
      for (int tr = 0; tr < traces; tr += 50) {
        List<io.opentelemetry.proto.trace.v1.Span> clients = new ArrayList<>();
        List<io.opentelemetry.proto.trace.v1.Span> servers = new ArrayList<>();
        for (int k = tr; k < tr + 50; k++) {
          if (k % threads == t) {
            clients.add(span(k + 1, 2, 1, CLIENT, 0, 10, false));
          }
          if (k % threads == (t + 1) % threads) {
            servers.add(span(k + 1, 3, 2, SERVER, 0, 8, false));
          }
        }
        batches.add(batch(resource("web", clients), resource("api", servers)));
      }
      work.add(batches);
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (List<SpanBatch> batches : work) {
        futures.add(pool.submit(() -> {
          start.await();
          for (SpanBatch b : batches) {
            g.accept(b);
          }
          return null;
        }));
      }
      futures.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < 50; i++) {
          g.snapshot(Duration.ofMinutes(1));
          ServiceGraphStats s = g.stats();
          assertThat(s.pairedSpans() + s.unpairedSpans() + s.droppedSpans() + s.pendingSpans() + s.virtualSpans())
              .isEqualTo(s.spansSeen());
        }
        return null;
      }));
      start.countDown();
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    ServiceGraphStats s = g.stats();
    assertThat(s.spansSeen()).isEqualTo(2L * traces);
    assertThat(s.completedEdges()).isEqualTo(traces);
    assertThat(s.pendingEdges()).isZero();
    assertThat(edges.get()).isEqualTo(traces);
    assertThat(g.snapshot(Duration.ofMinutes(1)).edge("web", "api").requests()).isEqualTo(traces);
  }
}
