package io.spanfold.redmetrics.spanmetrics.internal;

import io.spanfold.redmetrics.histogram.ExplicitBuckets;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

/** Internal, unstable. Validated span-metrics settings, shared by the stripes and the registry. */
public final class Config {
  public final ExplicitBuckets buckets;
  public final boolean service;
  public final boolean spanName;
  public final boolean spanKind;
  public final boolean statusCode;
  public final boolean statusMessage;
  /** Attribute keys of the configured dimensions, as UTF-8. */
  public final byte[][] dimensionKeys;
  /** Label names: enabled intrinsics in Tempo's order, then the sanitised dimensions. */
  public final List<String> labelNames;
  public final long slackMillis;
  public final Clock clock;
  public final int maxActiveSeries;
  public final boolean overflowSeries;
  public final long staleMillis;

  public Config(
      ExplicitBuckets buckets,
      boolean service,
      boolean spanName,
      boolean spanKind,
      boolean statusCode,
      boolean statusMessage,
      List<String> dimensions,
      List<String> labelNames,
      long slackMillis,
      Clock clock,
      int maxActiveSeries,
      boolean overflowSeries,
      long staleMillis) {
    this.buckets = buckets;
    this.service = service;
    this.spanName = spanName;
    this.spanKind = spanKind;
    this.statusCode = statusCode;
    this.statusMessage = statusMessage;
    this.dimensionKeys = new byte[dimensions.size()][];
    for (int i = 0; i < dimensions.size(); i++) {
      dimensionKeys[i] = dimensions.get(i).getBytes(StandardCharsets.UTF_8);
    }
    this.labelNames = List.copyOf(labelNames);
    this.slackMillis = slackMillis;
    this.clock = clock;
    this.maxActiveSeries = maxActiveSeries;
    this.overflowSeries = overflowSeries;
    this.staleMillis = staleMillis;
  }
}
