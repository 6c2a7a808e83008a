package io.spanfold.core.store.internal;

import java.util.Arrays;

/**
 * Internal, unstable. The head block's trace index: trace id → the offsets of its span records in the span log plus
 * the figures a completed block's index entry needs. Primitive arrays only (no object per span or trace); its size is
 * bounded by the head block's span cut, so the heap stays flat however many blocks are stored.
 *
 * <p>Example after spans A1, B1, A2 (A, B trace ids; o1..o3 record offsets):
 *
 * <pre>
 * slots:  [.., 1, .., 2, ..]         open addressing on the trace id, value = trace ordinal + 1
 * traces: 0 = A {last span 2, count 2}   1 = B {last span 1, count 1}
 * spans:  0 = {o1, prev -1}  1 = {o2, prev -1}  2 = {o3, prev 0}
 * </pre>
 *
 * Not thread-safe: the owning head block guards it with its lock.
 */
public final class HeadTraceIndex {
  /** The per-trace arrays double up to this many entries, then grow to exactly what is needed (the head's cut). */
  private final int growthCap;

  private int[] slots = new int[1024];
  private int mask = slots.length - 1;

  private int traceCount;
  private long[] traceHigh = new long[256];
  private long[] traceLow = new long[256];
  private long[] start = new long[256];
  private long[] end = new long[256];
  private int[] count = new int[256];
  private int[] lastSpan = new int[256];
  private int[] rootRecord = new int[256];
  private boolean[] error = new boolean[256];

  private int spanCount;
  private int[] spanOffset = new int[1024];
  private int[] spanPrev = new int[1024];

  public HeadTraceIndex() {
    this(Integer.MAX_VALUE);
  }

  /** An index of a head block cut at {@code expectedTraces} traces (a soft cap: more still fit, grown one by one). */
  public HeadTraceIndex(int expectedTraces) {
    this.growthCap = Math.max(expectedTraces, 256);
  }

  public int traceCount() {
    return traceCount;
  }

  public int spanCount() {
    return spanCount;
  }

  /** Records a span record at {@code offset}; {@code root} when it has no parent. Returns the trace ordinal. */
  public int add(long high, long low, int offset, long startNanos, long endNanos, boolean root, boolean isError) {
    int t = findOrInsert(high, low);
    int s = spanCount;
    if (s == spanOffset.length) {
      // both allocated before either is assigned: an OutOfMemoryError leaves the index as it was
      int[] so = Arrays.copyOf(spanOffset, s * 2);
      int[] sp = Arrays.copyOf(spanPrev, s * 2);
      spanOffset = so;
      spanPrev = sp;
    }
    spanOffset[s] = offset;
    spanPrev[s] = lastSpan[t];
    spanCount = s + 1;
    lastSpan[t] = s;
    if (count[t] == 0 || startNanos < start[t]) {
      start[t] = startNanos;
    }
    if (count[t] == 0 || endNanos > end[t]) {
      end[t] = endNanos;
    }
    count[t]++;
    if (root && rootRecord[t] < 0) {
      rootRecord[t] = offset;
    }
    if (isError) {
      error[t] = true;
    }
    return t;
  }

  /** Returns the trace's ordinal, or -1. */
  public int find(long high, long low) {
    int i = hash(high, low) & mask;
    while (true) {
      int v = slots[i];
      if (v == 0) {
        return -1;
      }
      int t = v - 1;
      if (traceHigh[t] == high && traceLow[t] == low) {
        return t;
      }
      i = (i + 1) & mask;
    }
  }

  /**
   * Copies the record offsets of trace {@code t} in the order the spans were appended into {@code out} (grown when
   * too small) and returns the array; the count is {@link #count(int)}.
   */
  public int[] offsets(int t, int[] out) {
    int n = count[t];
    if (out == null || out.length < n) {
      out = new int[Math.max(n, 16)];
    }
    int i = n;
    for (int s = lastSpan[t]; s >= 0; s = spanPrev[s]) {
      out[--i] = spanOffset[s];
    }
    return out;
  }

  public long traceHigh(int t) {
    return traceHigh[t];
  }

  public long traceLow(int t) {
    return traceLow[t];
  }

  public long start(int t) {
    return start[t];
  }

  public long end(int t) {
    return end[t];
  }

  public int count(int t) {
    return count[t];
  }

  /** Record offset of the trace's first root span, or -1. */
  public int rootRecord(int t) {
    return rootRecord[t];
  }

  public boolean error(int t) {
    return error[t];
  }

  /** Heap bytes held by the arrays (headers aside), for sizing decisions and tests. */
  public long heapBytes() {
    return slots.length * 4L + traceHigh.length * (8L * 4 + 4 * 3 + 1) + spanOffset.length * 8L;
  }

  /** Heap bytes per trace the index holds at most for one-span traces, growth slack included, below the cap. */
  static final int MAX_BYTES_PER_ONE_SPAN_TRACE = 4 * 4 + (8 * 4 + 4 * 3 + 1) + 2 * 8;

  private int findOrInsert(long high, long low) {
    int i = hash(high, low) & mask;
    while (true) {
      int v = slots[i];
      if (v == 0) {
        break;
      }
      int t = v - 1;
      if (traceHigh[t] == high && traceLow[t] == low) {
        return t;
      }
      i = (i + 1) & mask;
    }
    int t = traceCount;
    if (t == traceHigh.length) {
      // Doubling past the cut would leave up to half of every per-trace array unused for the block's whole life.
      long doubled = (long) t * 2;
      growTraces(t < growthCap ? (int) Math.min(doubled, growthCap) : (int) Math.min(doubled, t + 1024L));
    }
    traceHigh[t] = high;
    traceLow[t] = low;
    count[t] = 0;
    lastSpan[t] = -1;
    rootRecord[t] = -1;
    error[t] = false;
    traceCount = t + 1;
    slots[i] = t + 1;
    if (traceCount * 2 > slots.length) {
      rehash(slots.length * 2);
    }
    return t;
  }

  /** Allocates every new array before assigning any: an OutOfMemoryError leaves the arrays' lengths equal. */
  private void growTraces(int n) {
    long[] th = Arrays.copyOf(traceHigh, n);
    long[] tl = Arrays.copyOf(traceLow, n);
    long[] st = Arrays.copyOf(start, n);
    long[] en = Arrays.copyOf(end, n);
    int[] co = Arrays.copyOf(count, n);
    int[] ls = Arrays.copyOf(lastSpan, n);
    int[] rr = Arrays.copyOf(rootRecord, n);
    boolean[] er = Arrays.copyOf(error, n);
    traceHigh = th;
    traceLow = tl;
    start = st;
    end = en;
    count = co;
    lastSpan = ls;
    rootRecord = rr;
    error = er;
  }

  private void rehash(int capacity) {
    int[] next = new int[capacity];
    int m = capacity - 1;
    for (int t = 0; t < traceCount; t++) {
      int i = hash(traceHigh[t], traceLow[t]) & m;
      while (next[i] != 0) {
        i = (i + 1) & m;
      }
      next[i] = t + 1;
    }
    slots = next;
    mask = m;
  }

  static int hash(long high, long low) {
    long h = high * 0x9E3779B97F4A7C15L ^ low;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return (int) h;
  }
}
