package io.spanfold.bench.ingest;

import io.spanfold.bench.load.RequestPool;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.core.wire.OtlpProtoDecoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole in-process ingest path on one thread: a 100-span OTLP protobuf request is decoded
 * ({@link OtlpProtoDecoder}) into a reused {@link SpanBatch} and handed to {@link SpanIngest}, which validates it and
 * fans it out to the consumers chosen by {@link #consumers}. Every operation sends new trace ids (a
 * {@link RequestPool} of 64 Beyla-like requests rewritten in place, 8 bytes per span), so the store and the service
 * graph see fresh traces as they would from a real client. Score: spans/s on one core (one operation = one span);
 * with {@code -prof gc}, {@code gc.alloc.rate.norm} is bytes allocated per span.
 *
 * <p>Run: {@code mvn -B -o -q -pl bench -am package -DskipTests && java -jar bench/target/benchmarks.jar
 * FullPathBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s -prof gc -rf json -rff bench/results/fullpath.json}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class FullPathBenchmark {
  static final int SPANS = 100;

  /**
   * Which consumers {@link SpanIngest} fans out to: {@code none} (decode and validation only), {@code store} (span
   * store in a temporary directory), {@code metrics} (span-metrics), {@code graph} (service graph and its metrics),
   * {@code all} (the three, store first, as the server wires them); see {@link Consumers}.
   */
  @Param({"none", "store", "metrics", "graph", "all"})
  public String consumers;

  private RequestPool pool;
  private final OtlpProtoDecoder decoder = new OtlpProtoDecoder();
  private final SpanBatch batch = new SpanBatch();
  private Consumers wired;
  private SpanIngest ingest;
  private long seq;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    pool = new RequestPool(64, SPANS, false, 1, System.nanoTime());
    wired = Consumers.open(consumers);
    ingest = wired.ingest();
    // fail fast on a broken setup rather than measure an exception path
    for (int i = 0; i < pool.size(); i++) {
      if (ingest() != SPANS) {
        throw new IllegalStateException("request " + i + " was not accepted whole");
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    wired.close();
  }

  @Benchmark
  @OperationsPerInvocation(SPANS)
  public int ingest() throws MalformedRequestException {
    byte[] b = pool.bodyInPlace(seq++);
    decoder.decode(b, 0, b.length, batch);
    return ingest.ingest(batch).accepted();
  }
}
