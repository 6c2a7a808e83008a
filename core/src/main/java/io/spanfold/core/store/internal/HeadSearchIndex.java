package io.spanfold.core.store.internal;

import com.carrotsearch.hppc.LongIntHashMap;
import io.spanfold.core.wire.OtlpAttributes;
import io.spanfold.core.wire.OtlpFields;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Internal, unstable. A block's search postings while it is the head block (and while an older block without a
 * {@code search.idx} is being indexed): interned keys (scope + attribute key) and terms (key + typed value) → the
 * ordinals of the traces holding them, plus per-trace shortest and longest span duration. Primitive arrays only; the
 * postings are one chained list like {@link HeadTraceIndex} (8 bytes per entry, an entry per new (term, trace) pair
 * seen on consecutive spans of a trace), so the heap is bounded by the head block cut.
 *
 * <p>Indexed: resource and span attributes with string, int, double and bool values; the span intrinsics {@code name},
 * {@code status} and {@code kind}. Bounded cardinality: at most {@link #MAX_KEYS} keys, {@link #MAX_VALUES_PER_KEY}
 * values per key, string values up to {@link #MAX_VALUE_BYTES} bytes and {@link #MAX_TERMS} terms; beyond that a key
 * is marked <i>partial</i> (its postings are then never used to exclude a trace) — search stays exact because the
 * engine verifies every candidate on its spans.
 *
 * <p>Example after span 1 (trace 0, {@code http.method=GET}) and span 2 (trace 1, {@code http.method=GET}):
 *
 * <pre>
 * keys:  0 = span "http.method" (1 value)
 * terms: 0 = key 0, string "GET", last entry 1
 * entries: 0 = {trace 0, prev -1}   1 = {trace 1, prev 0}
 * </pre>
 *
 * Not thread-safe: the head block guards it with its append lock.
 */
public final class HeadSearchIndex implements SearchData {
  private final HeadTraceIndex traces;

  public HeadSearchIndex(HeadTraceIndex traces) {
    this.traces = traces;
  }

  @Override
  public int traceCount() {
    return traces.traceCount();
  }

  @Override
  public long start(int t) {
    return traces.start(t);
  }

  @Override
  public long end(int t) {
    return traces.end(t);
  }

  public static final int MAX_KEYS = 4096;
  public static final int MAX_VALUES_PER_KEY = 20_000;
  public static final int MAX_VALUE_BYTES = 1024;
  public static final int MAX_TERMS = 1 << 20;

  private final LongIntHashMap keyIds = new LongIntHashMap();
  private int keyCount;
  private byte[] keyScope = new byte[64];
  private String[] keyName = new String[64];
  private int[] keyValues = new int[64];
  private boolean[] keyPartial = new boolean[64];
  private int[] keyLastTerm = new int[64];
  private long[] keyHashes = new long[64];
  private boolean keysOverflow;

  private final LongIntHashMap termIds = new LongIntHashMap();
  private int termCount;
  private long[] termHash = new long[256];
  private int[] termKey = new int[256];
  private byte[] termType = new byte[256];
  private long[] termBits = new long[256];
  private String[] termStr = new String[256];
  private int[] termLastEntry = new int[256];
  private int[] termLastTrace = new int[256];
  private int[] termPrevInKey = new int[256];

  private int entryCount;
  private int[] entryTrace = new int[1024];
  private int[] entryPrev = new int[1024];

  private long[] minDur = new long[256];
  private long[] maxDur = new long[256];
  private int[] lastResource = new int[256];
  private int traceCapacityUsed;

  private int[][] resourceTerms = new int[16][];

  private final Visitor visitor = new Visitor();

  /** True once the resource dictionary entry {@code id} has been indexed. */
  public boolean hasResource(int id) {
    return id < resourceTerms.length && resourceTerms[id] != null;
  }

  /** Indexes a resource message's attributes once; spans then post its terms per trace. */
  public void indexResource(int id, byte[] buf, int off, int len) {
    if (id >= resourceTerms.length) {
      resourceTerms = Arrays.copyOf(resourceTerms, Math.max(id + 1, resourceTerms.length * 2));
    }
    visitor.scope = SearchTerms.SCOPE_RESOURCE;
    visitor.trace = -1;
    visitor.collected = 0;
    if (len > 0) {
      OtlpAttributes.forEach(buf, off, len, OtlpFields.RESOURCE_ATTRIBUTES, visitor);
    }
    resourceTerms[id] = Arrays.copyOf(visitor.collect, visitor.collected);
  }

  /**
   * Indexes one span of trace ordinal {@code t}: its attributes (from its OTLP bytes), name, status and kind, its
   * resource's terms (once per trace and resource run) and its duration.
   */
  public void addSpan(int t, int resourceId, byte[] buf, int spanOff, int spanLen, int nameOff, int nameLen,
      int status, int kind, long start, long end) {
    ensureTrace(t);
    long d = end - start;
    if (t >= traceCapacityUsed) {
      for (int i = traceCapacityUsed; i <= t; i++) {
        minDur[i] = Long.MAX_VALUE;
        maxDur[i] = Long.MIN_VALUE;
        lastResource[i] = -1;
      }
      traceCapacityUsed = t + 1;
    }
    minDur[t] = Math.min(minDur[t], d);
    maxDur[t] = Math.max(maxDur[t], d);
    if (lastResource[t] != resourceId) {
      lastResource[t] = resourceId;
      int[] terms = hasResource(resourceId) ? resourceTerms[resourceId] : null;
      if (terms != null) {
        for (int term : terms) {
          post(term, t);
        }
      }
    }
    visitor.scope = SearchTerms.SCOPE_SPAN;
    visitor.trace = t;
    OtlpAttributes.forEach(buf, spanOff, spanLen, OtlpFields.SPAN_ATTRIBUTES, visitor);
    long nk = SearchTerms.keyHash(SearchTerms.SCOPE_INTRINSIC, SearchTerms.KEY_NAME, 0, SearchTerms.KEY_NAME.length);
    int k = key(nk, SearchTerms.SCOPE_INTRINSIC, SearchTerms.KEY_NAME, 0, SearchTerms.KEY_NAME.length);
    if (k >= 0 && nameLen >= 0) {
      if (nameLen > MAX_VALUE_BYTES) {
        keyPartial[k] = true;
      } else {
        int term = term(SearchTerms.stringTerm(nk, buf, nameOff, nameLen), k, SearchTerms.TYPE_STRING, 0, buf,
            nameOff, nameLen);
        if (term >= 0) {
          post(term, t);
        }
      }
    }
    scalar(SearchTerms.KEY_STATUS, status, t);
    scalar(SearchTerms.KEY_KIND, kind, t);
  }

  private void scalar(byte[] keyBytes, int code, int t) {
    long kh = SearchTerms.keyHash(SearchTerms.SCOPE_INTRINSIC, keyBytes, 0, keyBytes.length);
    int k = key(kh, SearchTerms.SCOPE_INTRINSIC, keyBytes, 0, keyBytes.length);
    if (k < 0) {
      return;
    }
    int term = term(SearchTerms.scalarTerm(kh, SearchTerms.TYPE_INT, code), k, SearchTerms.TYPE_INT, code, null, 0, 0);
    if (term >= 0) {
      post(term, t);
    }
  }

  private final class Visitor implements OtlpAttributes.AttributeVisitor {
    byte scope;
    int trace;
    int[] collect = new int[16];
    int collected;

    @Override
    public void attribute(byte[] b, int keyOff, int keyLen, int type, int valueOff, int valueLen, long bits) {
      long kh = SearchTerms.keyHash(scope, b, keyOff, keyLen);
      int k = key(kh, scope, b, keyOff, keyLen);
      if (k < 0) {
        return;
      }
      int term;
      switch (type) {
        case OtlpAttributes.TYPE_STRING:
          if (valueLen > MAX_VALUE_BYTES) {
            keyPartial[k] = true;
            return;
          }
          term = term(SearchTerms.stringTerm(kh, b, valueOff, valueLen), k, SearchTerms.TYPE_STRING, 0, b, valueOff,
              valueLen);
          break;
        case OtlpAttributes.TYPE_INT:
          term = term(SearchTerms.scalarTerm(kh, SearchTerms.TYPE_INT, bits), k, SearchTerms.TYPE_INT, bits, null, 0, 0);
          break;
        case OtlpAttributes.TYPE_DOUBLE:
          {
            long norm = floatBits(Double.longBitsToDouble(bits));
            term = term(SearchTerms.scalarTerm(kh, SearchTerms.TYPE_FLOAT, norm), k, SearchTerms.TYPE_FLOAT, norm, null,
                0, 0);
          }
          break;
        case OtlpAttributes.TYPE_BOOL:
          {
            long v = bits != 0 ? 1 : 0;
            term = term(SearchTerms.scalarTerm(kh, SearchTerms.TYPE_BOOL, v), k, SearchTerms.TYPE_BOOL, v, null, 0, 0);
          }
          break;
        default:
          return; // arrays, maps, bytes: TraceQL reads them as nil, nothing to narrow on
      }
      if (term < 0) {
        return;
      }
      if (trace >= 0) {
        post(term, trace);
      } else {
        if (collected == collect.length) {
          collect = Arrays.copyOf(collect, collected * 2);
        }
        collect[collected++] = term;
      }
    }
  }

  /** Doubles are indexed by their bits with -0.0 folded into 0.0 (they are equal in TraceQL). */
  public static long floatBits(double d) {
    return Double.doubleToLongBits(d == 0 ? 0.0 : d);
  }

  private int key(long kh, byte scope, byte[] b, int off, int len) {
    int k = keyIds.getOrDefault(kh, -1);
    if (k >= 0) {
      return k;
    }
    if (keyCount == MAX_KEYS) {
      keysOverflow = true;
      return -1;
    }
    k = keyCount;
    if (k == keyScope.length) {
      int n = k * 2;
      keyScope = Arrays.copyOf(keyScope, n);
      keyName = Arrays.copyOf(keyName, n);
      keyValues = Arrays.copyOf(keyValues, n);
      keyPartial = Arrays.copyOf(keyPartial, n);
      keyLastTerm = Arrays.copyOf(keyLastTerm, n);
      keyHashes = Arrays.copyOf(keyHashes, n);
    }
    keyScope[k] = scope;
    keyName[k] = new String(b, off, len, StandardCharsets.UTF_8);
    keyValues[k] = 0;
    keyPartial[k] = false;
    keyLastTerm[k] = -1;
    keyHashes[k] = kh;
    keyIds.put(kh, k);
    keyCount = k + 1;
    return k;
  }

  private int term(long th, int k, byte type, long bits, byte[] b, int off, int len) {
    int term = termIds.getOrDefault(th, -1);
    if (term >= 0) {
      return term;
    }
    if (termCount == MAX_TERMS || keyValues[k] == MAX_VALUES_PER_KEY) {
      keyPartial[k] = true;
      return -1;
    }
    term = termCount;
    if (term == termHash.length) {
      int n = term * 2;
      termHash = Arrays.copyOf(termHash, n);
      termKey = Arrays.copyOf(termKey, n);
      termType = Arrays.copyOf(termType, n);
      termBits = Arrays.copyOf(termBits, n);
      termStr = Arrays.copyOf(termStr, n);
      termLastEntry = Arrays.copyOf(termLastEntry, n);
      termLastTrace = Arrays.copyOf(termLastTrace, n);
      termPrevInKey = Arrays.copyOf(termPrevInKey, n);
    }
    termHash[term] = th;
    termKey[term] = k;
    termType[term] = type;
    termBits[term] = bits;
    termStr[term] = b == null ? null : new String(b, off, len, StandardCharsets.UTF_8);
    termLastEntry[term] = -1;
    termLastTrace[term] = -1;
    termPrevInKey[term] = keyLastTerm[k];
    keyLastTerm[k] = term;
    keyValues[k]++;
    termIds.put(th, term);
    termCount = term + 1;
    return term;
  }

  private void post(int term, int t) {
    if (termLastTrace[term] == t) {
      return;
    }
    int e = entryCount;
    if (e == entryTrace.length) {
      entryTrace = Arrays.copyOf(entryTrace, e * 2);
      entryPrev = Arrays.copyOf(entryPrev, e * 2);
    }
    entryTrace[e] = t;
    entryPrev[e] = termLastEntry[term];
    termLastEntry[term] = e;
    termLastTrace[term] = t;
    entryCount = e + 1;
  }

  private void ensureTrace(int t) {
    if (t >= minDur.length) {
      int n = Math.max(t + 1, minDur.length * 2);
      minDur = Arrays.copyOf(minDur, n);
      maxDur = Arrays.copyOf(maxDur, n);
      lastResource = Arrays.copyOf(lastResource, n);
    }
  }

  // ------------------------------------------------------------------ read side (caller holds the lock)

  @Override
  public int keyCount() {
    return keyCount;
  }

  public int termCount() {
    return termCount;
  }

  @Override
  public boolean keysOverflow() {
    return keysOverflow;
  }

  /** The key's id, or -1 when never seen. */
  @Override
  public int keyId(long keyHash) {
    return keyIds.getOrDefault(keyHash, -1);
  }

  @Override
  public byte keyScope(int k) {
    return keyScope[k];
  }

  @Override
  public String keyName(int k) {
    return keyName[k];
  }

  @Override
  public boolean keyPartial(int k) {
    return keyPartial[k];
  }

  public long keyHash(int k) {
    return keyHashes[k];
  }

  /** The term's id, or -1. */
  @Override
  public int termId(long termHash) {
    return termIds.getOrDefault(termHash, -1);
  }

  public int termKey(int term) {
    return termKey[term];
  }

  @Override
  public byte termType(int term) {
    return termType[term];
  }

  @Override
  public long termBits(int term) {
    return termBits[term];
  }

  @Override
  public String termString(int term) {
    return termStr[term];
  }

  public long termHashOf(int term) {
    return termHash[term];
  }

  /** Calls {@code c} with each term id of key {@code k}, newest first. */
  @Override
  public void forEachTermOfKey(int k, java.util.function.IntConsumer c) {
    for (int term = keyLastTerm[k]; term >= 0; term = termPrevInKey[term]) {
      c.accept(term);
    }
  }

  /** Sets the bits of every trace holding {@code term} in {@code bits}. */
  @Override
  public void postings(int term, long[] bits) {
    for (int e = termLastEntry[term]; e >= 0; e = entryPrev[e]) {
      int t = entryTrace[e];
      bits[t >>> 6] |= 1L << t;
    }
  }

  /** The trace ordinals holding {@code term}, ascending, without duplicates. */
  public int[] sortedPostings(int term) {
    int n = 0;
    for (int e = termLastEntry[term]; e >= 0; e = entryPrev[e]) {
      n++;
    }
    int[] out = new int[n];
    int i = 0;
    for (int e = termLastEntry[term]; e >= 0; e = entryPrev[e]) {
      out[i++] = entryTrace[e];
    }
    Arrays.sort(out);
    int w = 0;
    for (int r = 0; r < n; r++) {
      if (w == 0 || out[w - 1] != out[r]) {
        out[w++] = out[r];
      }
    }
    return w == n ? out : Arrays.copyOf(out, w);
  }

  @Override
  public long minSpanDuration(int t) {
    return t < traceCapacityUsed ? minDur[t] : Long.MAX_VALUE;
  }

  @Override
  public long maxSpanDuration(int t) {
    return t < traceCapacityUsed ? maxDur[t] : Long.MIN_VALUE;
  }

  public void forEachKey(Consumer<Integer> c) {
    for (int k = 0; k < keyCount; k++) {
      c.accept(k);
    }
  }

  /** Approximate heap bytes held. */
  public long heapBytes() {
    return entryTrace.length * 8L + termHash.length * 45L + minDur.length * 20L + keyScope.length * 40L
        + termIds.keys.length * 12L;
  }
}
