package io.spanfold.core.store.internal;

import static io.spanfold.core.store.internal.SpanLogDescriptor.*;

import io.spanfold.core.query.TagSearch;
import io.spanfold.core.query.traceql.Attribute;
import io.spanfold.core.query.traceql.Condition;
import io.spanfold.core.query.traceql.OtlpTraceView;
import io.spanfold.core.query.traceql.Query;
import io.spanfold.core.query.traceql.Spanset;
import io.spanfold.core.query.traceql.Value;
import io.spanfold.core.query.traceql.internal.Re2;
import io.spanfold.core.search.SearchRequest;
import io.spanfold.core.search.SearchResponse;
import io.spanfold.core.search.TagValue;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Internal, unstable. Search over one tenant's blocks: each block's postings and trace columns narrow the candidate
 * traces from the query's required conditions ({@link Query#requiredConditions()}) or the tag search's tags, then every
 * candidate is verified by evaluating the query on its spans (an {@link OtlpTraceView} over the stored bytes), so the
 * index only ever has to be sound, never exact.
 *
 * <p>As Tempo, a trace is evaluated per block on the spans that block holds and results for the same trace from
 * several blocks are combined (start = earliest, spansets concatenated, root from the block that has it).
 *
 * <p>Candidates are visited newest first (completed blocks store their trace order by start); once {@code limit}
 * traces matched, blocks and traces older than the oldest kept result are skipped. The head block's postings are read
 * under its append lock only to compute the candidate list (bitset operations over primitive arrays); spans are
 * read after releasing it. Runs on the caller's thread.
 */
public final class SearchEngine {
  private SearchEngine() {}

  /** A head trace's records, read outside the append lock. */
  static final class Records {
    final ByteBuffer buf;
    final int[] offsets;
    final int n;
    final int[] resourceOffsets;

    Records(ByteBuffer buf, int[] offsets, int n, int[] resourceOffsets) {
      this.buf = buf;
      this.offsets = offsets;
      this.n = n;
      this.resourceOffsets = resourceOffsets;
    }
  }

  // ------------------------------------------------------------------ narrowing plan

  /** One narrowing step: a bitset of possible traces, or null when the block's index cannot tell. */
  private interface Narrow {
    long[] bits(SearchData d);
  }

  /** A per-trace column test (durations). */
  private interface ColumnTest {
    boolean test(SearchData d, int t);
  }

  static final class Plan {
    final List<Narrow> narrows = new ArrayList<>();
    final List<ColumnTest> columns = new ArrayList<>();

    static Plan of(SearchRequest r) {
      return r.query() != null ? ofQuery(r.query()) : ofTags(r.tags());
    }

    static Plan ofQuery(Query q) {
      Plan p = new Plan();
      if (q == null) {
        return p;
      }
      for (Condition c : q.requiredConditions()) {
        p.add(c);
      }
      return p;
    }

    static Plan ofTags(TagSearch ts) {
      Plan p = new Plan();
      for (Map.Entry<String, String> t : ts.tags().entrySet()) {
        String k = t.getKey();
        String v = t.getValue();
        switch (k) {
          case "root.name":
          case "root.service.name":
          case "name":
          case "http.method":
          case "http.url":
          case "service.name":
          case "cluster":
          case "namespace":
          case "pod":
          case "container":
          case "k8s.cluster.name":
          case "k8s.namespace.name":
          case "k8s.pod.name":
          case "k8s.container.name":
            break; // substring matches: verified on the spans
          case "status.code":
            {
              int code = v.equals("ok") ? 1 : v.equals("error") ? 2 : 0;
              p.narrows.add(terms(new long[][] {intrinsicInt("status", code)}));
            }
            break;
          case "http.status_code":
            try {
              long want = Long.parseLong(v);
              p.narrows.add(terms(new long[][] {attr(SearchTerms.SCOPE_SPAN, k, SearchTerms.TYPE_INT, want, null)}));
              break;
            } catch (NumberFormatException notInt) {
              // generic below
            }
            p.narrows.add(generic(k, v));
            break;
          default:
            p.narrows.add(generic(k, v));
        }
      }
      long min = ts.minDurationMs() * 1_000_000L;
      long max = ts.maxDurationMs() > 0 ? ts.maxDurationMs() * 1_000_000L : Long.MAX_VALUE;
      if (ts.minDurationMs() > 0 || ts.maxDurationMs() > 0) {
        p.columns.add((d, t) -> {
          long dur = d.end(t) - d.start(t);
          return dur >= min && dur <= max;
        });
      }
      return p;
    }

    private static Narrow generic(String k, String v) {
      return terms(new long[][] {
          attr(SearchTerms.SCOPE_SPAN, k, SearchTerms.TYPE_STRING, 0, v),
          attr(SearchTerms.SCOPE_RESOURCE, k, SearchTerms.TYPE_STRING, 0, v)});
    }

    private void add(Condition c) {
      Attribute a = c.attribute();
      Value v = c.operand();
      Condition.Operator op = c.operator();
      Attribute.Intrinsic in = a.intrinsic();
      if (in == null) {
        byte[] scopes = a.scope() == Attribute.Scope.SPAN ? new byte[] {SearchTerms.SCOPE_SPAN}
            : a.scope() == Attribute.Scope.RESOURCE ? new byte[] {SearchTerms.SCOPE_RESOURCE}
            : new byte[] {SearchTerms.SCOPE_SPAN, SearchTerms.SCOPE_RESOURCE};
        if (op == Condition.Operator.EQ) {
          List<long[]> alts = new ArrayList<>();
          for (byte s : scopes) {
            if (!valueAlternatives(s, a.name(), v, alts)) {
              return;
            }
          }
          narrows.add(terms(alts.toArray(new long[0][])));
        } else if (op == Condition.Operator.REGEX && v.type() == Value.Type.STRING) {
          Pattern pt = compile(v.asString());
          if (pt != null) {
            long[] keys = new long[scopes.length];
            for (int i = 0; i < scopes.length; i++) {
              keys[i] = SearchTerms.keyHash(scopes[i], a.name());
            }
            narrows.add(regex(keys, pt));
          }
        }
        return;
      }
      switch (in) {
        case NAME:
          if (op == Condition.Operator.EQ && v.type() == Value.Type.STRING) {
            narrows.add(terms(new long[][] {attr(SearchTerms.SCOPE_INTRINSIC, "name", SearchTerms.TYPE_STRING, 0,
                v.asString())}));
          } else if (op == Condition.Operator.REGEX && v.type() == Value.Type.STRING) {
            Pattern pt = compile(v.asString());
            if (pt != null) {
              narrows.add(regex(new long[] {SearchTerms.keyHash(SearchTerms.SCOPE_INTRINSIC, "name")}, pt));
            }
          }
          break;
        case STATUS:
          if (op == Condition.Operator.EQ && v.type() == Value.Type.STATUS) {
            int code = v.bits() == Value.STATUS_ERROR ? 2 : v.bits() == Value.STATUS_OK ? 1 : 0;
            narrows.add(terms(new long[][] {intrinsicInt("status", code)}));
          }
          break;
        case KIND:
          if (op == Condition.Operator.EQ && v.type() == Value.Type.KIND) {
            int[] otlp = {0, 1, 3, 2, 4, 5};
            if (v.bits() >= 0 && v.bits() < otlp.length) {
              narrows.add(terms(new long[][] {intrinsicInt("kind", otlp[(int) v.bits()])}));
            }
          }
          break;
        case DURATION:
          if (v.type().isNumeric()) {
            double x = v.asDouble();
            switch (op) {
              case GT:
                columns.add((d, t) -> d.maxSpanDuration(t) > x);
                break;
              case GTE:
                columns.add((d, t) -> d.maxSpanDuration(t) >= x);
                break;
              case LT:
                columns.add((d, t) -> d.minSpanDuration(t) < x);
                break;
              case LTE:
                columns.add((d, t) -> d.minSpanDuration(t) <= x);
                break;
              case EQ:
                columns.add((d, t) -> d.minSpanDuration(t) <= x && d.maxSpanDuration(t) >= x);
                break;
              default:
                break;
            }
          }
          break;
        case TRACE_DURATION:
          if (v.type().isNumeric()) {
            double x = v.asDouble();
            switch (op) {
              case GT:
                columns.add((d, t) -> d.end(t) - d.start(t) > x);
                break;
              case GTE:
                columns.add((d, t) -> d.end(t) - d.start(t) >= x);
                break;
              case LT:
                columns.add((d, t) -> d.end(t) - d.start(t) < x);
                break;
              case LTE:
                columns.add((d, t) -> d.end(t) - d.start(t) <= x);
                break;
              case EQ:
                columns.add((d, t) -> d.end(t) - d.start(t) == x);
                break;
              default:
                break;
            }
          }
          break;
        default:
          break;
      }
    }

    /** Index terms that together hold every value TraceQL's {@code =} finds equal to {@code v}; false = none apply. */
    private static boolean valueAlternatives(byte scope, String key, Value v, List<long[]> alts) {
      switch (v.type()) {
        case STRING:
          alts.add(attr(scope, key, SearchTerms.TYPE_STRING, 0, v.asString()));
          return true;
        case BOOLEAN:
          alts.add(attr(scope, key, SearchTerms.TYPE_BOOL, v.asBoolean() ? 1 : 0, null));
          return true;
        case INT:
        case DURATION:
          alts.add(attr(scope, key, SearchTerms.TYPE_INT, v.bits(), null));
          alts.add(attr(scope, key, SearchTerms.TYPE_FLOAT, HeadSearchIndex.floatBits((double) v.bits()), null));
          return true;
        case FLOAT:
          {
            double d = v.asDouble();
            if (Double.isNaN(d)) {
              return false;
            }
            alts.add(attr(scope, key, SearchTerms.TYPE_FLOAT, HeadSearchIndex.floatBits(d), null));
            if (d == Math.rint(d) && Math.abs(d) < 9.0e18) {
              alts.add(attr(scope, key, SearchTerms.TYPE_INT, (long) d, null));
            }
            return true;
          }
        default:
          return false;
      }
    }

    private static long[] attr(byte scope, String key, byte type, long bits, String str) {
      long kh = SearchTerms.keyHash(scope, key);
      long th = type == SearchTerms.TYPE_STRING ? SearchTerms.stringTerm(scope, key, str)
          : SearchTerms.scalarTerm(scope, key, type, bits);
      return new long[] {kh, th};
    }

    private static long[] intrinsicInt(String key, int code) {
      return attr(SearchTerms.SCOPE_INTRINSIC, key, SearchTerms.TYPE_INT, code, null);
    }

    private static Pattern compile(String re) {
      try {
        return Re2.compile(re);
      } catch (PatternSyntaxException e) {
        return null;
      }
    }

    /** Traces holding any of the (key hash, term hash) alternatives. */
    private static Narrow terms(long[][] alts) {
      return d -> {
        long[] bits = new long[(d.traceCount() + 63) >>> 6];
        for (long[] alt : alts) {
          int k = d.keyId(alt[0]);
          if (k < 0) {
            if (d.keysOverflow()) {
              return null;
            }
            continue;
          }
          if (d.keyPartial(k)) {
            return null;
          }
          int term = d.termId(alt[1]);
          if (term >= 0) {
            d.postings(term, bits);
          }
        }
        return bits;
      };
    }

    /** Traces holding a string value of one of the keys that the (anchored) regex matches. */
    private static Narrow regex(long[] keys, Pattern p) {
      return d -> {
        long[] bits = new long[(d.traceCount() + 63) >>> 6];
        for (long kh : keys) {
          int k = d.keyId(kh);
          if (k < 0) {
            if (d.keysOverflow()) {
              return null;
            }
            continue;
          }
          if (d.keyPartial(k)) {
            return null;
          }
          d.forEachTermOfKey(k, term -> {
            String s = d.termString(term);
            if (s != null && p.matcher(s).matches()) {
              d.postings(term, bits);
            }
          });
        }
        return bits;
      };
    }

    /** Candidate bitset for a block: the AND of every narrowing that applies; null = every trace. */
    long[] candidates(SearchData d) {
      long[] acc = null;
      for (Narrow n : narrows) {
        long[] b = n.bits(d);
        if (b == null) {
          continue;
        }
        if (acc == null) {
          acc = b;
        } else {
          for (int i = 0; i < acc.length; i++) {
            acc[i] &= b[i];
          }
        }
      }
      return acc;
    }

    boolean columnsPass(SearchData d, int t) {
      for (ColumnTest c : columns) {
        if (!c.test(d, t)) {
          return false;
        }
      }
      return true;
    }
  }

  // ------------------------------------------------------------------ search

  /** Mutable search state across blocks. */
  private static final class Run {
    final SearchRequest req;
    final Plan plan;
    final long deadline;
    final Map<Long2, Found> found = new HashMap<>();
    final PriorityQueue<Long> kept = new PriorityQueue<>();
    long inspectedTraces;
    long inspectedSpans;
    long inspectedBytes;
    int blocks;
    boolean partial;

    Run(SearchRequest req) {
      this.req = req;
      this.plan = Plan.of(req);
      this.deadline = System.nanoTime() + req.timeBudget().toNanos();
    }

    /** Traces starting before this cannot enter the result any more. */
    long floor() {
      return kept.size() >= req.limit() ? kept.peek() : Long.MIN_VALUE;
    }

    boolean expired() {
      if (System.nanoTime() - deadline > 0) {
        partial = true;
        return true;
      }
      return false;
    }
  }

  private static final class Long2 {
    final long hi;
    final long lo;

    Long2(long hi, long lo) {
      this.hi = hi;
      this.lo = lo;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Long2 && ((Long2) o).hi == hi && ((Long2) o).lo == lo;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(hi * 31 + lo);
    }
  }

  private static final class Found {
    long hi;
    long lo;
    boolean hasRoot;
    String rootService;
    String rootName;
    long start;
    long end;
    final List<SearchResponse.SpansetSummary> spansets = new ArrayList<>();
    final TreeMap<String, long[]> stats = new TreeMap<>();
  }

  /**
   * Searches a snapshot of the blocks as the request says; null when a block was replaced or deleted under the search
   * (its successor is only in a newer snapshot), so the caller retries.
   */
  public static SearchResponse search(Block[] blocks, SearchRequest req, long nowNanos) {
    Run run = new Run(req);
    if (req.query() != null && req.query().isNoop()) {
      return new SearchResponse(List.of(), 0, 0, 0, 0, false);
    }
    long from = req.fromNanos();
    long to = req.toNanos() == 0 ? Long.MAX_VALUE : req.toNanos();
    long blockFrom = req.isRecentOnly() ? nowNanos - req.recentWindow().toNanos() : from;
    Block[] ordered = blocks.clone();
    Arrays.sort(ordered, (a, b) -> Long.compare(b.maxTimeNanos(), a.maxTimeNanos()));
    for (Block b : ordered) {
      if (b.spanCount() == 0 || b.maxTimeNanos() < blockFrom || (!req.isRecentOnly() && b.minTimeNanos() > to)) {
        continue;
      }
      if (run.partial || run.expired()) {
        break;
      }
      if (!b.acquire()) {
        return null; // replaced (completed) or deleted since the snapshot: the caller retries on a newer one
      }
      try {
        run.blocks++;
        if (b instanceof HeadBlock) {
          searchHead((HeadBlock) b, run, req.isRecentOnly() ? Long.MIN_VALUE : from, to);
        } else if (b instanceof CompletedBlock) {
          searchCompleted((CompletedBlock) b, run, req.isRecentOnly() ? Long.MIN_VALUE : from, to);
        }
      } finally {
        b.release();
      }
    }
    List<Found> all = new ArrayList<>(run.found.values());
    all.sort((a, b) -> {
      int c = Long.compare(b.start, a.start);
      return c != 0 ? c : Long.compare(a.hi ^ a.lo, b.hi ^ b.lo);
    });
    List<SearchResponse.TraceSummary> out = new ArrayList<>();
    for (Found f : all) {
      if (out.size() == req.limit()) {
        break;
      }
      out.add(new SearchResponse.TraceSummary(f.hi, f.lo, f.hasRoot ? f.rootService : null,
          f.hasRoot ? f.rootName : null, f.start, f.end - f.start, f.spansets, f.stats));
    }
    return new SearchResponse(out, run.inspectedTraces, run.inspectedSpans, run.inspectedBytes, run.blocks,
        run.partial);
  }

  private static void searchHead(HeadBlock h, Run run, long from, long to) {
    int[] ords;
    long[] starts;
    int n = 0;
    synchronized (h.lock()) {
      HeadSearchIndex d = h.searchIndex();
      int traces = d.traceCount();
      long[] bits = run.plan.candidates(d);
      ords = new int[bits == null ? traces : Math.min(traces, cardinality(bits))];
      starts = new long[ords.length];
      for (int t = 0; t < traces; t++) {
        if (bits != null && (bits[t >>> 6] & (1L << t)) == 0) {
          continue;
        }
        if (d.start(t) <= to && d.end(t) >= from && run.plan.columnsPass(d, t)) {
          ords[n] = t;
          starts[n] = d.start(t);
          n++;
        }
      }
    }
    // Head ordinals follow arrival, which roughly follows start time: visiting them newest-arrival first and skipping
    // (not stopping at) traces older than the current floor needs no sort and stays exact.
    for (int i = n - 1; i >= 0; i--) {
      if (starts[i] < run.floor()) {
        continue;
      }
      if ((i & 63) == 0 && run.expired()) {
        return;
      }
      Records r = h.records(ords[i]);
      if (r != null) {
        verify(run, viewOf(r.buf, r.offsets, r.n, r.resourceOffsets, run));
      }
    }
  }

  private static void searchCompleted(CompletedBlock c, Run run, long from, long to) {
    SearchIndexFile d = c.searchIndex();
    int traces = d.traceCount();
    long[] bits = run.plan.candidates(d);
    ByteBuffer spans = c.spans().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int[] res = c.resourceOffsets();
    int[] offsets = new int[16];
    for (int i = 0; i < traces; i++) {
      int t = d.byStartDescending(i);
      if ((i & 1023) == 0 && run.expired()) {
        return;
      }
      if (bits != null && (bits[t >>> 6] & (1L << t)) == 0) {
        continue;
      }
      long start = d.start(t);
      if (start < run.floor()) {
        break;
      }
      if (start > to || d.end(t) < from || !run.plan.columnsPass(d, t)) {
        continue;
      }
      int at = (int) d.rangeOffset(t);
      int end = at + d.rangeLength(t);
      int n = 0;
      while (at < end) {
        if (n == offsets.length) {
          offsets = Arrays.copyOf(offsets, n * 2);
        }
        offsets[n++] = at;
        at += align(spans.getInt(at + LENGTH));
      }
      verify(run, viewOf(spans, offsets, n, res, run));
    }
  }

  private static OtlpTraceView viewOf(ByteBuffer buf, int[] offsets, int n, int[] resourceOffsets, Run run) {
    OtlpTraceView.Builder b = OtlpTraceView.builder();
    Map<Integer, byte[]> resources = new HashMap<>();
    for (int i = 0; i < n; i++) {
      int at = offsets[i];
      int sl = buf.getInt(at + SPAN_BYTES_LENGTH);
      byte[] span = new byte[sl];
      buf.get(at + SPAN_BYTES, span);
      int r = buf.getInt(at + SPAN_RESOURCE_ID);
      byte[] res = resources.computeIfAbsent(r, id -> {
        int ro = resourceOffsets[id];
        byte[] m = new byte[Math.max(buf.getInt(ro + DICT_MESSAGE_LENGTH), 0)];
        buf.get(ro + DICT_BYTES, m);
        return m;
      });
      b.addSpan(span, res);
      if (run != null) {
        run.inspectedBytes += sl;
      }
    }
    return b.build();
  }

  private static void verify(Run run, OtlpTraceView v) {
    run.inspectedTraces++;
    run.inspectedSpans += v.spanCount();
    List<Spanset> sets;
    if (run.req.query() != null) {
      sets = run.req.query().evaluate(v);
      if (sets.isEmpty()) {
        return;
      }
    } else {
      if (!run.req.tags().matches(v)) {
        return;
      }
      sets = List.of();
    }
    Long2 key = new Long2(v.traceIdHigh(), v.traceIdLow());
    Found f = run.found.get(key);
    boolean isNew = f == null;
    if (isNew) {
      f = new Found();
      f.hi = v.traceIdHigh();
      f.lo = v.traceIdLow();
      f.start = Long.MAX_VALUE;
      f.end = Long.MIN_VALUE;
      run.found.put(key, f);
    }
    f.start = Math.min(f.start, v.traceStartNanos());
    f.end = Math.max(f.end, v.traceEndNanos());
    int root = v.rootSpan();
    if (root >= 0 && !f.hasRoot) {
      f.hasRoot = true;
      String svc = v.serviceName(root);
      f.rootService = svc == null ? "" : svc;
      f.rootName = v.name(root);
    }
    int spss = run.req.spansPerSpanset();
    for (Spanset s : sets) {
      int[] idx = s.spans();
      List<SearchResponse.SpanSummary> spans = new ArrayList<>();
      for (int i = 0; i < idx.length && i < spss; i++) {
        int sp = idx[i];
        spans.add(new SearchResponse.SpanSummary(v.spanId(sp), v.name(sp), v.startNanos(sp),
            v.endNanos(sp) - v.startNanos(sp), run.req.query().spanAttributes(v, sp)));
      }
      f.spansets.add(new SearchResponse.SpansetSummary(spans, s.matched(), s.attributes()));
    }
    for (int i = 0; i < v.spanCount(); i++) {
      String svc = v.serviceName(i);
      long[] st = f.stats.computeIfAbsent(svc == null ? "" : svc, k -> new long[2]);
      st[0]++;
      if (v.statusCode(i) == 2) {
        st[1]++;
      }
    }
    if (isNew) {
      run.kept.add(f.start);
      if (run.kept.size() > run.req.limit()) {
        run.kept.poll();
      }
    }
  }

  private static int cardinality(long[] bits) {
    int c = 0;
    for (long w : bits) {
      c += Long.bitCount(w);
    }
    return c;
  }

  // ------------------------------------------------------------------ tags

  /** Attribute keys per scope ("resource", "span") of blocks with data in [from, to] (0 = unbounded). */
  public static Map<String, Set<String>> tagNames(Block[] blocks, long from, long to) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    out.put("resource", new TreeSet<>());
    out.put("span", new TreeSet<>());
    for (Block b : blocks) {
      if (!b.overlaps(from, to) || !b.acquire()) {
        continue;
      }
      try {
        if (b instanceof HeadBlock) {
          synchronized (((HeadBlock) b).lock()) {
            keys(((HeadBlock) b).searchIndex(), out);
          }
        } else if (b instanceof CompletedBlock) {
          keys(((CompletedBlock) b).searchIndex(), out);
        }
      } finally {
        b.release();
      }
    }
    return out;
  }

  private static void keys(SearchData d, Map<String, Set<String>> out) {
    for (int k = 0; k < d.keyCount(); k++) {
      byte s = d.keyScope(k);
      if (s == SearchTerms.SCOPE_RESOURCE) {
        out.get("resource").add(d.keyName(k));
      } else if (s == SearchTerms.SCOPE_SPAN) {
        out.get("span").add(d.keyName(k));
      }
    }
  }

  /**
   * Values of an attribute (span/resource/unscoped) or the {@code name} intrinsic from the blocks' indexes; with a
   * filter query, or for other intrinsics, the values on the spans of matching traces (time budget, at most
   * {@code maxValues}).
   */
  public static Set<TagValue> tagValues(Block[] blocks, Attribute attr, Query filter, long from, long to,
      int maxValues, long budgetNanos) {
    Set<TagValue> out = new TreeSet<>();
    boolean indexed = filter == null || filter.matchesAll();
    byte[] scopes;
    String key = attr.name();
    if (attr.intrinsic() == Attribute.Intrinsic.NAME) {
      scopes = new byte[] {SearchTerms.SCOPE_INTRINSIC};
      key = "name";
    } else if (attr.intrinsic() != null) {
      scopes = null;
      indexed = false;
    } else if (attr.scope() == Attribute.Scope.SPAN) {
      scopes = new byte[] {SearchTerms.SCOPE_SPAN};
    } else if (attr.scope() == Attribute.Scope.RESOURCE) {
      scopes = new byte[] {SearchTerms.SCOPE_RESOURCE};
    } else {
      scopes = new byte[] {SearchTerms.SCOPE_SPAN, SearchTerms.SCOPE_RESOURCE};
    }
    if (indexed) {
      for (Block b : blocks) {
        if (out.size() >= maxValues) {
          break;
        }
        if (!b.overlaps(from, to) || !b.acquire()) {
          continue;
        }
        try {
          if (b instanceof HeadBlock) {
            synchronized (((HeadBlock) b).lock()) {
              values(((HeadBlock) b).searchIndex(), scopes, key, out, maxValues);
            }
          } else if (b instanceof CompletedBlock) {
            values(((CompletedBlock) b).searchIndex(), scopes, key, out, maxValues);
          }
        } finally {
          b.release();
        }
      }
      return out;
    }
    // scan: traces matching the filter (or all), values on their matching spans
    Query q = filter;
    SearchRequest.Builder rb = SearchRequest.builder()
        .query(q != null ? q : io.spanfold.core.query.traceql.TraceQL.parse("{}"))
        .limit(Integer.MAX_VALUE)
        .timeBudget(java.time.Duration.ofNanos(Math.max(1, budgetNanos)));
    if (from != 0 || to != 0) {
      rb.timeRange(from, to == 0 ? Long.MAX_VALUE : to);
    }
    SearchRequest req = rb.build();
    long deadline = System.nanoTime() + budgetNanos;
    Plan plan = Plan.of(req);
    for (Block b : blocks) {
      if (out.size() >= maxValues || System.nanoTime() - deadline > 0) {
        break;
      }
      if (!b.overlaps(from, to) || !b.acquire()) {
        continue;
      }
      try {
        forEachCandidateView(b, plan, v -> {
          if (out.size() >= maxValues || System.nanoTime() - deadline > 0) {
            return false;
          }
          for (Spanset s : req.query().evaluate(v)) {
            for (int sp : s.spans()) {
              TagValue tv = tagValue(valueOf(v, attr, sp));
              if (tv != null) {
                out.add(tv);
              }
            }
          }
          return true;
        });
      } finally {
        b.release();
      }
    }
    return out;
  }

  private static Value valueOf(OtlpTraceView v, Attribute a, int sp) {
    Attribute.Intrinsic in = a.intrinsic();
    if (in == null) {
      if (a.scope() == Attribute.Scope.NONE) {
        Value x = v.attribute(sp, Attribute.Scope.SPAN, a.name());
        return x.isNil() ? v.attribute(sp, Attribute.Scope.RESOURCE, a.name()) : x;
      }
      return v.attribute(sp, a.scope(), a.name());
    }
    int root = v.rootSpan();
    switch (in) {
      case NAME:
        return Value.ofString(v.name(sp));
      case STATUS_MESSAGE:
        return v.statusMessage(sp).isEmpty() ? Value.NIL : Value.ofString(v.statusMessage(sp));
      case TRACE_ROOT_SERVICE:
        return root >= 0 && v.serviceName(root) != null ? Value.ofString(v.serviceName(root)) : Value.NIL;
      case TRACE_ROOT_SPAN:
        return root >= 0 ? Value.ofString(v.name(root)) : Value.NIL;
      default:
        return Value.NIL; // durations, ids: no value list, as Tempo
    }
  }

  static TagValue tagValue(Value v) {
    switch (v.type()) {
      case STRING:
        return new TagValue("string", v.asString());
      case INT:
        return new TagValue("int", Long.toString(v.asLong()));
      case FLOAT:
        return new TagValue("float", v.encode(false));
      case BOOLEAN:
        return new TagValue("bool", v.asBoolean() ? "true" : "false");
      case DURATION:
        return new TagValue("duration", v.encode(false));
      case STATUS:
      case KIND:
        return new TagValue("keyword", v.encode(false));
      default:
        return null;
    }
  }

  private static void values(SearchData d, byte[] scopes, String key, Set<TagValue> out, int max) {
    for (byte s : scopes) {
      int k = d.keyId(SearchTerms.keyHash(s, key));
      if (k < 0) {
        continue;
      }
      d.forEachTermOfKey(k, term -> {
        if (out.size() >= max) {
          return;
        }
        switch (d.termType(term)) {
          case SearchTerms.TYPE_STRING:
            out.add(new TagValue("string", d.termString(term)));
            break;
          case SearchTerms.TYPE_INT:
            out.add(new TagValue("int", Long.toString(d.termBits(term))));
            break;
          case SearchTerms.TYPE_FLOAT:
            out.add(tagValue(Value.ofFloat(Double.longBitsToDouble(d.termBits(term)))));
            break;
          case SearchTerms.TYPE_BOOL:
            out.add(new TagValue("bool", d.termBits(term) != 0 ? "true" : "false"));
            break;
          default:
            break;
        }
      });
    }
  }

  private interface ViewVisitor {
    /** false stops. */
    boolean visit(OtlpTraceView v);
  }

  private static void forEachCandidateView(Block b, Plan plan, ViewVisitor visitor) {
    if (b instanceof HeadBlock) {
      HeadBlock h = (HeadBlock) b;
      int[] ords;
      int n = 0;
      synchronized (h.lock()) {
        HeadSearchIndex d = h.searchIndex();
        long[] bits = plan.candidates(d);
        ords = new int[d.traceCount()];
        for (int t = 0; t < d.traceCount(); t++) {
          if ((bits == null || (bits[t >>> 6] & (1L << t)) != 0) && plan.columnsPass(d, t)) {
            ords[n++] = t;
          }
        }
      }
      for (int i = 0; i < n; i++) {
        Records r = h.records(ords[i]);
        if (r != null && !visitor.visit(viewOf(r.buf, r.offsets, r.n, r.resourceOffsets, null))) {
          return;
        }
      }
    } else if (b instanceof CompletedBlock) {
      CompletedBlock c = (CompletedBlock) b;
      SearchIndexFile d = c.searchIndex();
      long[] bits = plan.candidates(d);
      ByteBuffer spans = c.spans().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
      int[] offsets = new int[16];
      for (int i = 0; i < d.traceCount(); i++) {
        int t = d.byStartDescending(i);
        if ((bits != null && (bits[t >>> 6] & (1L << t)) == 0) || !plan.columnsPass(d, t)) {
          continue;
        }
        int at = (int) d.rangeOffset(t);
        int end = at + d.rangeLength(t);
        int n = 0;
        while (at < end) {
          if (n == offsets.length) {
            offsets = Arrays.copyOf(offsets, n * 2);
          }
          offsets[n++] = at;
          at += align(spans.getInt(at + LENGTH));
        }
        if (!visitor.visit(viewOf(spans, offsets, n, c.resourceOffsets(), null))) {
          return;
        }
      }
    }
  }
}
