package io.spanfold.bench.store;

import io.spanfold.core.model.SpanBatch;
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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Append throughput of {@link SpanStore#accept}: one thread appending pre-decoded 100-span batches (20-span traces,
 * ≈ 230-byte spans) into the mapped span log; heads are cut every 1 M spans and completed on the store's background
 * thread (the other core), and a byte cap keeps the disk use bounded. Score = spans per second.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar StoreAppendBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
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
public class StoreAppendBenchmark {
  static final int SPANS_PER_BATCH = 100;
  static final int BATCHES = 256;
  static final int MASK = BATCHES - 1;

  private SpanBatch[] batches;
  private SpanStore store;
  private Path dir;
  private int i;

  @Setup(Level.Trial)
  public void setup() throws IOException {
    Random rnd = new Random(1);
    long now = System.currentTimeMillis() * 1_000_000L;
    batches = new SpanBatch[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
      batches[b] = StoreBenchData.decode(StoreBenchData.request(rnd, 7, b * 5L + 1, 5, 20, 0, now));
    }
    dir = Files.createTempDirectory("spanfold-append-bench");
    store = SpanStore.builder().dataDir(dir).maxBytes(2L << 30).maintenanceInterval(java.time.Duration.ofMillis(200))
        .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
    StoreBenchData.deleteRecursively(dir);
  }

  /**
   * CPU time and allocation of the appending thread per iteration, printed as spans per CPU-second: the per-core
   * cost, apart from waits for the disk and for a CPU share on a busy machine that the wall-clock score includes
   * ({@code -prof gc} counts the background completion thread's allocation too).
   */
  @State(Scope.Thread)
  public static class CpuClock {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long spans;
    long cpuStart;
    long wallStart;
    long allocStart;

    @Setup(Level.Iteration)
    public void start() {
      spans = 0;
      cpuStart = THREADS.getCurrentThreadCpuTime();
      wallStart = System.nanoTime();
      allocStart = THREADS.getCurrentThreadAllocatedBytes();
    }

    @TearDown(Level.Iteration)
    public void stop() {
      long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
      long wall = System.nanoTime() - wallStart;
      long alloc = THREADS.getCurrentThreadAllocatedBytes() - allocStart;
      System.out.printf(
          "%n  append thread: %,d spans, %.0f ms CPU of %.0f ms wall: %,.0f spans per CPU-second, %.2f B/span"
              + " allocated%n",
          spans, cpu / 1e6, wall / 1e6, spans / (cpu / 1e9), (double) alloc / spans);
    }
  }

  @Benchmark
  @OperationsPerInvocation(SPANS_PER_BATCH)
  public int append(CpuClock clock) {
    SpanBatch b = batches[i++ & MASK];
    store.accept(b);
    clock.spans += b.size();
    return b.size();
  }
}
