package io.spanfold.bench.graph;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Companion to {@link ServiceGraphBenchmark} for a shared, overloaded machine: the same workload, timed by the
 * thread's CPU time rather than wall time, so time spent descheduled by other tenants does not count. Prints wall and
 * CPU nanoseconds per span for five rounds of 20 000 requests (10.24 M spans) after a warm-up.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.spanfold.bench.graph.ServiceGraphCpuTime [noop|metrics] [pending]
 * </pre>
 */
public final class ServiceGraphCpuTime {
  private ServiceGraphCpuTime() {}

  public static void main(String[] args) {
    ServiceGraphBenchmark b = new ServiceGraphBenchmark();
    b.listener = args.length > 0 ? args[0] : "noop";
    b.pending = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    b.setUp();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int i = 0; i < 20_000; i++) {
      sink += b.acceptBatch();
    }
    for (int round = 0; round < 5; round++) {
      int n = 20_000;
      long cpu0 = mx.getCurrentThreadCpuTime();
      long wall0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += b.acceptBatch();
      }
      long cpu = mx.getCurrentThreadCpuTime() - cpu0;
      long wall = System.nanoTime() - wall0;
      double spans = (double) n * ServiceGraphBenchmark.SPANS;
      System.out.printf("listener=%s pending=%d round %d: wall %.1f ns/span, cpu %.1f ns/span%n", b.listener, b.pending, round,
          wall / spans, cpu / spans);
    }
    System.out.println("(checksum " + sink + ")");
  }
}
