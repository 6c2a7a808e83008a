package io.spanfold.redmetrics.spanmetrics.internal;

import io.spanfold.redmetrics.histogram.BucketLayout;
import io.spanfold.redmetrics.histogram.HistogramSnapshot;
import java.util.List;

/**
 * Internal, unstable. One span-metrics series: its label values and cumulative totals. Totals are written only by
 * the collector (under its lock) when it folds the stripes' deltas in.
 */
public final class Series {
  final String service;
  final byte[] key;
  final List<String> labelValues;
  final boolean overflow;
  final HistogramSnapshot latency;
  long sizeBytes;
  long lastUpdateMillis;
  volatile boolean retired;

  Series(String service, byte[] key, List<String> labelValues, boolean overflow, BucketLayout layout, long now) {
    this.service = service;
    this.key = key;
    this.labelValues = labelValues;
    this.overflow = overflow;
    this.latency = new HistogramSnapshot(layout);
    this.lastUpdateMillis = now;
  }

  public List<String> labelValues() {
    return labelValues;
  }

  public boolean isOverflow() {
    return overflow;
  }

  public HistogramSnapshot latency() {
    return latency;
  }

  public long sizeBytes() {
    return sizeBytes;
  }

  public long calls() {
    return latency.count();
  }
}
