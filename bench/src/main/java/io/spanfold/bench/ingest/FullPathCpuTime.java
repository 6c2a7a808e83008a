package io.spanfold.bench.ingest;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Companion to {@link FullPathBenchmark} for a shared, overloaded machine: the same workload, timed by the ingesting
 * thread's CPU time and by the whole process's CPU time (which adds the store's background threads: span-log
 * pre-allocation, fsync, block completion, and the JIT and GC) as well as wall time. Prints, per round of {@code
 * requests} 100-span requests, spans/s by each measure.
 *
 * <pre>
 * java [chronicle flags] -cp bench/target/benchmarks.jar io.spanfold.bench.ingest.FullPathCpuTime [consumers [requests [rounds]]]
 * </pre>
 */
public final class FullPathCpuTime {
  private FullPathCpuTime() {}

  public static void main(String[] args) throws Exception {
    FullPathBenchmark b = new FullPathBenchmark();
    b.consumers = args.length > 0 ? args[0] : "all";
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    b.setUp();
    try {
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long sink = 0;
      for (int i = 0; i < n; i++) {
        sink += b.ingest();
      }
      for (int round = 0; round < rounds; round++) {
        long cpu0 = mx.getCurrentThreadCpuTime();
        long proc0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          sink += b.ingest();
        }
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        long proc = os.getProcessCpuTime() - proc0;
        long wall = System.nanoTime() - wall0;
        double spans = (double) n * FullPathBenchmark.SPANS;
        System.out.printf("consumers=%s round %d: %.2f M spans/s wall, %.2f M spans per thread-CPU-second "
                + "(%.0f ns/span), %.2f M spans per process-CPU-second (%.0f ns/span)%n",
            b.consumers, round, spans / wall * 1e3, spans / cpu * 1e3, cpu / spans, spans / proc * 1e3, proc / spans);
      }
      System.out.println("(checksum " + sink + ")");
      // where the process's CPU went: the busiest threads since start (JIT and GC threads are not Java threads here)
      java.util.List<long[]> busy = new java.util.ArrayList<>();
      for (long id : mx.getAllThreadIds()) {
        long t = mx.getThreadCpuTime(id);
        if (t > 0) {
          busy.add(new long[] {t, id});
        }
      }
      busy.sort((x, y) -> Long.compare(y[0], x[0]));
      for (int i = 0; i < Math.min(6, busy.size()); i++) {
        java.lang.management.ThreadInfo info = mx.getThreadInfo(busy.get(i)[1]);
        System.out.printf("  thread %-40s %8.1f ms CPU%n", info == null ? "?" : info.getThreadName(), busy.get(i)[0] / 1e6);
      }
    } finally {
      b.tearDown();
    }
  }
}
