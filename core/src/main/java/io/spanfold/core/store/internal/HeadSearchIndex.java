package io.spanfold.core.store.internal;

import io.spanfold.core.wire.OtlpAttributes;
import io.spanfold.core.wire.OtlpFields;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Internal, unstable. A block's search postings while it is the head block (and while an older block without a
 * {@code search.idx} is being indexed): interned keys (scope + attribute key) and terms (key + typed value) → the
 * ordinals of the traces holding them, plus per-trace shortest and longest span duration. Primitive arrays only: a
 * term's postings are a list of doubling slices in a paged int pool (about 4 bytes per posting for a frequent term, 8
 * for a term seen once; a posting per new (term, trace) pair seen on consecutive spans of a trace), so the heap is
 * bounded by the head block cut, and completion reads each term's postings in contiguous runs.
 *
 * <p>Ingest looks a term up by its hash alone (key and value hashed 8 bytes a step, one probe of an interleaved
 * open-addressing table); the key is looked up only to register a new term.
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
 * terms: 0 = key 0, string "GET", 2 postings, first slice at pool address 0
 * pool:  0 = [trace 0 | link to 2]   2 = [trace 1 | (free) | (free) | link]
 * </pre>
 *
 * Not thread-safe: the head block guards it with its append lock.
 */
public final class HeadSearchIndex implements SearchData {
  private final HeadTraceIndex traces;

  public HeadSearchIndex(HeadTraceIndex traces) {
    this(traces, MEMO_RUN);
  }

  /**
   * For tests and benchmarks: {@code memoRun} attributes at most per memoised run (0: no memo; at most
   * {@link #MAX_MEMO_RUN}). The postings and terms are the same whatever it is.
   */
  public HeadSearchIndex(HeadTraceIndex traces, int memoRun) {
    if (memoRun < 0 || memoRun > MAX_MEMO_RUN) {
      throw new IllegalArgumentException("memoRun must be 0.." + MAX_MEMO_RUN + ": " + memoRun);
    }
    this.traces = traces;
    this.memoRun = memoRun;
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

  private static final long KL_NAME =
      SearchTerms.keyLane(SearchTerms.SCOPE_INTRINSIC, SearchTerms.KEY_NAME, 0, SearchTerms.KEY_NAME.length);
  private static final long KL_STATUS =
      SearchTerms.keyLane(SearchTerms.SCOPE_INTRINSIC, SearchTerms.KEY_STATUS, 0, SearchTerms.KEY_STATUS.length);
  private static final long KL_KIND =
      SearchTerms.keyLane(SearchTerms.SCOPE_INTRINSIC, SearchTerms.KEY_KIND, 0, SearchTerms.KEY_KIND.length);

  private final HashIds keyIds = new HashIds(128);
  private int keyCount;
  private byte[] keyScope = new byte[64];
  private String[] keyName = new String[64];
  private int[] keyValues = new int[64];
  private boolean[] keyPartial = new boolean[64];
  private int[] keyLastTerm = new int[64];
  private long[] keyHashes = new long[64];
  private boolean keysOverflow;

  private final HashIds termIds = new HashIds(1024);
  private int termCount;
  private long[] termHash = new long[256];
  private int[] termKey = new int[256];
  private byte[] termType = new byte[256];
  private long[] termBits = new long[256];
  private String[] termStr = new String[256];
  private int[] termPrevInKey = new int[256];
  // postings: per term a list of slices in the pool, each slice's last int links to the next, larger one
  private int[] termFirst = new int[256];
  // per term, together so a posting touches one cache line: last trace posted, next write address, the current
  // slice's link slot, postings so far
  private static final int LAST = 0;
  private static final int POS = 1;
  private static final int LIMIT = 2;
  private static final int ENTRIES = 3;
  private int[] termState = new int[256 * 4];
  private byte[] termLevel = new byte[256];
  private int maxTermEntries;

  // status and kind codes 0..7 -> their term ids (-1 until seen): two table probes per span saved
  private final int[] statusTerms = newCodeCache();
  private final int[] kindTerms = newCodeCache();

  /**
   * Slice pool: pages of {@link #PAGE} ints (a slice never crosses one), addressed as {@code page << 16 | offset}.
   * Slice sizes double from 2 to 1024 ints, so a term posted once costs 8 bytes and a frequent term about 4 bytes per
   * posting, and its postings read (head search, completion) in contiguous runs, oldest first.
   */
  private static final int PAGE_BITS = 16;
  private static final int PAGE = 1 << PAGE_BITS;
  private static final int PAGE_MASK = PAGE - 1;
  private static final int MAX_LEVEL = 9;
  private int[][] pages = new int[4][];
  private int pageCount;
  private int pageUsed = PAGE;
  private long entryCount;

  private long[] minDur = new long[256];
  private long[] maxDur = new long[256];
  private int[] lastResource = new int[256];
  private int traceCapacityUsed;

  private int[][] resourceTerms = new int[16][];

  private final Visitor visitor = new Visitor();

  /*
   * Span-attribute memo. Most spans repeat most of their attributes verbatim (a service's route, method, peer…), so
   * the bytes of a run of consecutive attribute entries (tag, length and KeyValue, as on the wire) map to the term ids
   * they produced the first time: a hit posts those ids without walking the KeyValues, hashing keys and values or
   * probing the term table. Direct-mapped, verified on the bytes themselves (a hash collision only costs a miss).
   * Replaying is exact because a run maps to the same terms for the life of this index (terms are never removed and
   * their hashes are pure functions of the bytes) and posting a term twice for the trace of the current span is a
   * no-op; a run is remembered only when every attribute in it was indexed without a cardinality bound refusing it.
   * Runs of 2 entries in 128-byte slots (512 KiB of bytes) measured best: longer runs miss more (one varying attribute
   * spoils its run), a larger memo misses the L2 cache (bench/RESULTS.md, "Search index memo").
   */
  static final int MEMO_RUN = 2;
  static final int MAX_MEMO_RUN = 16;
  private static final int MEMO_SLOTS = 4096;
  private static final int MEMO_BYTES = 128;
  private static final int MAX_SPAN_ENTRIES = 128;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private final int memoRun;
  private long[] memoHash;
  private int[] memoLen;
  private byte[] memoBytes;
  private int[] memoTerms;
  private byte[] memoCount;
  private long memoHits;
  private long memoMisses;
  private final int[] entryStart = new int[MAX_SPAN_ENTRIES];
  private final int[] entryEnd = new int[MAX_SPAN_ENTRIES];

  private static int[] newCodeCache() {
    int[] c = new int[8];
    Arrays.fill(c, -1);
    return c;
  }

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
    int entries = memoRun == 0 ? -1 : attributeEntries(buf, spanOff, spanLen);
    if (entries < 0) {
      OtlpAttributes.forEach(buf, spanOff, spanLen, OtlpFields.SPAN_ATTRIBUTES, visitor);
    } else {
      memoAttributes(buf, entries, t);
    }
    if (nameLen >= 0) {
      byte[] kb = SearchTerms.KEY_NAME;
      int term;
      if (nameLen > MAX_VALUE_BYTES) {
        int k = key(SearchTerms.keyHash(KL_NAME), SearchTerms.SCOPE_INTRINSIC, kb, 0, kb.length);
        if (k >= 0) {
          keyPartial[k] = true;
        }
        term = -1;
      } else {
        long th = SearchTerms.stringTerm(KL_NAME, buf, nameOff, nameLen);
        term = termId(th);
        if (term < 0) {
          term = newTerm(KL_NAME, SearchTerms.SCOPE_INTRINSIC, kb, 0, kb.length, th, SearchTerms.TYPE_STRING, 0, buf,
              nameOff, nameLen);
        }
      }
      if (term >= 0) {
        post(term, t);
      }
    }
    code(statusTerms, KL_STATUS, SearchTerms.KEY_STATUS, status, t);
    code(kindTerms, KL_KIND, SearchTerms.KEY_KIND, kind, t);
  }

  /**
   * Finds the span's attribute entries ({@link #entryStart}, {@link #entryEnd}: from tag to end of the KeyValue);
   * returns their count, or -1 when the span should take the plain walk (bytes malformed or unusual, too many
   * attributes), which then behaves exactly as before.
   */
  private int attributeEntries(byte[] b, int off, int len) {
    int p = off;
    int end = off + len;
    int n = 0;
    while (p < end) {
      int start = p;
      int field;
      int wire;
      int t0 = b[p];
      if (t0 >= 0) { // one-byte tag: fields 1..15, every Span field but flags
        field = t0 >>> 3;
        wire = t0 & 7;
        p++;
      } else {
        long tag = smallVarint(b, p, end);
        if (tag < 0) {
          return -1;
        }
        p = (int) tag;
        field = (int) (tag >>> 35);
        wire = (int) (tag >>> 32) & 7;
      }
      switch (wire) {
        case 0: {
          int q = p;
          while (q < end && q - p < 10 && b[q] < 0) {
            q++;
          }
          if (q >= end || q - p >= 10) {
            return -1;
          }
          p = q + 1;
          break;
        }
        case 1:
          p += 8;
          break;
        case 5:
          p += 4;
          break;
        case 2: {
          long vl;
          if (p < end && b[p] >= 0) { // one-byte length: most attributes
            vl = b[p++];
          } else {
            long l = smallVarint(b, p, end);
            if (l < 0) {
              return -1;
            }
            p = (int) l;
            vl = l >>> 32;
          }
          if (vl > end - p) {
            return -1;
          }
          p += (int) vl;
          if (field == OtlpFields.SPAN_ATTRIBUTES) {
            if (n == MAX_SPAN_ENTRIES) {
              return -1;
            }
            entryStart[n] = start;
            entryEnd[n] = p;
            n++;
          }
          break;
        }
        default:
          return -1;
      }
      if (p > end) {
        return -1;
      }
      if (field == OtlpFields.SPAN_ATTRIBUTES && wire != 2) {
        return -1;
      }
    }
    return n;
  }

  /** A varint of at most 32 bits at {@code p}: {@code value << 32 | next position}, or -1 when malformed. */
  private static long smallVarint(byte[] b, int p, int end) {
    long v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (p >= end) {
        return -1;
      }
      byte x = b[p++];
      v |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        return v > 0xFFFF_FFFFL ? -1 : v << 32 | p;
      }
    }
    return -1;
  }

  /** Indexes the span's attribute entries as runs of up to {@link #memoRun} contiguous entries. */
  private void memoAttributes(byte[] b, int n, int t) {
    if (memoHash == null) {
      memoHash = new long[MEMO_SLOTS];
      memoLen = new int[MEMO_SLOTS];
      Arrays.fill(memoLen, -1);
      memoBytes = new byte[MEMO_SLOTS * MEMO_BYTES];
      memoTerms = new int[MEMO_SLOTS * memoRun];
      memoCount = new byte[MEMO_SLOTS];
    }
    int i = 0;
    while (i < n) {
      int s = entryStart[i];
      int j = i + 1;
      while (j < n && j - i < memoRun && entryStart[j] == entryEnd[j - 1] && entryEnd[j] - s <= MEMO_BYTES) {
        j++;
      }
      if (!memoRun(b, s, entryEnd[j - 1], j - i, t)) {
        return; // a malformed KeyValue: the plain walk stops there too
      }
      i = j;
    }
  }

  /** Indexes one run of {@code count} contiguous attribute entries {@code b[s, e)}; false when one was malformed. */
  private boolean memoRun(byte[] b, int s, int e, int count, int t) {
    int len = e - s;
    Visitor v = visitor;
    if (len > MEMO_BYTES) {
      v.visited = 0;
      OtlpAttributes.forEach(b, s, len, OtlpFields.SPAN_ATTRIBUTES, v);
      return v.visited == count;
    }
    long h = memoHash(b, s, len);
    int slot = (int) h & (MEMO_SLOTS - 1);
    int at = slot * MEMO_BYTES;
    if (memoHash[slot] == h && memoLen[slot] == len && Arrays.equals(memoBytes, at, at + len, b, s, e)) {
      int base = slot * memoRun;
      for (int k = base, end = base + memoCount[slot]; k < end; k++) {
        post(memoTerms[k], t);
      }
      memoHits++;
      return true;
    }
    memoMisses++;
    v.visited = 0;
    v.collected = 0;
    v.record = true;
    v.refused = false;
    OtlpAttributes.forEach(b, s, len, OtlpFields.SPAN_ATTRIBUTES, v);
    v.record = false;
    if (v.visited != count) {
      return false;
    }
    if (!v.refused) {
      memoHash[slot] = h;
      memoLen[slot] = len;
      System.arraycopy(b, s, memoBytes, at, len);
      System.arraycopy(v.collect, 0, memoTerms, slot * memoRun, v.collected);
      memoCount[slot] = (byte) v.collected;
    }
    return true;
  }

  /**
   * The memo's slot hash: two independent add-rotate lanes over 8-byte words (the multiply is off the dependency
   * chain, so it runs at about a word per cycle), then one avalanche. It only spreads runs over slots; a hit is
   * verified on the bytes.
   */
  private static long memoHash(byte[] b, int off, int len) {
    long a = len * 0x9E3779B185EBCA87L;
    long c = 0x165667B19E3779F9L;
    int i = off;
    int end = off + len;
    for (; end - i >= 16; i += 16) {
      a = Long.rotateLeft(a + (long) LONGS.get(b, i) * 0xC2B2AE3D27D4EB4FL, 31);
      c = Long.rotateLeft(c + (long) LONGS.get(b, i + 8) * 0xC2B2AE3D27D4EB4FL, 31);
    }
    if (len >= 8) {
      if (end - i > 8) {
        a = Long.rotateLeft(a + (long) LONGS.get(b, i) * 0xC2B2AE3D27D4EB4FL, 31);
      }
      if (end > i) {
        c = Long.rotateLeft(c + (long) LONGS.get(b, end - 8) * 0xC2B2AE3D27D4EB4FL, 31);
      }
    } else {
      for (; i < end; i++) {
        a = Long.rotateLeft(a + b[i] * 0xC2B2AE3D27D4EB4FL, 31);
      }
    }
    return SearchTerms.keyHash(a * 0x85EBCA77C2B2AE63L ^ c);
  }

  private void code(int[] cache, long kl, byte[] keyBytes, int code, int t) {
    boolean cacheable = code >= 0 && code < cache.length;
    int term = cacheable ? cache[code] : -1;
    if (term < 0) {
      long th = SearchTerms.scalarTerm(kl, SearchTerms.TYPE_INT, code);
      term = termId(th);
      if (term < 0) {
        term = newTerm(kl, SearchTerms.SCOPE_INTRINSIC, keyBytes, 0, keyBytes.length, th, SearchTerms.TYPE_INT, code,
            null, 0, 0);
      }
      if (term < 0) {
        return;
      }
      if (cacheable) {
        cache[code] = term;
      }
    }
    post(term, t);
  }

  private final class Visitor implements OtlpAttributes.AttributeVisitor {
    byte scope;
    int trace;
    int[] collect = new int[16];
    int collected;
    // memo runs: attributes seen, whether to collect the term ids while posting them, whether a bound refused one
    int visited;
    boolean record;
    boolean refused;

    @Override
    public void attribute(byte[] b, int keyOff, int keyLen, int type, int valueOff, int valueLen, long bits) {
      visited++;
      // the term is looked up by its hash alone; the key's id is needed only to register a new term
      long kl = SearchTerms.keyLane(scope, b, keyOff, keyLen);
      long th;
      byte ty;
      long v;
      switch (type) {
        case OtlpAttributes.TYPE_STRING:
          if (valueLen > MAX_VALUE_BYTES) {
            int k = key(SearchTerms.keyHash(kl), scope, b, keyOff, keyLen);
            if (k >= 0) {
              keyPartial[k] = true;
            }
            refused = true;
            return;
          }
          ty = SearchTerms.TYPE_STRING;
          v = 0;
          th = SearchTerms.stringTerm(kl, b, valueOff, valueLen);
          break;
        case OtlpAttributes.TYPE_INT:
          ty = SearchTerms.TYPE_INT;
          v = bits;
          th = SearchTerms.scalarTerm(kl, ty, v);
          break;
        case OtlpAttributes.TYPE_DOUBLE:
          ty = SearchTerms.TYPE_FLOAT;
          v = floatBits(Double.longBitsToDouble(bits));
          th = SearchTerms.scalarTerm(kl, ty, v);
          break;
        case OtlpAttributes.TYPE_BOOL:
          ty = SearchTerms.TYPE_BOOL;
          v = bits != 0 ? 1 : 0;
          th = SearchTerms.scalarTerm(kl, ty, v);
          break;
        default:
          return; // arrays, maps, bytes: TraceQL reads them as nil, nothing to narrow on
      }
      int term = termId(th);
      if (term < 0) {
        term = newTerm(kl, scope, b, keyOff, keyLen, th, ty, v, ty == SearchTerms.TYPE_STRING ? b : null, valueOff,
            valueLen);
        if (term < 0) {
          refused = true;
          return;
        }
      }
      if (trace >= 0) {
        post(term, trace);
        if (record) {
          collect[collected++] = term; // a run has at most MAX_MEMO_RUN attributes, collect holds 16
        }
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

  /** Registers a term not in the table (and its key if new); -1 when a cardinality bound refuses it. */
  private int newTerm(long keyLane, byte scope, byte[] kb, int koff, int klen, long th, byte type, long bits,
      byte[] vb, int voff, int vlen) {
    int k = key(SearchTerms.keyHash(keyLane), scope, kb, koff, klen);
    if (k < 0) {
      return -1;
    }
    return term(th, k, type, bits, vb, voff, vlen);
  }

  private int key(long kh, byte scope, byte[] b, int off, int len) {
    int k = keyIds.get(kh);
    if (k >= 0) {
      return k;
    }
    if (keyCount == MAX_KEYS) {
      keysOverflow = true;
      return -1;
    }
    k = keyCount;
    if (k == keyScope.length) {
      growKeys(k * 2);
    }
    String name = new String(b, off, len, StandardCharsets.UTF_8);
    keyIds.put(kh, k); // allocations first: after them nothing can fail half way
    keyScope[k] = scope;
    keyName[k] = name;
    keyValues[k] = 0;
    keyPartial[k] = false;
    keyLastTerm[k] = -1;
    keyHashes[k] = kh;
    keyCount = k + 1;
    return k;
  }

  /** Adds term {@code th} (known to be absent) to key {@code k}. */
  private int term(long th, int k, byte type, long bits, byte[] b, int off, int len) {
    if (termCount == MAX_TERMS || keyValues[k] == MAX_VALUES_PER_KEY) {
      keyPartial[k] = true;
      return -1;
    }
    int term = termCount;
    if (term == termHash.length) {
      growTerms(term * 2);
    }
    String str = b == null ? null : new String(b, off, len, StandardCharsets.UTF_8);
    termIds.put(th, term); // allocations first: after them nothing can fail half way
    termHash[term] = th;
    termKey[term] = k;
    termType[term] = type;
    termBits[term] = bits;
    termStr[term] = str;
    termPrevInKey[term] = keyLastTerm[k];
    termFirst[term] = -1;
    termState[4 * term + LAST] = -1;
    termState[4 * term + POS] = -1;
    termState[4 * term + LIMIT] = -1;
    termState[4 * term + ENTRIES] = 0;
    termLevel[term] = 0;
    keyLastTerm[k] = term;
    keyValues[k]++;
    termCount = term + 1;
    return term;
  }

  // Growth allocates every new array before assigning any, so an OutOfMemoryError leaves sibling arrays of equal
  // length (the index stays usable; the append that hit it fails alone).
  private void growKeys(int n) {
    byte[] scope = Arrays.copyOf(keyScope, n);
    String[] name = Arrays.copyOf(keyName, n);
    int[] values = Arrays.copyOf(keyValues, n);
    boolean[] partial = Arrays.copyOf(keyPartial, n);
    int[] last = Arrays.copyOf(keyLastTerm, n);
    long[] hashes = Arrays.copyOf(keyHashes, n);
    keyScope = scope;
    keyName = name;
    keyValues = values;
    keyPartial = partial;
    keyLastTerm = last;
    keyHashes = hashes;
  }

  private void growTerms(int n) {
    long[] hash = Arrays.copyOf(termHash, n);
    int[] key = Arrays.copyOf(termKey, n);
    byte[] type = Arrays.copyOf(termType, n);
    long[] bits = Arrays.copyOf(termBits, n);
    String[] str = Arrays.copyOf(termStr, n);
    int[] prev = Arrays.copyOf(termPrevInKey, n);
    int[] first = Arrays.copyOf(termFirst, n);
    int[] state = Arrays.copyOf(termState, n * 4);
    byte[] level = Arrays.copyOf(termLevel, n);
    termHash = hash;
    termKey = key;
    termType = type;
    termBits = bits;
    termStr = str;
    termPrevInKey = prev;
    termFirst = first;
    termState = state;
    termLevel = level;
  }

  private void post(int term, int t) {
    int[] st = termState;
    int at = 4 * term;
    if (st[at + LAST] == t) {
      return;
    }
    st[at + LAST] = t;
    int p = st[at + POS];
    if (p == st[at + LIMIT]) {
      p = nextSlice(term, p);
    }
    pages[p >>> PAGE_BITS][p & PAGE_MASK] = t;
    st[at + POS] = p + 1;
    int n = st[at + ENTRIES] + 1;
    st[at + ENTRIES] = n;
    if (n > maxTermEntries) {
      maxTermEntries = n;
    }
    entryCount++;
  }

  /** Starts the term's next slice; {@code p} is the full slice's link slot (or -1 before the first slice). */
  private int nextSlice(int term, int p) {
    int level = p < 0 ? 0 : Math.min(termLevel[term] + 1, MAX_LEVEL);
    int size = 2 << level;
    if (pageUsed + size > PAGE) {
      int[] page = new int[PAGE];
      if (pageCount == pages.length) {
        pages = Arrays.copyOf(pages, pageCount * 2);
      }
      pages[pageCount++] = page;
      pageUsed = 0;
    }
    int s = ((pageCount - 1) << PAGE_BITS) | pageUsed;
    pageUsed += size;
    if (p < 0) {
      termFirst[term] = s;
    } else {
      pages[p >>> PAGE_BITS][p & PAGE_MASK] = s;
    }
    termLevel[term] = (byte) level;
    termState[4 * term + LIMIT] = s + size - 1;
    return s;
  }

  private void ensureTrace(int t) {
    if (t >= minDur.length) {
      int n = Math.max(t + 1, minDur.length * 2);
      long[] min = Arrays.copyOf(minDur, n);
      long[] max = Arrays.copyOf(maxDur, n);
      int[] last = Arrays.copyOf(lastResource, n);
      minDur = min;
      maxDur = max;
      lastResource = last;
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
    return keyIds.get(keyHash);
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
    return termIds.get(termHash);
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
    int n = termState[4 * term + ENTRIES];
    int p = termFirst[term];
    int limit = p + 1;
    int level = 0;
    for (int i = 0; i < n; i++) {
      if (p == limit) {
        p = pages[p >>> PAGE_BITS][p & PAGE_MASK];
        level = Math.min(level + 1, MAX_LEVEL);
        limit = p + (2 << level) - 1;
      }
      int t = pages[p >>> PAGE_BITS][p & PAGE_MASK];
      bits[t >>> 6] |= 1L << t;
      p++;
    }
  }

  /** Postings recorded for {@code term} (a trace may repeat when its spans interleave with other traces'). */
  public int termEntries(int term) {
    return termState[4 * term + ENTRIES];
  }

  /** The largest {@link #termEntries}: a buffer this long holds any term's postings. */
  public int maxTermEntries() {
    return maxTermEntries;
  }

  /** Postings recorded in all. */
  public long entryCount() {
    return entryCount;
  }

  /**
   * Writes the trace ordinals holding {@code term} into {@code dst} (at least {@link #termEntries} long), ascending,
   * without duplicates, and returns how many. Linear: the slices are copied in runs, oldest first, which is already
   * ascending unless spans of older traces arrived late; then a dense list is sorted through {@code bitsScratch} (at
   * least {@code (traceCount() + 63) / 64} long, left all zero), a sparse one by {@link Arrays#sort}.
   */
  public int sortedPostings(int term, int[] dst, long[] bitsScratch) {
    int n = termState[4 * term + ENTRIES];
    int p = termFirst[term];
    int level = 0;
    int at = 0;
    while (at < n) {
      int cap = (2 << level) - 1;
      int run = Math.min(cap, n - at);
      System.arraycopy(pages[p >>> PAGE_BITS], p & PAGE_MASK, dst, at, run);
      at += run;
      if (at < n) {
        p = pages[(p + cap) >>> PAGE_BITS][(p + cap) & PAGE_MASK];
        level = Math.min(level + 1, MAX_LEVEL);
      }
    }
    int i = 1;
    while (i < n && dst[i] > dst[i - 1]) {
      i++;
    }
    if (i >= n) {
      return n;
    }
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (int r = 0; r < n; r++) {
      min = Math.min(min, dst[r]);
      max = Math.max(max, dst[r]);
    }
    if (max - min < (long) n * 32 && bitsScratch != null && max >>> 6 < bitsScratch.length) {
      for (int r = 0; r < n; r++) {
        int t = dst[r];
        bitsScratch[t >>> 6] |= 1L << t;
      }
      int w = 0;
      for (int word = min >>> 6; word <= max >>> 6; word++) {
        long x = bitsScratch[word];
        bitsScratch[word] = 0;
        while (x != 0) {
          dst[w++] = (word << 6) | Long.numberOfTrailingZeros(x);
          x &= x - 1;
        }
      }
      return w;
    }
    Arrays.sort(dst, 0, n);
    int w = 1;
    for (int r = 1; r < n; r++) {
      if (dst[r] != dst[w - 1]) {
        dst[w++] = dst[r];
      }
    }
    return w;
  }

  /** The trace ordinals holding {@code term}, ascending, without duplicates. */
  public int[] sortedPostings(int term) {
    int[] out = new int[termState[4 * term + ENTRIES]];
    int n = sortedPostings(term, out, null);
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  @Override
  public long minSpanDuration(int t) {
    return t < traceCapacityUsed ? minDur[t] : Long.MAX_VALUE;
  }

  @Override
  public long maxSpanDuration(int t) {
    return t < traceCapacityUsed ? maxDur[t] : Long.MIN_VALUE;
  }

  /** Attribute runs found in the memo so far. */
  public long memoHits() {
    return memoHits;
  }

  /** Attribute runs looked up in the memo and indexed the long way (then remembered unless refused or too long). */
  public long memoMisses() {
    return memoMisses;
  }

  /** Approximate heap bytes held. */
  public long heapBytes() {
    return (long) pageCount * PAGE * 4 + termHash.length * 70L + termIds.heapBytes() + minDur.length * 20L
        + keyScope.length * 40L + keyIds.heapBytes()
        + (memoHash == null ? 0 : MEMO_SLOTS * (13L + MEMO_BYTES + 4L * memoRun));
  }

  /**
   * 64-bit hash → id, open addressing with linear probing, the pair interleaved ({@code hash, id + 1}; 0 = empty) so
   * a hit reads one cache line, at most half full so a miss (a new term, or a value of a key past its bound) ends
   * after about two probes. The hashes are already avalanched: their low bits index the table as they are.
   */
  private static final class HashIds {
    private long[] table;
    private int mask;
    private int size;

    HashIds(int slots) {
      table = new long[2 * slots];
      mask = slots - 1;
    }

    int get(long h) {
      long[] tab = table;
      int m = mask;
      int s = (int) h & m;
      while (true) {
        long id = tab[2 * s + 1];
        if (id == 0) {
          return -1;
        }
        if (tab[2 * s] == h) {
          return (int) id - 1;
        }
        s = (s + 1) & m;
      }
    }

    /** Adds {@code h} (known to be absent). */
    void put(long h, int id) {
      if ((size + 1) * 2 > mask + 1) {
        long[] old = table;
        long[] grown = new long[(mask + 1) * 4]; // before any field changes: an OutOfMemoryError leaves the table
        table = grown;
        mask = (mask << 1) | 1;
        for (int s = 0; s < old.length; s += 2) {
          if (old[s + 1] != 0) {
            insert(old[s], old[s + 1]);
          }
        }
      }
      insert(h, id + 1L);
      size++;
    }

    private void insert(long h, long idPlusOne) {
      long[] tab = table;
      int s = (int) h & mask;
      while (tab[2 * s + 1] != 0) {
        s = (s + 1) & mask;
      }
      tab[2 * s] = h;
      tab[2 * s + 1] = idPlusOne;
    }

    long heapBytes() {
      return table.length * 8L;
    }
  }
}
