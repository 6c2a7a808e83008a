package io.spanfold.bench.ingest;

import io.spanfold.core.graph.ServiceGraphBuilder;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.core.store.SpanStore;
import io.spanfold.redmetrics.servicegraph.ServiceGraphMetrics;
import io.spanfold.redmetrics.spanmetrics.SpanMetrics;
import java.time.Duration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The consumers a benchmark's {@link SpanIngest} fans out to, by name, with what they need (a temporary data
 * directory) and their cleanup: {@code none}, {@code all} (as the server wires them: {@code store+metrics+graph}), or a
 * {@code +}-separated list of {@code store} ({@link SpanStore} with default settings in a temporary directory, deleted
 * on close), {@code metrics} (span-metrics, {@link SpanMetrics} with Tempo's defaults) and {@code graph} ({@link
 * ServiceGraphBuilder} with {@link ServiceGraphMetrics} as its listener).
 */
final class Consumers implements AutoCloseable {
  private final SpanIngest ingest;
  private final List<AutoCloseable> closeables;
  private final Path tempDir;

  private Consumers(SpanIngest ingest, List<AutoCloseable> closeables, Path tempDir) {
    this.ingest = ingest;
    this.closeables = closeables;
    this.tempDir = tempDir;
  }

  static Consumers open(String spec) throws IOException {
    SpanIngest.Builder b = SpanIngest.builder();
    List<AutoCloseable> closeables = new ArrayList<>();
    Path tempDir = null;
    String names = spec.toLowerCase(Locale.ROOT).equals("all") ? "store+metrics+graph" : spec.toLowerCase(Locale.ROOT);
    for (String name : names.split("\\+")) {
      switch (name) {
        case "none":
          break;
        case "store":
          if (tempDir == null) {
            tempDir = Files.createTempDirectory("spanfold-fullpath-");
          }
          SpanStore store = SpanStore.builder().dataDir(tempDir).build();
          closeables.add(store);
          b.consumer(store);
          break;
        case "graph":
          ServiceGraphMetrics graphMetrics = ServiceGraphMetrics.builder().build();
          b.consumer(ServiceGraphBuilder.builder().listener(graphMetrics).build());
          break;
        case "metrics":
          // Tempo's defaults (intrinsic dimensions, buckets), except the ingestion slack: the pool's timestamps are
          // fixed at setup, and a long run must not turn into a benchmark of the "too old, dropped" path.
          b.consumer(SpanMetrics.builder().ingestionSlack(Duration.ofHours(1)).build());
          break;
        default:
          throw new IllegalArgumentException("unknown consumer '" + name + "' in '" + spec + "'");
      }
    }
    return new Consumers(b.build(), closeables, tempDir);
  }

  SpanIngest ingest() {
    return ingest;
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    if (tempDir != null) {
      try (Stream<Path> paths = Files.walk(tempDir)) {
        for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
