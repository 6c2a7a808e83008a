package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: 100 000 spans (10 000 traces of 10) ingested over OTLP/HTTP survive a graceful stop (SIGTERM) and a start
 * on the same data directory: every trace comes back whole. Once from the head block alone, once with one-second
 * blocks so completed blocks and a head block are both on disk at the restart.
 */
@Timeout(180)
class ITRestart {
  static final int TRACES = 10_000;
  static final int SPANS_PER_TRACE = 10;
  static final int TRACES_PER_REQUEST = 100;

  @TempDir Path dataDir;

  @Test
  void everyTraceIsWholeAfterRestart() throws Exception {
    long run = System.nanoTime();
    try (ServerProcess first = ServerProcess.start(dataDir)) {
      ingest(new TraceApi(first), run, 0, TRACES);
      assertThat(first.stop()).as(first.output()).isEqualTo(143);
    }
    restartAndCheck(run);
  }

  @Test
  void everyTraceIsWholeAfterRestartWithCompletedBlocks() throws Exception {
    long run = System.nanoTime();
    try (ServerProcess first = ServerProcess.start(dataDir, "--storage.block-duration=1s")) {
      TraceApi api = new TraceApi(first);
      ingest(api, run, 0, TRACES / 2);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (completedBlocks().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertThat(completedBlocks()).as("a block completed within 30 s; output:\n%s", first.output()).isNotEmpty();
      ingest(api, run, TRACES / 2, TRACES / 2);
      // Traces of both halves are readable before the restart too (a sample: the full check runs after it).
      assertThat(api.incompleteTraces(run, TRACES, SPANS_PER_TRACE, i -> i % 500 == 0)).isEmpty();
      assertThat(first.stop()).as(first.output()).isEqualTo(143);
    }
    assertThat(completedBlocks()).isNotEmpty();
    restartAndCheck(run);
  }

  private void restartAndCheck(long run) throws Exception {
    try (ServerProcess second = ServerProcess.start(dataDir)) {
      List<String> bad = new TraceApi(second).incompleteTraces(run, TRACES, SPANS_PER_TRACE, i -> true);
      assertThat(bad).as("traces not returned whole after the restart (%d of %d); output:\n%s", bad.size(), TRACES,
          second.output()).isEmpty();
      assertThat(second.stop()).isEqualTo(143);
      assertThat(second.output()).doesNotContain("Exception").doesNotContain("corrupt");
    }
  }

  static void ingest(TraceApi api, long run, int first, int count) throws Exception {
    for (int t = first; t < first + count; t += TRACES_PER_REQUEST) {
      int n = Math.min(TRACES_PER_REQUEST, first + count - t);
      assertThat(api.post(TraceApi.request(run, t, n, SPANS_PER_TRACE))).as("POST of traces %d..", t).isEqualTo(200);
    }
  }

  /** Block directories with a committed {@code block.meta}. */
  private List<Path> completedBlocks() throws Exception {
    try (Stream<Path> files = Files.walk(dataDir)) {
      return files.filter(p -> p.getFileName().toString().equals("block.meta")).toList();
    }
  }
}
