package io.spanfold.bench.redmetrics;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Companion to {@link SpanMetricsBenchmark} for a shared, overloaded machine: the same workload (10 000 active series,
 * 1 000-span batches), timed by the thread's CPU time as well as wall time, so time spent descheduled by other
 * tenants does not count. Prints wall and CPU nanoseconds per span for five rounds of 10 000 batches (10 M spans)
 * after a warm-up of the same size.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.spanfold.bench.redmetrics.SpanMetricsCpuTime [dimensions [rounds [batches [names]]]]
 * </pre>
 */
public final class SpanMetricsCpuTime {
  private SpanMetricsCpuTime() {}

  public static void main(String[] args) {
    SpanMetricsBenchmark b = new SpanMetricsBenchmark();
    b.dimensions = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    b.batchCount = args.length > 2 ? Integer.parseInt(args[2]) : 64; // a power of two
    b.names = args.length > 3 ? Integer.parseInt(args[3]) : 50;
    b.setup();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    int n = 10_000;
    long sink = 0;
    for (int i = 0; i < n; i++) {
      sink += b.acceptPerSpan().hashCode() & 1;
    }
    for (int round = 0; round < rounds; round++) {
      long cpu0 = mx.getCurrentThreadCpuTime();
      long wall0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += b.acceptPerSpan().hashCode() & 1;
      }
      long cpu = mx.getCurrentThreadCpuTime() - cpu0;
      long wall = System.nanoTime() - wall0;
      double spans = (double) n * SpanMetricsBenchmark.SPANS;
      System.out.printf("dimensions=%d batches=%d names=%d round %d: wall %.1f ns/span, cpu %.1f ns/span%n", b.dimensions, b.batchCount, b.names, round,
          wall / spans, cpu / spans);
    }
    System.out.println("(checksum " + sink + ", active series " + b.activeSeries() + ")");
  }
}
