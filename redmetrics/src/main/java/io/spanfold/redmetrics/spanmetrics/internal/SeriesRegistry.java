package io.spanfold.redmetrics.spanmetrics.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Internal, unstable. The global set of active series, shared by all stripes. Touched only when a stripe meets a
 * key it has no cell for, and by the collector: never per span on the steady-state path. Guarded by its own monitor
 * (a private lock object).
 */
public final class SeriesRegistry {
  private final Object lock = new Object();
  private final Config config;
  private final Map<Key, Series> series = new HashMap<>();
  private final Series overflow;
  /** Read lock-free by stripes to route new keys to the overflow series without taking {@link #lock}. */
  private volatile boolean full;
  /** Bumped whenever series are retired: stripes compare it once per batch instead of checking series per span. */
  private volatile long retireEpoch;
  private long added;
  private long removed;

  public SeriesRegistry(Config config) {
    this.config = config;
    this.overflow =
        new Series("", new byte[0], List.of("true"), true, config.buckets, config.clock.millis());
  }

  long retireEpoch() {
    return retireEpoch;
  }

  boolean isFull() {
    return full;
  }

  Series overflow() {
    return overflow;
  }

  /**
   * The series for a key, created when absent and under the limit.
   *
   * @return the series, or {@code null} when the limit is reached (the caller routes to overflow)
   */
  Series getOrCreate(String service, byte[] key, LabelSource labels, long now) {
    Key k = new Key(service, key);
    synchronized (lock) {
      Series s = series.get(k);
      if (s != null) {
        return s;
      }
      if (config.maxActiveSeries > 0 && series.size() >= config.maxActiveSeries) {
        full = true;
        return null;
      }
      s = new Series(service, key, labels.labelValues(), false, config.buckets, now);
      series.put(k, s);
      added++;
      full = config.maxActiveSeries > 0 && series.size() >= config.maxActiveSeries;
      return s;
    }
  }

  /** Removes series not updated since {@code cutoffMillis}; marks them retired so stripes drop their cells. */
  public int removeStale(long cutoffMillis) {
    int n = 0;
    synchronized (lock) {
      for (Iterator<Series> it = series.values().iterator(); it.hasNext(); ) {
        Series s = it.next();
        if (s.lastUpdateMillis < cutoffMillis) {
          s.retired = true;
          it.remove();
          n++;
        }
      }
      removed += n;
      if (n > 0) {
        retireEpoch++;
      }
      full = config.maxActiveSeries > 0 && series.size() >= config.maxActiveSeries;
    }
    return n;
  }

  /** A copy of the active series (the overflow series excluded). */
  public List<Series> active() {
    synchronized (lock) {
      return new ArrayList<>(series.values());
    }
  }

  public int activeCount() {
    synchronized (lock) {
      return series.size();
    }
  }

  public long added() {
    synchronized (lock) {
      return added;
    }
  }

  public long removed() {
    synchronized (lock) {
      return removed;
    }
  }

  public Series overflowSeries() {
    return overflow;
  }

  /** Supplies label values only when a series is really created. */
  interface LabelSource {
    List<String> labelValues();
  }

  private static final class Key {
    final String service;
    final byte[] key;
    final int hash;

    Key(String service, byte[] key) {
      this.service = service;
      this.key = key;
      this.hash = service.hashCode() * 31 + Arrays.hashCode(key);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key && ((Key) o).service.equals(service) && Arrays.equals(((Key) o).key, key);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
