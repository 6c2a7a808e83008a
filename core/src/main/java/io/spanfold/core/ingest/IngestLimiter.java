package io.spanfold.core.ingest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A memory budget for ingest: the bytes of request bodies and decoded batches that may be held at once, across every
 * receiver that shares it. A receiver reserves a request's bytes before it reads or decodes the body and releases them
 * once the request is answered; when a reservation does not fit, the request is refused with "retry later" (HTTP 429,
 * gRPC {@code RESOURCE_EXHAUSTED}) instead of being buffered.
 *
 * <p>Thread-safe and lock-free: one compare-and-set per reservation.
 */
public final class IngestLimiter {
  private final long capacity;
  private final AtomicLong used = new AtomicLong();

  private IngestLimiter(long capacity) {
    this.capacity = capacity;
  }

  /**
   * A budget of {@code capacityBytes}.
   *
   * @throws IllegalArgumentException when {@code capacityBytes <= 0}
   */
  public static IngestLimiter ofBytes(long capacityBytes) {
    if (capacityBytes <= 0) {
      throw new IllegalArgumentException("capacityBytes <= 0: " + capacityBytes);
    }
    return new IngestLimiter(capacityBytes);
  }

  /**
   * Reserves {@code bytes} if they fit in what is left of the budget. A request larger than the whole budget never
   * fits.
   *
   * @return whether the bytes were reserved (and must later be {@link #release released})
   */
  public boolean tryAcquire(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes < 0: " + bytes);
    }
    while (true) {
      long u = used.get();
      long next = u + bytes;
      if (next > capacity || next < 0) {
        return false;
      }
      if (used.compareAndSet(u, next)) {
        return true;
      }
    }
  }

  /** Gives back bytes reserved by {@link #tryAcquire}. */
  public void release(long bytes) {
    if (bytes <= 0) {
      return;
    }
    long after = used.addAndGet(-bytes);
    if (after < 0) {
      used.addAndGet(bytes);
      throw new IllegalStateException("released more than reserved: " + bytes + " (in use " + (after + bytes) + ")");
    }
  }

  /** Bytes reserved now. */
  public long inUse() {
    return used.get();
  }

  public long capacity() {
    return capacity;
  }

  @Override
  public String toString() {
    return "IngestLimiter{capacity=" + capacity + ", inUse=" + used.get() + "}";
  }
}
