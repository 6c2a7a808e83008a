package io.spanfold.bench.store;

import io.spanfold.core.store.BlockInfo;
import io.spanfold.core.store.SpanStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Trace-by-id latency: {@code spans} spans stored as 20-span traces, each trace's spans arriving in two halves far
 * apart so that most traces span two of the many completed blocks (head cut every {@code blockSpans} spans). Looks up random
 * stored trace ids; {@code Mode.SampleTime} gives the percentiles (target p99 ≤ 1 ms).
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar StoreLookupBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xmx1g",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
      "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
      "-Dchronicle.analytics.disable=true"
    })
public class StoreLookupBenchmark {
  static final int SPANS_PER_TRACE = 20;
  static final int TRACES_PER_REQUEST = 5;
  static final int LOOKUPS = 1 << 14;

  @Param({"1000000"})
  public int spans;

  /** Head cut; with {@code spans} it sets how many blocks a lookup has to consider. */
  @Param({"100000"})
  public int blockSpans;

  private SpanStore store;
  private Path dir;
  private long[] lookupIds;
  private int i;

  @Setup(Level.Trial)
  public void setup() throws IOException {
    Random rnd = new Random(3);
    long now = System.currentTimeMillis() * 1_000_000L;
    dir = Files.createTempDirectory("spanfold-lookup-bench");
    store = SpanStore.builder().dataDir(dir).maxBlockSpans(blockSpans).build();
    int traces = spans / SPANS_PER_TRACE;
    int requestsPerHalf = traces / TRACES_PER_REQUEST;
    for (int half = 0; half < 2; half++) {
      for (int r = 0; r < requestsPerHalf; r++) {
        store.accept(StoreBenchData.decode(StoreBenchData.request(rnd, 9, (long) r * TRACES_PER_REQUEST + 1,
            TRACES_PER_REQUEST, SPANS_PER_TRACE / 2, half * SPANS_PER_TRACE / 2, now)));
      }
    }
    store.completeHeadBlock();
    long onDisk = StoreBenchData.sizeOnDisk(dir);
    int blocks = store.blocks().size();
    long stored = store.blocks().stream().mapToLong(BlockInfo::spanCount).sum();
    System.out.printf("%nstore: %d spans in %d blocks, %d bytes on disk, %.1f bytes/span%n", stored, blocks, onDisk,
        (double) onDisk / stored);
    lookupIds = new long[LOOKUPS];
    for (int k = 0; k < LOOKUPS; k++) {
      lookupIds[k] = 1 + rnd.nextInt(traces);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
    StoreBenchData.deleteRecursively(dir);
  }

  @Benchmark
  public byte[] findTrace() throws IOException {
    byte[] t = store.findTrace(9, lookupIds[i++ & (LOOKUPS - 1)], 0, 0);
    if (t == null) {
      throw new IllegalStateException("stored trace not found");
    }
    return t;
  }
}
