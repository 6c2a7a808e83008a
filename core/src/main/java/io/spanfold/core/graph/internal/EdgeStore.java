package io.spanfold.core.graph.internal;

import java.util.Arrays;

/**
 * Internal, unstable. The bounded store of half-built edges, keyed by (trace id high, trace id low, span id) where
 * the span id is the client span's id or the server span's parent id. Nothing is boxed and nothing is allocated
 * after construction.
 *
 * <pre>
 *  index (open addressing, linear probing, backward-shift delete; capacity = pow2 &ge; 2 x maxItems)
 *  +-----+-----+-----+-----+
 *  |  0  | e+1 |  0  | e+1 |   0 = free slot, else entry number + 1
 *  +-----+-----+-----+-----+
 *           |
 *  entries (parallel arrays, one column per field, maxItems rows)
 *    key: traceHi traceLo spanId | hash | client server peer (name ids) | connType failed spans |
 *    clientLatency serverLatency clientEnd serverStart (nanos) | expiry (clock nanos) | prev next |
 *    clientDims[e * d .. e * d + d)  serverDims[...]  (name ids)
 *  insertion order: doubly linked list head (oldest) .. tail (newest) over prev/next; since every entry gets the
 *  same wait, the head is always the next to expire. Free rows are chained through next.
 * </pre>
 *
 * <p>Not thread-safe: guarded by the owning builder's lock.
 */
public final class EdgeStore {
  private static final int NIL = -1;

  private final int maxItems;
  private final int dims;
  private final int[] index;
  private final int mask;

  private final long[] keyHi;
  private final long[] keyLo;
  private final long[] keySpan;
  private final int[] hash;
  private final int[] client;
  private final int[] server;
  private final int[] peer;
  private final byte[] connType;
  private final boolean[] failed;
  private final int[] spans;
  private final long[] clientLatency;
  private final long[] serverLatency;
  private final long[] clientEnd;
  private final long[] serverStart;
  private final long[] expiry;
  private final int[] prev;
  private final int[] next;
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
    index = new int[cap];
    mask = cap - 1;
    keyHi = new long[maxItems];
    keyLo = new long[maxItems];
    keySpan = new long[maxItems];
    hash = new int[maxItems];
    client = new int[maxItems];
    server = new int[maxItems];
    peer = new int[maxItems];
    connType = new byte[maxItems];
    failed = new boolean[maxItems];
    spans = new int[maxItems];
    clientLatency = new long[maxItems];
    serverLatency = new long[maxItems];
    clientEnd = new long[maxItems];
    serverStart = new long[maxItems];
    expiry = new long[maxItems];
    prev = new int[maxItems];
    next = new int[maxItems];
    clientDims = new int[maxItems * dims];
    serverDims = new int[maxItems * dims];
    for (int e = 0; e < maxItems; e++) {
      next[e] = e + 1 < maxItems ? e + 1 : NIL;
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

  /** @return the entry holding this key, or -1 */
  public int find(long hi, long lo, long span) {
    int h = mix(hi, lo, span);
    int i = h & mask;
    while (true) {
      int slot = index[i];
      if (slot == 0) {
        return NIL;
      }
      int e = slot - 1;
      if (hash[e] == h && keySpan[e] == span && keyLo[e] == lo && keyHi[e] == hi) {
        return e;
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
    free = next[e];
    int h = mix(hi, lo, span);
    keyHi[e] = hi;
    keyLo[e] = lo;
    keySpan[e] = span;
    hash[e] = h;
    client[e] = 0;
    server[e] = 0;
    peer[e] = 0;
    connType[e] = 0;
    failed[e] = false;
    spans[e] = 0;
    clientLatency[e] = 0;
    serverLatency[e] = 0;
    clientEnd[e] = 0;
    serverStart[e] = 0;
    expiry[e] = expiresAt;
    if (dims > 0) {
      Arrays.fill(clientDims, e * dims, e * dims + dims, 0);
      Arrays.fill(serverDims, e * dims, e * dims + dims, 0);
    }
    int i = h & mask;
    while (index[i] != 0) {
      i = (i + 1) & mask;
    }
    index[i] = e + 1;
    // append to the insertion-order list
    prev[e] = tail;
    next[e] = NIL;
    if (tail == NIL) {
      head = e;
    } else {
      next[tail] = e;
    }
    tail = e;
    size++;
    return e;
  }

  /** Removes an entry; its row returns to the free list. */
  public void remove(int e) {
    // unlink from the index, then shift later members of the probe run back so lookups need no tombstones
    int i = hash[e] & mask;
    while (index[i] != e + 1) {
      i = (i + 1) & mask;
    }
    int gap = i;
    int j = (i + 1) & mask;
    while (true) {
      int slot = index[j];
      if (slot == 0) {
        break;
      }
      int ideal = hash[slot - 1] & mask;
      // move slot j into the gap when its ideal position is not in (gap, j] cyclically
      if (((j - ideal) & mask) >= ((j - gap) & mask)) {
        index[gap] = slot;
        gap = j;
      }
      j = (j + 1) & mask;
    }
    index[gap] = 0;
    // unlink from the insertion-order list
    int p = prev[e];
    int n = next[e];
    if (p == NIL) {
      head = n;
    } else {
      next[p] = n;
    }
    if (n == NIL) {
      tail = p;
    } else {
      prev[n] = p;
    }
    next[e] = free;
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
    return keyHi[e];
  }

  public long traceIdLow(int e) {
    return keyLo[e];
  }

  public long keySpanId(int e) {
    return keySpan[e];
  }

  public int client(int e) {
    return client[e];
  }

  public void client(int e, int id) {
    client[e] = id;
  }

  public int server(int e) {
    return server[e];
  }

  public void server(int e, int id) {
    server[e] = id;
  }

  public int peer(int e) {
    return peer[e];
  }

  public void peer(int e, int id) {
    peer[e] = id;
  }

  public int connectionType(int e) {
    return connType[e];
  }

  public void connectionType(int e, int t) {
    connType[e] = (byte) t;
  }

  public boolean failed(int e) {
    return failed[e];
  }

  public void markFailed(int e) {
    failed[e] = true;
  }

  public int spans(int e) {
    return spans[e];
  }

  public void addSpan(int e) {
    spans[e]++;
  }

  public long clientLatency(int e) {
    return clientLatency[e];
  }

  public void clientLatency(int e, long nanos) {
    clientLatency[e] = nanos;
  }

  public long serverLatency(int e) {
    return serverLatency[e];
  }

  public void serverLatency(int e, long nanos) {
    serverLatency[e] = nanos;
  }

  public long clientEnd(int e) {
    return clientEnd[e];
  }

  public void clientEnd(int e, long nanos) {
    clientEnd[e] = nanos;
  }

  public long serverStart(int e) {
    return serverStart[e];
  }

  public void serverStart(int e, long nanos) {
    serverStart[e] = nanos;
  }

  public long expiry(int e) {
    return expiry[e];
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
