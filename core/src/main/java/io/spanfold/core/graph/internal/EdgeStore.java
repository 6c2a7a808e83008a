package io.spanfold.core.graph.internal;

import java.util.Arrays;

/**
 * Internal, unstable. The bounded store of half-built edges, keyed by (trace id high, trace id low, span id) where
 * the span id is the client span's id or the server span's parent id. Nothing is boxed and nothing is allocated
 * after construction.
 *
 * <pre>
 *  index (open addressing, linear probing, backward-shift delete; capacity = pow2 &ge; 2 x maxItems)
 *  +----------------+----------------+-----
 *  | hash32 | e + 1 |       0        | ...     0 = free slot; the hash half rejects most mismatches
 *  +----------------+----------------+-----    without touching the entry row
 *           |
 *  entries: one row of {@value #STRIDE} longs per entry (128 bytes), so an update touches two cache lines
 *    0 traceHi  1 traceLo  2 spanId  3 clientLatency  4 serverLatency  5 clientEnd  6 serverStart  7 expiry
 *    8 client(32) | server(32)   9 peer(32) | connType(8) failed(8) spans(16)   10 prev(32) | next(32)
 *    11 hash(32)   12..15 unused
 *  dimensions: clientDims[e * d .. e * d + d), serverDims[...] (name ids), only when dimensions are configured
 *  insertion order: doubly linked list head (oldest) .. tail (newest) over prev/next; since every entry gets the
 *  same wait, the head is always the next to expire. Free rows are chained through next.
 * </pre>
 *
 * <p>Not thread-safe: guarded by the owning builder's lock.
 */
public final class EdgeStore {
  private static final int NIL = -1;
  static final int STRIDE = 16;
  private static final int HI = 0;
  private static final int LO = 1;
  private static final int SPAN = 2;
  private static final int CLIENT_LATENCY = 3;
  private static final int SERVER_LATENCY = 4;
  private static final int CLIENT_END = 5;
  private static final int SERVER_START = 6;
  private static final int EXPIRY = 7;
  private static final int NAMES = 8;
  private static final int PEER_FLAGS = 9;
  private static final int LINKS = 10;
  private static final int HASH = 11;

  private final int maxItems;
  private final int dims;
  private final long[] index;
  private final int mask;
  private final long[] rows;
  private final int[] clientDims;
  private final int[] serverDims;

  private int head = NIL;
  private int tail = NIL;
  private int free;
  private int size;

  public EdgeStore(int maxItems, int dims) {
    if (maxItems <= 0) {
      throw new IllegalArgumentException("maxItems <= 0");
    }
    this.maxItems = maxItems;
    this.dims = dims;
    int cap = Integer.highestOneBit(Math.max(2, maxItems) * 2 - 1) << 1;
    index = new long[cap];
    mask = cap - 1;
    rows = new long[maxItems * STRIDE];
    clientDims = new int[maxItems * dims];
    serverDims = new int[maxItems * dims];
    for (int e = 0; e < maxItems; e++) {
      setNext(e, e + 1 < maxItems ? e + 1 : NIL);
    }
    free = 0;
  }

  public int size() {
    return size;
  }

  public int capacity() {
    return maxItems;
  }

  /** Oldest entry (next to expire), or -1 when empty. */
  public int oldest() {
    return head;
  }

  private int prev(int e) {
    return (int) (rows[e * STRIDE + LINKS] >> 32);
  }

  private int next(int e) {
    return (int) rows[e * STRIDE + LINKS];
  }

  private void setPrev(int e, int p) {
    int r = e * STRIDE + LINKS;
    rows[r] = (long) p << 32 | (rows[r] & 0xFFFFFFFFL);
  }

  private void setNext(int e, int n) {
    int r = e * STRIDE + LINKS;
    rows[r] = (rows[r] & 0xFFFFFFFF00000000L) | (n & 0xFFFFFFFFL);
  }

  /** @return the entry holding this key, or -1 */
  public int find(long hi, long lo, long span) {
    int h = mix(hi, lo, span);
    int i = h & mask;
    while (true) {
      long slot = index[i];
      if (slot == 0) {
        return NIL;
      }
      if ((int) (slot >>> 32) == h) {
        int e = (int) slot - 1;
        int r = e * STRIDE;
        if (rows[r + SPAN] == span && rows[r + LO] == lo && rows[r + HI] == hi) {
          return e;
        }
      }
      i = (i + 1) & mask;
    }
  }

  /**
   * Adds an empty entry for a key known to be absent, expiring at {@code expiresAt}.
   *
   * @return the entry, or -1 when the store is full
   */
  public int insert(long hi, long lo, long span, long expiresAt) {
    if (free == NIL) {
      return NIL;
    }
    int e = free;
    free = next(e);
    int h = mix(hi, lo, span);
    int r = e * STRIDE;
    rows[r + HI] = hi;
    rows[r + LO] = lo;
    rows[r + SPAN] = span;
    rows[r + CLIENT_LATENCY] = 0;
    rows[r + SERVER_LATENCY] = 0;
    rows[r + CLIENT_END] = 0;
    rows[r + SERVER_START] = 0;
    rows[r + EXPIRY] = expiresAt;
    rows[r + NAMES] = 0;
    rows[r + PEER_FLAGS] = 0;
    rows[r + HASH] = h;
    if (dims > 0) {
      Arrays.fill(clientDims, e * dims, e * dims + dims, 0);
      Arrays.fill(serverDims, e * dims, e * dims + dims, 0);
    }
    int i = h & mask;
    while (index[i] != 0) {
      i = (i + 1) & mask;
    }
    index[i] = (long) h << 32 | (e + 1);
    // append to the insertion-order list
    rows[r + LINKS] = (long) tail << 32 | (NIL & 0xFFFFFFFFL);
    if (tail == NIL) {
      head = e;
    } else {
      setNext(tail, e);
    }
    tail = e;
    size++;
    return e;
  }

  /** Removes an entry; its row returns to the free list. */
  public void remove(int e) {
    // unlink from the index, then shift later members of the probe run back so lookups need no tombstones
    int h = (int) rows[e * STRIDE + HASH];
    int i = h & mask;
    while ((int) index[i] != e + 1) {
      i = (i + 1) & mask;
    }
    int gap = i;
    int j = (i + 1) & mask;
    while (true) {
      long slot = index[j];
      if (slot == 0) {
        break;
      }
      int ideal = (int) (slot >>> 32) & mask;
      // move slot j into the gap when its ideal position is not in (gap, j] cyclically
      if (((j - ideal) & mask) >= ((j - gap) & mask)) {
        index[gap] = slot;
        gap = j;
      }
      j = (j + 1) & mask;
    }
    index[gap] = 0;
    // unlink from the insertion-order list
    int p = prev(e);
    int n = next(e);
    if (p == NIL) {
      head = n;
    } else {
      setNext(p, n);
    }
    if (n == NIL) {
      tail = p;
    } else {
      setPrev(n, p);
    }
    setNext(e, free);
    free = e;
    size--;
  }

  private static int mix(long hi, long lo, long span) {
    long h = hi * 0x9E3779B97F4A7C15L + lo;
    h = h * 0x9E3779B97F4A7C15L + span;
    h ^= h >>> 32;
    h *= 0xD6E8FEB86659FD93L;
    return (int) (h ^ (h >>> 32));
  }

  // ---- columns (e = entry number)

  public long traceIdHigh(int e) {
    return rows[e * STRIDE + HI];
  }

  public long traceIdLow(int e) {
    return rows[e * STRIDE + LO];
  }

  public long keySpanId(int e) {
    return rows[e * STRIDE + SPAN];
  }

  public int client(int e) {
    return (int) (rows[e * STRIDE + NAMES] >>> 32);
  }

  public void client(int e, int id) {
    int r = e * STRIDE + NAMES;
    rows[r] = (long) id << 32 | (rows[r] & 0xFFFFFFFFL);
  }

  public int server(int e) {
    return (int) rows[e * STRIDE + NAMES];
  }

  public void server(int e, int id) {
    int r = e * STRIDE + NAMES;
    rows[r] = (rows[r] & 0xFFFFFFFF00000000L) | (id & 0xFFFFFFFFL);
  }

  public int peer(int e) {
    return (int) (rows[e * STRIDE + PEER_FLAGS] >>> 32);
  }

  public void peer(int e, int id) {
    int r = e * STRIDE + PEER_FLAGS;
    rows[r] = (long) id << 32 | (rows[r] & 0xFFFFFFFFL);
  }

  public int connectionType(int e) {
    return (int) (rows[e * STRIDE + PEER_FLAGS] >>> 24) & 0xFF;
  }

  public void connectionType(int e, int t) {
    int r = e * STRIDE + PEER_FLAGS;
    rows[r] = (rows[r] & ~(0xFFL << 24)) | ((long) (t & 0xFF) << 24);
  }

  public boolean failed(int e) {
    return (rows[e * STRIDE + PEER_FLAGS] & (1L << 16)) != 0;
  }

  public void markFailed(int e) {
    rows[e * STRIDE + PEER_FLAGS] |= 1L << 16;
  }

  public int spans(int e) {
    return (int) rows[e * STRIDE + PEER_FLAGS] & 0xFFFF;
  }

  /** Counts one more span in the entry (saturating at 65 535: duplicates beyond that are not credible). */
  public void addSpan(int e) {
    int r = e * STRIDE + PEER_FLAGS;
    if ((rows[r] & 0xFFFF) != 0xFFFF) {
      rows[r]++;
    }
  }

  public long clientLatency(int e) {
    return rows[e * STRIDE + CLIENT_LATENCY];
  }

  public void clientLatency(int e, long nanos) {
    rows[e * STRIDE + CLIENT_LATENCY] = nanos;
  }

  public long serverLatency(int e) {
    return rows[e * STRIDE + SERVER_LATENCY];
  }

  public void serverLatency(int e, long nanos) {
    rows[e * STRIDE + SERVER_LATENCY] = nanos;
  }

  public long clientEnd(int e) {
    return rows[e * STRIDE + CLIENT_END];
  }

  public void clientEnd(int e, long nanos) {
    rows[e * STRIDE + CLIENT_END] = nanos;
  }

  public long serverStart(int e) {
    return rows[e * STRIDE + SERVER_START];
  }

  public void serverStart(int e, long nanos) {
    rows[e * STRIDE + SERVER_START] = nanos;
  }

  public long expiry(int e) {
    return rows[e * STRIDE + EXPIRY];
  }

  public int clientDim(int e, int d) {
    return clientDims[e * dims + d];
  }

  public void clientDim(int e, int d, int id) {
    clientDims[e * dims + d] = id;
  }

  public int serverDim(int e, int d) {
    return serverDims[e * dims + d];
  }

  public void serverDim(int e, int d, int id) {
    serverDims[e * dims + d] = id;
  }
}
