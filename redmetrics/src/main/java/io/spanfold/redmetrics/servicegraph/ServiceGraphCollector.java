package io.spanfold.redmetrics.servicegraph;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.prometheus.client.exemplars.Exemplar;
import io.spanfold.core.model.TraceIds;
import io.spanfold.redmetrics.histogram.HistogramSnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * simpleclient view of a {@link ServiceGraphMetrics}. Counter families are named without {@code _total} (simpleclient
 * appends it to samples), so both the 0.0.4 text format and OpenMetrics render them correctly; histogram bucket
 * samples carry the bucket's latest {@code traceID} exemplar (shown in OpenMetrics output).
 *
 * <p>Thread-safe; a collection drains the recorders under the metrics' lock.
 */
public final class ServiceGraphCollector extends Collector {
  private final ServiceGraphMetrics metrics;

  ServiceGraphCollector(ServiceGraphMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    List<Sample> total = new ArrayList<>();
    List<Sample> failed = new ArrayList<>();
    List<Sample> server = new ArrayList<>();
    List<Sample> client = new ArrayList<>();
    List<Sample> messaging = new ArrayList<>();
    List<Sample> unpaired = new ArrayList<>();
    List<Sample> dropped = new ArrayList<>();
    int buckets = metrics.buckets().bucketCount();
    String[] le = new String[buckets];
    for (int i = 0; i < buckets; i++) {
      le[i] = doubleToGoString(metrics.buckets().upperBound(i));
    }
    String traceLabel = metrics.traceIdLabelName();
    List<String> sideNames = List.of("client", "server", "connection_type");
    metrics.collect((names, series, sides) -> {
      List<String> bucketNames = with(names, "le");
      for (ServiceGraphMetrics.Series s : series) {
        total.add(new Sample(ServiceGraphMetrics.REQUEST_TOTAL + "_total", names, s.labelValues, s.requests));
        if (s.failed > 0) {
          failed.add(
              new Sample(ServiceGraphMetrics.REQUEST_FAILED_TOTAL + "_total", names, s.labelValues, s.failed));
        }
        histogram(ServiceGraphMetrics.REQUEST_SERVER_SECONDS, names, bucketNames, s.labelValues, le, traceLabel,
            s.serverTotal, server);
        histogram(ServiceGraphMetrics.REQUEST_CLIENT_SECONDS, names, bucketNames, s.labelValues, le, traceLabel,
            s.clientTotal, client);
        if (metrics.messagingLatency() && s.messagingTotal.count() > 0) {
          histogram(ServiceGraphMetrics.REQUEST_MESSAGING_SYSTEM_SECONDS, names, bucketNames, s.labelValues, le,
              traceLabel, s.messagingTotal, messaging);
        }
      }
      for (ServiceGraphMetrics.SideSeries s : sides) {
        if (s.unpaired > 0) {
          unpaired.add(
              new Sample(ServiceGraphMetrics.UNPAIRED_SPANS_TOTAL + "_total", sideNames, s.labelValues, s.unpaired));
        }
        if (s.dropped > 0) {
          dropped.add(
              new Sample(ServiceGraphMetrics.DROPPED_SPANS_TOTAL + "_total", sideNames, s.labelValues, s.dropped));
        }
      }
    });
    List<MetricFamilySamples> out = new ArrayList<>(6);
    out.add(new MetricFamilySamples(ServiceGraphMetrics.REQUEST_TOTAL, Type.COUNTER,
        "Total count of requests between two nodes", total));
    out.add(new MetricFamilySamples(ServiceGraphMetrics.REQUEST_FAILED_TOTAL, Type.COUNTER,
        "Total count of failed requests between two nodes", failed));
    out.add(new MetricFamilySamples(ServiceGraphMetrics.REQUEST_SERVER_SECONDS, Type.HISTOGRAM,
        "Time for a request between two nodes as seen from the server", server));
    out.add(new MetricFamilySamples(ServiceGraphMetrics.REQUEST_CLIENT_SECONDS, Type.HISTOGRAM,
        "Time for a request between two nodes as seen from the client", client));
    if (metrics.messagingLatency()) {
      out.add(new MetricFamilySamples(ServiceGraphMetrics.REQUEST_MESSAGING_SYSTEM_SECONDS, Type.HISTOGRAM,
          "Time between publisher and consumer for services communicating through a messaging system", messaging));
    }
    out.add(new MetricFamilySamples(ServiceGraphMetrics.UNPAIRED_SPANS_TOTAL, Type.COUNTER,
        "Total count of unpaired spans", unpaired));
    out.add(new MetricFamilySamples(ServiceGraphMetrics.DROPPED_SPANS_TOTAL, Type.COUNTER,
        "Total count of dropped spans", dropped));
    return out;
  }

  private static void histogram(String name, List<String> names, List<String> bucketNames, List<String> values,
      String[] le, String traceLabel, HistogramSnapshot h, List<Sample> out) {
    long cumulative = 0;
    for (int i = 0; i < le.length; i++) {
      cumulative += h.bucketCount(i);
      Exemplar ex = null;
      if (h.hasExemplar(i)) {
        ex = new Exemplar(h.exemplarValue(i), h.exemplarTimestampMillis(i), traceLabel,
            TraceIds.traceIdHexStripped(h.exemplarTraceIdHigh(i), h.exemplarTraceIdLow(i)));
      }
      out.add(new Sample(name + "_bucket", bucketNames, with(values, le[i]), cumulative, ex));
    }
    out.add(new Sample(name + "_count", names, values, h.count()));
    out.add(new Sample(name + "_sum", names, values, h.sum()));
  }

  private static List<String> with(List<String> list, String last) {
    String[] a = list.toArray(new String[list.size() + 1]);
    a[list.size()] = last;
    return Arrays.asList(a);
  }
}
