package io.spanfold.core.ingest;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A per-tenant byte rate limit with a burst, as Tempo's distributor applies {@code ingestion_rate_limit_bytes}
 * (default 15 MB/s) and {@code ingestion_burst_size_bytes} (default 20 MB): a token bucket per tenant that refills at
 * the rate and holds at most the burst. A request of {@code n} bytes passes when the tenant's bucket holds {@code n}
 * tokens; a request larger than the burst never passes (Go's {@code rate.Limiter.AllowN}).
 *
 * <p>Thread-safe. Each tenant's bucket is guarded by its own monitor, held for a few arithmetic operations once per
 * request (not per span), so tenants never contend with each other.
 */
public final class IngestRateLimiter {
  /** Tempo's prefix of rate-limit errors ({@code overrides.ErrorPrefixRateLimited}). */
  public static final String ERROR_PREFIX = "RATE_LIMITED";

  private final long bytesPerSecond;
  private final long burstBytes;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  private IngestRateLimiter(Builder b) {
    this.bytesPerSecond = b.bytesPerSecond;
    this.burstBytes = b.burstBytes;
    this.nanoClock = b.nanoClock;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Takes {@code bytes} tokens from {@code tenant}'s bucket if it holds that many.
   *
   * @return whether the request may pass
   */
  public boolean tryAcquire(String tenant, long bytes) {
    Bucket b = buckets.get(tenant);
    if (b == null) {
      b = buckets.computeIfAbsent(tenant, t -> new Bucket(burstBytes, nanoClock.getAsLong()));
    }
    return b.take(bytes, nanoClock.getAsLong(), bytesPerSecond, burstBytes);
  }

  /**
   * The error a refused request gets, worded as Tempo's distributor words it (the "global" limit is 0: one node).
   */
  public String rejectionMessage(String tenant, long bytes) {
    if (bytes > bytesPerSecond && bytes > burstBytes) {
      return ERROR_PREFIX + ": batch size (" + bytes + " bytes) exceeds ingestion limit (local: " + bytesPerSecond
          + " bytes/s, global: 0 bytes/s, burst: " + burstBytes + " bytes) while adding " + bytes
          + " bytes for user " + tenant + ". consider reducing batch size or increasing rate limit.";
    }
    return ERROR_PREFIX + ": ingestion rate limit (local: " + bytesPerSecond + " bytes/s, global: 0 bytes/s, burst: "
        + burstBytes + " bytes) exceeded while adding " + bytes + " bytes for user " + tenant
        + ". consider increasing the limit or reducing ingestion rate.";
  }

  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  public long burstBytes() {
    return burstBytes;
  }

  @Override
  public String toString() {
    return "IngestRateLimiter{bytesPerSecond=" + bytesPerSecond + ", burstBytes=" + burstBytes + "}";
  }

  private static final class Bucket {
    private double tokens;
    private long lastNanos;

    Bucket(long tokens, long nowNanos) {
      this.tokens = tokens;
      this.lastNanos = nowNanos;
    }

    synchronized boolean take(long n, long now, long rate, long burst) {
      long elapsed = now - lastNanos;
      if (elapsed > 0) {
        tokens = Math.min(burst, tokens + elapsed * (rate / 1e9));
        lastNanos = now;
      }
      if (n > tokens) {
        return false;
      }
      tokens -= n;
      return true;
    }
  }

  /** Settings; defaults are Tempo's. */
  public static final class Builder {
    private long bytesPerSecond = 15_000_000;
    private long burstBytes = 20_000_000;
    private LongSupplier nanoClock = System::nanoTime;

    private Builder() {}

    /** The sustained rate per tenant (default 15 000 000, Tempo's {@code ingestion_rate_limit_bytes}). */
    public Builder bytesPerSecond(long bytesPerSecond) {
      if (bytesPerSecond <= 0) {
        throw new IllegalArgumentException("bytesPerSecond <= 0: " + bytesPerSecond);
      }
      this.bytesPerSecond = bytesPerSecond;
      return this;
    }

    /** The bucket size per tenant (default 20 000 000, Tempo's {@code ingestion_burst_size_bytes}). */
    public Builder burstBytes(long burstBytes) {
      if (burstBytes <= 0) {
        throw new IllegalArgumentException("burstBytes <= 0: " + burstBytes);
      }
      this.burstBytes = burstBytes;
      return this;
    }

    /** A monotonic nanosecond clock (default {@link System#nanoTime}); tests inject one. */
    public Builder nanoClock(LongSupplier nanoClock) {
      this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
      return this;
    }

    public IngestRateLimiter build() {
      return new IngestRateLimiter(this);
    }
  }
}
