package io.spanfold.core.ingest;

import io.spanfold.core.model.SpanBatch;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-trace ingest limits, as Tempo's ingester applies {@code max_bytes_per_trace} (default 5 MB) and
 * {@code max_traces_per_user} (default 10 000 live traces): a span that would make its trace larger than the byte limit
 * is discarded as {@link DiscardReason#TRACE_TOO_LARGE}, a span that would start a new trace while the tenant already
 * has the maximum of live traces as {@link DiscardReason#LIVE_TRACES_EXCEEDED}. A trace is live until no span of it
 * arrived for the idle period (default 10 s).
 *
 * <p>Memory is bounded: per tenant, an open-addressing table of at most {@code 2 × maxLiveTraces} slots keyed by the
 * two trace-id longs (no boxing), swept of idle traces at most once per quarter idle period. The byte count is the
 * span's OTLP message size, so a retried request counts again (as in Tempo, where a retry is a new push).
 *
 * <p>Thread-safe: one monitor per tenant, taken once per batch.
 */
public final class TraceLimiter {
  private final long maxBytesPerTrace;
  private final int maxLiveTraces;
  private final long idleNanos;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, LiveTraces> tenants = new ConcurrentHashMap<>();

  private TraceLimiter(Builder b) {
    this.maxBytesPerTrace = b.maxBytesPerTrace;
    this.maxLiveTraces = b.maxLiveTraces;
    this.idleNanos = b.idleNanos;
    this.nanoClock = b.nanoClock;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks the spans of {@code batch} whose {@code keep} flag is set, in order, counting the admitted ones against
   * their traces; clears the flag of each span refused.
   *
   * @param counts receives [0] spans refused as too large, [1] spans refused as over the live-trace limit
   */
  void admit(SpanBatch batch, boolean[] keep, int[] counts) {
    LiveTraces t = tenants.get(batch.tenant());
    if (t == null) {
      t = tenants.computeIfAbsent(batch.tenant(), k -> new LiveTraces());
    }
    t.admit(batch, keep, counts, nanoClock.getAsLong());
  }

  /** Live traces of {@code tenant} (for tests and metrics). */
  public int liveTraces(String tenant) {
    LiveTraces t = tenants.get(tenant);
    if (t == null) {
      return 0;
    }
    synchronized (t) {
      t.sweepIfDue(nanoClock.getAsLong(), true);
      return t.size;
    }
  }

  public long maxBytesPerTrace() {
    return maxBytesPerTrace;
  }

  public int maxLiveTraces() {
    return maxLiveTraces;
  }

  @Override
  public String toString() {
    return "TraceLimiter{maxBytesPerTrace=" + maxBytesPerTrace + ", maxLiveTraces=" + maxLiveTraces + ", idleNanos="
        + idleNanos + "}";
  }

  /** One tenant's live traces: linear-probing table, guarded by its own monitor. */
  private final class LiveTraces {
    long[] hi = new long[64];
    long[] lo = new long[64];
    long[] bytes = new long[64];
    long[] lastSeen = new long[64];
    boolean[] used = new boolean[64];
    int size;
    long lastSweep = nanoClock.getAsLong();

    synchronized void admit(SpanBatch batch, boolean[] keep, int[] counts, long now) {
      sweepIfDue(now, false);
      int n = batch.size();
      for (int i = 0; i < n; i++) {
        if (!keep[i]) {
          continue;
        }
        long h = batch.traceIdHigh(i);
        long l = batch.traceIdLow(i);
        long len = batch.spanLength(i);
        int slot = find(h, l);
        if (slot >= 0) {
          if (bytes[slot] + len > maxBytesPerTrace) {
            keep[i] = false;
            counts[0]++;
            continue;
          }
          bytes[slot] += len;
          lastSeen[slot] = now;
          continue;
        }
        if (size >= maxLiveTraces) {
          sweepIfDue(now, true);
        }
        if (size >= maxLiveTraces) {
          keep[i] = false;
          counts[1]++;
          continue;
        }
        if (len > maxBytesPerTrace) {
          keep[i] = false;
          counts[0]++;
          continue;
        }
        if ((size + 1) * 2 > used.length) {
          rehash(used.length * 2);
        }
        insert(h, l, len, now);
      }
    }

    int find(long h, long l) {
      int mask = used.length - 1;
      int s = mix(h, l) & mask;
      while (used[s]) {
        if (hi[s] == h && lo[s] == l) {
          return s;
        }
        s = (s + 1) & mask;
      }
      return -1;
    }

    void insert(long h, long l, long b, long seen) {
      int mask = used.length - 1;
      int s = mix(h, l) & mask;
      while (used[s]) {
        s = (s + 1) & mask;
      }
      used[s] = true;
      hi[s] = h;
      lo[s] = l;
      bytes[s] = b;
      lastSeen[s] = seen;
      size++;
    }

    /** Drops idle traces by rebuilding the table; at most once per quarter idle period (more often when full). */
    void sweepIfDue(long now, boolean full) {
      long since = now - lastSweep;
      if (since < (full ? idleNanos / 64 : idleNanos / 4)) {
        return;
      }
      lastSweep = now;
      rehash(used.length);
    }

    void rehash(int capacity) {
      long[] oh = hi;
      long[] ol = lo;
      long[] ob = bytes;
      long[] os = lastSeen;
      boolean[] ou = used;
      long now = nanoClock.getAsLong();
      hi = new long[capacity];
      lo = new long[capacity];
      bytes = new long[capacity];
      lastSeen = new long[capacity];
      used = new boolean[capacity];
      size = 0;
      for (int s = 0; s < ou.length; s++) {
        if (ou[s] && now - os[s] < idleNanos) {
          insert(oh[s], ol[s], ob[s], os[s]);
        }
      }
    }
  }

  private static int mix(long h, long l) {
    long x = h * 0x9E3779B97F4A7C15L ^ l;
    x ^= x >>> 29;
    x *= 0xBF58476D1CE4E5B9L;
    return (int) (x ^ (x >>> 32));
  }

  /** Settings; defaults are Tempo's. */
  public static final class Builder {
    private long maxBytesPerTrace = 5_000_000;
    private int maxLiveTraces = 10_000;
    private long idleNanos = 10_000_000_000L;
    private LongSupplier nanoClock = System::nanoTime;

    private Builder() {}

    /** Largest trace in span bytes (default 5 000 000, Tempo's {@code max_bytes_per_trace}). */
    public Builder maxBytesPerTrace(long maxBytesPerTrace) {
      if (maxBytesPerTrace <= 0) {
        throw new IllegalArgumentException("maxBytesPerTrace <= 0: " + maxBytesPerTrace);
      }
      this.maxBytesPerTrace = maxBytesPerTrace;
      return this;
    }

    /** Live traces per tenant (default 10 000, Tempo's {@code max_traces_per_user}). At most 2^28. */
    public Builder maxLiveTraces(int maxLiveTraces) {
      if (maxLiveTraces <= 0 || maxLiveTraces > (1 << 28)) {
        throw new IllegalArgumentException("maxLiveTraces out of range 1-2^28: " + maxLiveTraces);
      }
      this.maxLiveTraces = maxLiveTraces;
      return this;
    }

    /** How long after its last span a trace stops being live (default 10 s). */
    public Builder idleNanos(long idleNanos) {
      if (idleNanos <= 0) {
        throw new IllegalArgumentException("idleNanos <= 0: " + idleNanos);
      }
      this.idleNanos = idleNanos;
      return this;
    }

    /** A monotonic nanosecond clock (default {@link System#nanoTime}); tests inject one. */
    public Builder nanoClock(LongSupplier nanoClock) {
      this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
      return this;
    }

    public TraceLimiter build() {
      return new TraceLimiter(this);
    }
  }
}
