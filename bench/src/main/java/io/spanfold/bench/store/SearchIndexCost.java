package io.spanfold.bench.store;

import io.spanfold.bench.load.RequestPool;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.store.internal.HeadSearchIndex;
import io.spanfold.core.store.internal.HeadTraceIndex;
import io.spanfold.core.store.internal.SearchIndexFile;
import io.spanfold.core.wire.OtlpAttributes;
import io.spanfold.core.wire.OtlpFields;
import io.spanfold.core.wire.OtlpProtoDecoder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The span store's search index alone, timed by this thread's CPU (so a loaded, shared machine inflates it less than
 * wall time): the same Beyla-like requests as {@code FullPathBenchmark} (fresh trace ids per request) are decoded once
 * per request and fed span by span into a {@link HeadSearchIndex} the way {@code HeadBlock.append} does, cut every
 * {@code blockSpans} spans; each cut block's {@code search.idx} is written as completion would
 * ({@link SearchIndexFile#write}, including its fsync). Prints ns/span for: the attribute walk alone (a visitor
 * that only sums its arguments: the floor any indexer pays), indexing ({@code addSpan}, walk included), and writing {@code search.idx}.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.spanfold.bench.store.SearchIndexCost [blocks [blockSpans]]
 * </pre>
 */
public final class SearchIndexCost {
  private SearchIndexCost() {}

  public static void main(String[] args) throws Exception {
    int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 6;
    int blockSpans = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    RequestPool pool = new RequestPool(64, 100, false, 1, System.nanoTime());
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    OtlpProtoDecoder decoder = new OtlpProtoDecoder();
    SpanBatch batch = new SpanBatch();
    Map<String, Integer> resourceIds = new HashMap<>();
    long[] sink = new long[1];
    // consumes every argument, so the walk's value decoding cannot be optimized away
    OtlpAttributes.AttributeVisitor empty = (b, ko, kl, type, vo, vl, bits) -> sink[0] += ko + kl + type + vo + vl + bits;
    Path dir = Files.createTempDirectory("spanfold-search-cost");
    long seq = 0;
    try {
      for (int block = 0; block < blocks; block++) {
        HeadTraceIndex traces = new HeadTraceIndex();
        HeadSearchIndex idx = new HeadSearchIndex(traces);
        long walk = 0;
        long index = 0;
        int spans = 0;
        while (spans < blockSpans) {
          byte[] body = pool.bodyInPlace(seq++);
          decoder.decode(body, 0, body.length, batch);
          int n = batch.size();
          int[] rid = new int[batch.resourceCount()];
          for (int r = 0; r < rid.length; r++) {
            String key = Arrays.toString(Arrays.copyOfRange(body, batch.resourceOffset(r),
                batch.resourceOffset(r) + Math.max(batch.resourceLength(r), 0)));
            rid[r] = resourceIds.computeIfAbsent(key, k -> resourceIds.size());
          }
          int[] t = new int[n];
          for (int i = 0; i < n; i++) {
            t[i] = traces.add(batch.traceIdHigh(i), batch.traceIdLow(i), i, batch.startNanos(i), batch.endNanos(i),
                batch.parentSpanId(i) == 0, batch.statusCode(i) == 2);
          }
          long c0 = mx.getCurrentThreadCpuTime();
          for (int i = 0; i < n; i++) {
            OtlpAttributes.forEach(body, batch.spanOffset(i), batch.spanLength(i), OtlpFields.SPAN_ATTRIBUTES, empty);
          }
          long c1 = mx.getCurrentThreadCpuTime();
          for (int i = 0; i < n; i++) {
            int ri = batch.resourceIndex(i);
            int r = rid[ri];
            if (!idx.hasResource(r)) {
              idx.indexResource(r, body, batch.resourceOffset(ri), Math.max(batch.resourceLength(ri), 0));
            }
            int nameLength = batch.nameLength(i);
            idx.addSpan(t[i], r, body, batch.spanOffset(i), batch.spanLength(i),
                nameLength > 0 ? batch.nameOffset(i) : 0, Math.max(nameLength, 0), batch.statusCode(i), batch.kind(i),
                batch.startNanos(i), batch.endNanos(i));
          }
          long c2 = mx.getCurrentThreadCpuTime();
          walk += c1 - c0;
          index += c2 - c1;
          spans += n;
        }
        int tc = traces.traceCount();
        SearchIndexFile.TraceColumns cols = new SearchIndexFile.TraceColumns(tc);
        for (int i = 0; i < tc; i++) {
          cols.set(i, traces.traceHigh(i), traces.traceLow(i), 0, 0, traces.count(i), traces.start(i), traces.end(i));
        }
        long w0 = mx.getCurrentThreadCpuTime();
        SearchIndexFile.write(dir, idx, cols, tc);
        long write = mx.getCurrentThreadCpuTime() - w0;
        System.out.printf("block %d: %d spans, %d traces, %d terms, %.0f MiB heap | attribute walk %.0f"
                + " ns/span, indexing (walk included) %.0f ns/span, search.idx write %.0f ns/span (%d ms)%n",
            block, spans, tc, idx.termCount(), idx.heapBytes() / 1048576.0, (double) walk / spans,
            (double) index / spans, (double) write / spans, write / 1_000_000);
      }
      System.out.println("(checksum " + sink[0] + ")");
    } finally {
      Files.deleteIfExists(dir.resolve(SearchIndexFile.FILE));
      Files.deleteIfExists(dir);
    }
  }
}
