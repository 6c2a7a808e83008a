package io.spanfold.bench.store;

import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.store.BlockInfo;
import io.spanfold.core.store.SpanStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Heap and disk footprint of the store as it fills: appends N spans (default 10 M) as 20-span traces with default
 * settings (head cut at 1 M spans), printing heap used after a full GC, bytes on disk and bytes per span every 1 M.
 * Run with the heap the target names:
 *
 * <pre>
 * java -Xmx256m $CHRONICLE_FLAGS -cp bench/target/benchmarks.jar io.spanfold.bench.store.StoreFootprint 10000000
 * </pre>
 *
 * Optional further arguments: spans per trace (default 20; 1 gives the worst case for per-trace heap, 100 spans a
 * request then) and the store's {@code maxBlockTraces} (default: the store's default).
 */
public final class StoreFootprint {
  private StoreFootprint() {}

  public static void main(String[] args) throws Exception {
    long total = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    Random rnd = new Random(5);
    long now = System.currentTimeMillis() * 1_000_000L;
    int batchesInPool = 256;
    SpanBatch[] pool = new SpanBatch[batchesInPool];
    Path dir = Files.createTempDirectory("spanfold-footprint");
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    int spansPerTrace = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int tracesPerRequest = Math.max(1, 100 / spansPerTrace);
    SpanStore.Builder builder = SpanStore.builder().dataDir(dir);
    if (args.length > 2) {
      builder.maxBlockTraces(Integer.parseInt(args[2]));
    }
    long maxHeap = 0;
    try (SpanStore store = builder.build()) {
      long appended = 0;
      long t0 = System.nanoTime();
      long nextReport = 1_000_000;
      int request = 0;
      while (appended < total) {
        // fresh trace ids per request: rebuild a pooled batch's request with new ids every pass
        int slot = request % batchesInPool;
        pool[slot] = StoreBenchData.decode(
            StoreBenchData.request(rnd, 11, (long) request * tracesPerRequest + 1, tracesPerRequest, spansPerTrace, 0,
                now));
        store.accept(pool[slot]);
        appended += pool[slot].size();
        request++;
        if (appended >= nextReport) {
          System.gc();
          long heap = mem.getHeapMemoryUsage().getUsed();
          maxHeap = Math.max(maxHeap, heap);
          long disk = StoreBenchData.sizeOnDisk(dir);
          long pending = store.blocks().stream().filter(b -> b.state() != io.spanfold.core.store.BlockState.COMPLETE)
              .count();
          System.out.printf("spans=%,d heapUsedAfterGc=%.1f MiB disk=%.1f MiB bytes/span=%.1f blocks=%d "
                  + "(head or completing: %d) elapsed=%.1fs%n",
              appended, heap / 1048576.0, disk / 1048576.0, (double) disk / appended, store.blocks().size(), pending,
              (System.nanoTime() - t0) / 1e9);
          nextReport += 1_000_000;
        }
      }
      store.completeHeadBlock();
      System.gc();
      long disk = StoreBenchData.sizeOnDisk(dir);
      long stored = store.blocks().stream().mapToLong(BlockInfo::spanCount).sum();
      System.out.printf("max heapUsedAfterGc at the reports=%.1f MiB%n", maxHeap / 1048576.0);
      System.out.printf("final: spans=%,d blocks=%d heapUsedAfterGc=%.1f MiB disk=%.1f MiB bytes/span=%.1f%n",
          stored, store.blocks().size(), mem.getHeapMemoryUsage().getUsed() / 1048576.0, disk / 1048576.0,
          (double) disk / stored);
      long t1 = System.nanoTime();
      int found = 0;
      for (int k = 0; k < 10_000; k++) {
        if (store.findTrace(11, 1 + rnd.nextInt(request * 5), 0, 0) != null) {
          found++;
        }
      }
      System.out.printf("lookups: %d of 10000 found, mean %.1f us%n", found, (System.nanoTime() - t1) / 1e3 / 10_000);
    } finally {
      StoreBenchData.deleteRecursively(dir);
    }
  }
}
