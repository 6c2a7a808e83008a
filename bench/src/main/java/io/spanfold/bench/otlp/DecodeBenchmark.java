package io.spanfold.bench.otlp;

import io.spanfold.bench.BenchData;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.core.wire.OtlpProtoDecoder;
import io.spanfold.otlp.json.OtlpJsonDecoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding a 100-span OTLP {@code ExportTraceServiceRequest} into a {@link SpanBatch}: protobuf
 * ({@link OtlpProtoDecoder}) and OTLP/JSON ({@link OtlpJsonDecoder}). Scores are spans per second (one operation = one
 * span, via {@code @OperationsPerInvocation(100)}); with {@code -prof gc}, {@code gc.alloc.rate.norm} is therefore
 * bytes allocated per span. Sixteen different pre-generated requests ({@link BenchData}) are cycled so that branch
 * prediction does not learn one input.
 *
 * <p>Run: {@code mvn -B -o -q -pl bench -am package -DskipTests && java -jar bench/target/benchmarks.jar
 * DecodeBenchmark -f 1 -wi 3 -i 5 -w 2s -r 2s -prof gc -rf json -rff bench/results/decode.json}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DecodeBenchmark {
  static final int SPANS = 100;
  private static final int MASK = 15;

  private final byte[][] protobuf = new byte[MASK + 1][];
  private final byte[][] json = new byte[MASK + 1][];
  private final OtlpProtoDecoder protoDecoder = new OtlpProtoDecoder();
  private final OtlpJsonDecoder jsonDecoder = new OtlpJsonDecoder();
  private final SpanBatch batch = new SpanBatch();
  private int next;

  @Setup
  public void setUp() throws MalformedRequestException {
    for (int i = 0; i <= MASK; i++) {
      protobuf[i] = BenchData.protobuf(SPANS, i + 1);
      json[i] = BenchData.jsonBytes(SPANS, i + 1);
      // fail fast on a broken setup rather than measure an exception path
      protoDecoder.decode(protobuf[i], 0, protobuf[i].length, batch);
      check();
      jsonDecoder.decode(json[i], 0, json[i].length, batch);
      check();
    }
  }

  private void check() {
    if (batch.size() != SPANS) {
      throw new IllegalStateException("expected " + SPANS + " spans, decoded " + batch.size());
    }
  }

  @Benchmark
  @OperationsPerInvocation(SPANS)
  public int protobuf() throws MalformedRequestException {
    byte[] b = protobuf[next++ & MASK];
    protoDecoder.decode(b, 0, b.length, batch);
    return batch.size();
  }

  @Benchmark
  @OperationsPerInvocation(SPANS)
  public int json() throws MalformedRequestException {
    byte[] b = json[next++ & MASK];
    jsonDecoder.decode(b, 0, b.length, batch);
    return batch.size();
  }
}
