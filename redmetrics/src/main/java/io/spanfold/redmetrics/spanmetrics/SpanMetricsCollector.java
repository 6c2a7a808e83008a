package io.spanfold.redmetrics.spanmetrics;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.prometheus.client.exemplars.Exemplar;
import io.spanfold.core.model.TraceIds;
import io.spanfold.redmetrics.histogram.HistogramSnapshot;
import io.spanfold.redmetrics.spanmetrics.internal.Series;
import java.util.ArrayList;
import java.util.List;

/**
 * simpleclient view of a {@link SpanMetrics}: {@code traces_spanmetrics_calls_total}, {@code
 * traces_spanmetrics_latency_{bucket,sum,count}} (bucket samples carry the latest {@code traceID} exemplar, shown in
 * OpenMetrics output) and {@code traces_spanmetrics_size_total}. Counter families are named without {@code _total},
 * as simpleclient expects, so both the 0.0.4 text format and OpenMetrics render them correctly.
 *
 * <p>Thread-safe; concurrent collections are serialised.
 */
public final class SpanMetricsCollector extends Collector {
  private static final List<String> OVERFLOW_LABELS = List.of("metric_overflow");
  private final SpanMetrics metrics;

  SpanMetricsCollector(SpanMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    List<Sample> calls = new ArrayList<>();
    List<Sample> latency = new ArrayList<>();
    List<Sample> size = new ArrayList<>();
    List<String> names = metrics.labelNames();
    List<String> bucketNames = with(names, "le");
    List<String> overflowBucketNames = with(OVERFLOW_LABELS, "le");
    int buckets = metrics.buckets().bucketCount();
    String[] le = new String[buckets];
    for (int i = 0; i < buckets; i++) {
      le[i] = doubleToGoString(metrics.buckets().upperBound(i));
    }
    String traceLabel = metrics.traceIdLabelName();
    metrics.collect(
        (active, overflow) -> {
          for (Series s : active) {
            add(s, names, bucketNames, le, traceLabel, calls, latency, size);
          }
          if (overflow != null) {
            add(overflow, OVERFLOW_LABELS, overflowBucketNames, le, traceLabel, calls, latency, size);
          }
        });
    List<MetricFamilySamples> out = new ArrayList<>(3);
    out.add(new MetricFamilySamples(SpanMetrics.CALLS, Type.COUNTER, "Total count of the spans", calls));
    out.add(new MetricFamilySamples(SpanMetrics.LATENCY, Type.HISTOGRAM, "Latency of the spans in seconds", latency));
    out.add(new MetricFamilySamples(SpanMetrics.SIZE, Type.COUNTER, "Total size of the spans in bytes", size));
    return out;
  }

  private static void add(
      Series s,
      List<String> names,
      List<String> bucketNames,
      String[] le,
      String traceLabel,
      List<Sample> calls,
      List<Sample> latency,
      List<Sample> size) {
    List<String> values = s.labelValues();
    HistogramSnapshot h = s.latency();
    calls.add(new Sample(SpanMetrics.CALLS + "_total", names, values, h.count()));
    long cumulative = 0;
    for (int i = 0; i < le.length; i++) {
      cumulative += h.bucketCount(i);
      Exemplar ex = null;
      if (h.hasExemplar(i)) {
        ex =
            new Exemplar(
                h.exemplarValue(i),
                h.exemplarTimestampMillis(i),
                traceLabel,
                TraceIds.traceIdHexStripped(h.exemplarTraceIdHigh(i), h.exemplarTraceIdLow(i)));
      }
      latency.add(new Sample(SpanMetrics.LATENCY + "_bucket", bucketNames, with(values, le[i]), cumulative, ex));
    }
    latency.add(new Sample(SpanMetrics.LATENCY + "_count", names, values, h.count()));
    latency.add(new Sample(SpanMetrics.LATENCY + "_sum", names, values, h.sum()));
    size.add(new Sample(SpanMetrics.SIZE + "_total", names, values, s.sizeBytes()));
  }

  private static List<String> with(List<String> list, String last) {
    String[] a = list.toArray(new String[list.size() + 1]);
    a[list.size()] = last;
    return java.util.Arrays.asList(a);
  }
}
