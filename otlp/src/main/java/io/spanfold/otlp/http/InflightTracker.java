package io.spanfold.otlp.http;

import java.util.concurrent.TimeUnit;

/** Counts requests taken but not yet answered, so that a graceful stop can wait for them. Thread-safe. */
final class InflightTracker {
  private final Object lock = new Object();
  private int count;

  void begin() {
    synchronized (lock) {
      count++;
    }
  }

  void end() {
    synchronized (lock) {
      if (--count == 0) {
        lock.notifyAll();
      }
    }
  }

  int count() {
    synchronized (lock) {
      return count;
    }
  }

  /** Waits until no request is in flight or {@code nanos} elapsed; returns whether none is left. */
  boolean awaitZero(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    synchronized (lock) {
      while (count > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }
}
