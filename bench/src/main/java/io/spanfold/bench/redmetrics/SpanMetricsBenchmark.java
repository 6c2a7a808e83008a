package io.spanfold.bench.redmetrics;

import io.prometheus.client.Collector;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.redmetrics.spanmetrics.SpanMetrics;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Span-metrics update cost per span with 10 000 active series (100 services x 50 span names x 2 status codes), 1 000-span batches;
 * and collection (scrape) time for those series. Target: <= 50 ns/span, 0 B/span.
 *
 * <p>{@code java -jar bench/target/benchmarks.jar SpanMetricsBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
public class SpanMetricsBenchmark {
  static final int SPANS = 1000;

  @Param({"0", "1"})
  public int dimensions;

  /** Not a JMH parameter: {@link SpanMetricsCpuTime} varies it to separate batch-data misses from series state. */
  int batchCount = 64;
  /** Distinct span names per service (100 services, 2 status codes): 50 gives 10 000 series. */
  int names = 50;

  private SpanBatch[] batches;
  private SpanMetrics metrics;
  private Collector collector;
  private int i;

  @Setup
  public void setup() {
    batches = BenchBatches.create(batchCount, SPANS, 100, names, 42);
    Clock fixed = Clock.fixed(Instant.ofEpochMilli(BenchBatches.NOW_MS), ZoneOffset.UTC);
    metrics =
        SpanMetrics.builder()
            .clock(fixed)
            .dimensions(dimensions == 0 ? List.of() : List.of("http.method"))
            .build();
    // warm every series in: 10 000 active (100 x 50 x 2 status codes)
    for (SpanBatch b : batches) {
      metrics.accept(b);
    }
    collector = metrics.collector();
    collector.collect();
  }

  @Benchmark
  @OperationsPerInvocation(SPANS)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public SpanMetrics acceptPerSpan() {
    metrics.accept(batches[i++ & (batches.length - 1)]);
    return metrics;
  }

  int activeSeries() {
    return metrics.activeSeries();
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public List<Collector.MetricFamilySamples> collect() {
    return collector.collect();
  }
}
