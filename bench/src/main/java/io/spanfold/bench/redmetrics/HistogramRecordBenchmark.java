package io.spanfold.bench.redmetrics;

import io.spanfold.redmetrics.histogram.ConcurrentHistogram;
import io.spanfold.redmetrics.histogram.ExplicitBuckets;
import io.spanfold.redmetrics.histogram.ExponentialBuckets;
import io.spanfold.redmetrics.histogram.HistogramRecorder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of one histogram record.
 *
 * <p>{@code java -jar bench/target/benchmarks.jar HistogramRecordBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class HistogramRecordBenchmark {
  private static final int MASK = 4095;
  private final long[] values = new long[MASK + 1];
  private int i;
  private HistogramRecorder recorder;
  private ConcurrentHistogram concurrent;
  private HistogramRecorder exponential;

  @Setup
  public void setup() {
    SplittableRandom r = new SplittableRandom(1);
    for (int k = 0; k < values.length; k++) {
      values[k] = (long) (Math.exp(r.nextDouble() * 20) * 1000);
    }
    ExplicitBuckets tempo = ExplicitBuckets.seconds(ExplicitBuckets.TEMPO_SPAN_METRICS_SECONDS);
    recorder = new HistogramRecorder(tempo);
    concurrent = new ConcurrentHistogram(tempo);
    exponential = new HistogramRecorder(ExponentialBuckets.seconds(3, 1e-6, 1e3));
  }

  @Benchmark
  public HistogramRecorder singleWriterExplicitWithExemplar() {
    long v = values[i++ & MASK];
    recorder.record(v, v, i, i);
    return recorder;
  }

  @Benchmark
  public HistogramRecorder singleWriterExponential() {
    exponential.record(values[i++ & MASK]);
    return exponential;
  }

  @Benchmark
  public ConcurrentHistogram concurrentExplicitWithExemplar() {
    long v = values[i++ & MASK];
    concurrent.record(v, v, i, i);
    return concurrent;
  }
}
