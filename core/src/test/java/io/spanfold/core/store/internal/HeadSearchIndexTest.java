package io.spanfold.core.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Postings must hold every trace that has a term, in the head index and in the {@code search.idx} written from it,
 * whatever the order spans of different traces arrive in (late spans of old traces make a term's postings unsorted
 * and repeat traces), for frequent and rare terms alike.
 */
class HeadSearchIndexTest {
  private static final String[] KEYS = {"http.request.method", "k", "server.address", "url.path", "x"};

  @Property(tries = 40)
  void postingsHoldExactlyTheTracesWithTheTerm(@ForAll long seed) throws IOException {
    Random r = new Random(seed);
    int traceCount = 1 + r.nextInt(r.nextBoolean() ? 40 : 3000);
    int spanCount = traceCount + r.nextInt(traceCount * 4);
    HeadTraceIndex traces = new HeadTraceIndex();
    HeadSearchIndex idx = new HeadSearchIndex(traces);
    Map<Long, TreeSet<Integer>> expected = new HashMap<>(); // term hash -> trace ordinals
    int[] ordinal = new int[traceCount];
    java.util.Arrays.fill(ordinal, -1);
    // resources: 3, with one attribute each
    byte[][] resources = new byte[3][];
    for (int i = 0; i < 3; i++) {
      resources[i] = Resource.newBuilder().addAttributes(str("service.name", "svc" + i)).build().toByteArray();
    }
    for (int s = 0; s < spanCount; s++) {
      // mostly new traces in order, sometimes a late span of an older one
      int trace = s < traceCount ? s : r.nextInt(traceCount);
      if (s >= traceCount && r.nextInt(4) == 0) {
        trace = traceCount - 1 - r.nextInt(Math.min(traceCount, 5));
      }
      int t = traces.add(trace + 1, 7, s * 64, 1000L + trace + r.nextInt(3), 2000L + trace, ordinal[trace] < 0, false);
      if (ordinal[trace] < 0) {
        ordinal[trace] = t;
      }
      assertThat(t).isEqualTo(ordinal[trace]);
      Span.Builder span = Span.newBuilder();
      int attrs = r.nextInt(6);
      for (int a = 0; a < attrs; a++) {
        String key = KEYS[r.nextInt(KEYS.length)];
        if (r.nextBoolean()) {
          // rare values (many traces posted once) and frequent ones
          String value = r.nextInt(3) == 0 ? "v" + r.nextInt(100_000) : "v" + r.nextInt(3);
          span.addAttributes(str(key, value));
          expect(expected, SearchTerms.stringTerm(SearchTerms.SCOPE_SPAN, key, value), t);
        } else {
          long v = r.nextInt(5);
          span.addAttributes(KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(v)));
          expect(expected, SearchTerms.scalarTerm(SearchTerms.SCOPE_SPAN, key, SearchTerms.TYPE_INT, v), t);
        }
      }
      byte[] spanBytes = span.build().toByteArray();
      String name = "op" + r.nextInt(4);
      byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
      byte[] buf = new byte[spanBytes.length + nameBytes.length];
      System.arraycopy(spanBytes, 0, buf, 0, spanBytes.length);
      System.arraycopy(nameBytes, 0, buf, spanBytes.length, nameBytes.length);
      int res = trace % 3;
      if (!idx.hasResource(res)) {
        idx.indexResource(res, resources[res], 0, resources[res].length);
      }
      int status = r.nextInt(3);
      int kind = r.nextInt(6);
      idx.addSpan(t, res, buf, 0, spanBytes.length, spanBytes.length, nameBytes.length, status, kind, 10, 20);
      expect(expected, SearchTerms.stringTerm(SearchTerms.SCOPE_RESOURCE, "service.name", "svc" + res), t);
      expect(expected, SearchTerms.stringTerm(SearchTerms.SCOPE_INTRINSIC, "name", name), t);
      expect(expected, SearchTerms.scalarTerm(SearchTerms.SCOPE_INTRINSIC, "status", SearchTerms.TYPE_INT, status), t);
      expect(expected, SearchTerms.scalarTerm(SearchTerms.SCOPE_INTRINSIC, "kind", SearchTerms.TYPE_INT, kind), t);
    }
    int n = traces.traceCount();
    assertThat(idx.termCount()).isEqualTo(expected.size());
    for (Map.Entry<Long, TreeSet<Integer>> e : expected.entrySet()) {
      int term = idx.termId(e.getKey());
      assertThat(term).as("term indexed").isGreaterThanOrEqualTo(0);
      assertThat(set(idx, term, n)).isEqualTo(e.getValue());
      assertThat(idx.sortedPostings(term)).containsExactly(e.getValue().stream().mapToInt(Integer::intValue).toArray());
    }
    // the same through search.idx: the dense (bitset) and sparse (sort) paths of completion both taken here
    SearchIndexFile.TraceColumns tc = new SearchIndexFile.TraceColumns(n);
    for (int t = 0; t < n; t++) {
      tc.set(t, traces.traceHigh(t), traces.traceLow(t), 0, 0, traces.count(t), traces.start(t), traces.end(t));
    }
    Path dir = Files.createTempDirectory("spanfold-search-idx");
    SearchIndexFile file;
    try {
      SearchIndexFile.write(dir, idx, tc, n);
      file = SearchIndexFile.open(dir);
    } finally {
      Files.deleteIfExists(dir.resolve(SearchIndexFile.FILE));
      Files.deleteIfExists(dir);
    }
    assertThat(file.traceCount()).isEqualTo(n);
    for (Map.Entry<Long, TreeSet<Integer>> e : expected.entrySet()) {
      int term = file.termId(e.getKey());
      assertThat(term).as("term in search.idx").isGreaterThanOrEqualTo(0);
      assertThat(set(file, term, n)).isEqualTo(e.getValue());
    }
    for (int i = 1; i < n; i++) {
      assertThat(file.start(file.byStartDescending(i - 1))).isGreaterThanOrEqualTo(file.start(file.byStartDescending(i)));
    }
  }

  @Test
  void newestFirstOrdersByStartDescendingTiesByOrdinal() {
    long[] start = {5, 9, 5, 1, 9, Long.MIN_VALUE + 3};
    assertThat(SearchIndexFile.newestFirst(start, 5)).containsExactly(1, 4, 0, 2, 3);
    // a range too wide to pack falls back to the comparator sort, same order
    assertThat(SearchIndexFile.newestFirst(new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, Long.MAX_VALUE}, 4))
        .containsExactly(1, 3, 2, 0);
  }

  @Test
  void oneFrequentTermAcrossManySlicesLosesNoTrace() {
    HeadTraceIndex traces = new HeadTraceIndex();
    HeadSearchIndex idx = new HeadSearchIndex(traces);
    byte[] span = Span.newBuilder().addAttributes(str("k", "v")).build().toByteArray();
    int n = 200_000; // past several pages of the slice pool
    for (int i = 0; i < n; i++) {
      int t = traces.add(i + 1, 1, i, i, i + 1, true, false);
      idx.addSpan(t, 0, span, 0, span.length, 0, 0, 0, 0, 0, 1);
    }
    int term = idx.termId(SearchTerms.stringTerm(SearchTerms.SCOPE_SPAN, "k", "v"));
    int[] p = idx.sortedPostings(term);
    assertThat(p).hasSize(n);
    for (int i = 0; i < n; i++) {
      assertThat(p[i]).isEqualTo(i);
    }
  }

  private static TreeSet<Integer> set(SearchData d, int term, int n) {
    long[] bits = new long[(n + 63) / 64];
    d.postings(term, bits);
    TreeSet<Integer> out = new TreeSet<>();
    for (int t = 0; t < n; t++) {
      if ((bits[t >>> 6] & (1L << t)) != 0) {
        out.add(t);
      }
    }
    return out;
  }

  private static void expect(Map<Long, TreeSet<Integer>> m, long term, int t) {
    m.computeIfAbsent(term, x -> new TreeSet<>()).add(t);
  }

  private static KeyValue str(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }
}
