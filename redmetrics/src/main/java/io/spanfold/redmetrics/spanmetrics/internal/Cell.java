package io.spanfold.redmetrics.spanmetrics.internal;

import io.spanfold.redmetrics.histogram.BucketLayout;
import io.spanfold.redmetrics.histogram.HistogramRecorder;
import java.util.Arrays;

/** A stripe's private accumulator for one series: written under the stripe lock, drained by the collector. */
final class Cell {
  final long hash;
  final String service;
  final byte[] key;
  Series series;
  final HistogramRecorder latency;
  long sizeBytes;

  Cell(long hash, String service, byte[] key, Series series, BucketLayout layout) {
    this.hash = hash;
    this.service = service;
    this.key = key;
    this.series = series;
    this.latency = new HistogramRecorder(layout);
  }

  boolean matches(String otherService, byte[] scratch, int len) {
    return (service == otherService || service.equals(otherService))
        && Arrays.equals(key, 0, key.length, scratch, 0, len);
  }

  boolean isEmpty() {
    return latency.isEmpty() && sizeBytes == 0;
  }
}
