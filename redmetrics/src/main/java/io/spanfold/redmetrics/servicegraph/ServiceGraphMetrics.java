package io.spanfold.redmetrics.servicegraph;

import io.prometheus.client.Collector;
import io.spanfold.core.graph.ConnectionType;
import io.spanfold.core.graph.EdgeListener;
import io.spanfold.core.graph.EdgeObservation;
import io.spanfold.core.graph.ServiceGraphBuilder;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.redmetrics.histogram.ExplicitBuckets;
import io.spanfold.redmetrics.histogram.HistogramRecorder;
import io.spanfold.redmetrics.histogram.HistogramSnapshot;
import io.spanfold.redmetrics.servicegraph.internal.SeriesIndex;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Tempo's service-graph series, fed by a {@link ServiceGraphBuilder} as its {@link EdgeListener}:
 * {@code traces_service_graph_request_total}, {@code _request_failed_total}, {@code _request_server_seconds} and
 * {@code _request_client_seconds} (histograms with a {@code traceID} exemplar per bucket), labelled {@code client},
 * {@code server}, {@code connection_type}, then the configured dimensions ({@code client_<dim>}/{@code server_<dim>}
 * with {@link Builder#enableClientServerPrefix}, else {@code <dim>}), then {@code virtual_node} with {@link
 * Builder#enableVirtualNodeLabel}. Also {@code traces_service_graph_unpaired_spans_total} and {@code
 * _dropped_spans_total} by {@code client}, {@code server}, {@code connection_type} (the side that was seen), and
 * optionally {@code _request_messaging_system_seconds}. Series not updated for {@code staleDuration} (15m) are
 * dropped, as Tempo's registry does.
 *
 * <pre>{@code
 * ServiceGraphMetrics metrics = ServiceGraphMetrics.builder().build();
 * ServiceGraphBuilder graph = ServiceGraphBuilder.builder().listener(metrics).build();
 * metrics.collector().register(registry);            // the series
 * metrics.selfMetricsCollector(graph).register(registry); // the edge store's own counters and gauges
 * ingest.consumer(graph);
 * }</pre>
 *
 * <p>Concurrency: observations arrive under the graph builder's lock; this class takes its own lock per observation
 * (uncontended except against a scrape) so that a scrape can drain the single-writer histograms safely.
 */
public final class ServiceGraphMetrics implements EdgeListener {
  public static final String REQUEST_TOTAL = "traces_service_graph_request";
  public static final String REQUEST_FAILED_TOTAL = "traces_service_graph_request_failed";
  public static final String REQUEST_SERVER_SECONDS = "traces_service_graph_request_server_seconds";
  public static final String REQUEST_CLIENT_SECONDS = "traces_service_graph_request_client_seconds";
  public static final String REQUEST_MESSAGING_SYSTEM_SECONDS =
      "traces_service_graph_request_messaging_system_seconds";
  public static final String UNPAIRED_SPANS_TOTAL = "traces_service_graph_unpaired_spans";
  public static final String DROPPED_SPANS_TOTAL = "traces_service_graph_dropped_spans";

  private final Object lock = new Object();
  private final ExplicitBuckets buckets;
  private final boolean prefix;
  private final boolean virtualLabel;
  private final boolean messagingLatency;
  private final String traceIdLabelName;
  private final int maxActiveSeries;
  private final String tenant;
  private final long staleMillis;
  private final LongSupplier wallClockMillis;
  private int generation; // bumped per collection; a series remembers the generation of its last update
  private long seriesRemoved;

  // guarded by lock; created at the first observation, when the dimension names are known
  private SeriesIndex index;
  private int[] scratch;
  private List<String> labelNames;
  private final List<Series> series = new ArrayList<>();
  private final SeriesIndex sideIndex = new SeriesIndex(3);
  private final int[] sideScratch = new int[3];
  private final int[] sideHitKey = new int[6]; // per side (0: has a client, 1: no client): client, server, type
  private final int[] sideHitSeries = {-1, -1};
  private final List<SideSeries> sideSeries = new ArrayList<>();
  private long seriesOverflowed;

  private ServiceGraphMetrics(Builder b) {
    this.buckets = ExplicitBuckets.seconds(b.buckets);
    this.prefix = b.prefix;
    this.virtualLabel = b.virtualLabel;
    this.messagingLatency = b.messagingLatency;
    this.traceIdLabelName = b.traceIdLabelName;
    this.maxActiveSeries = b.maxActiveSeries;
    this.tenant = b.tenant;
    this.staleMillis = b.staleDuration.toMillis();
    this.wallClockMillis = b.wallClockMillis;
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---- listener (graph builder's threads)

  @Override
  public void onEdge(EdgeObservation e) {
    synchronized (lock) {
      if (index == null) {
        init(e);
      }
      int[] k = scratch;
      k[0] = e.clientId();
      k[1] = e.serverId();
      k[2] = e.connectionType().ordinal();
      int c = 3;
      for (int d = 0; d < e.dimensionCount(); d++) {
        if (prefix) {
          k[c++] = e.clientDimensionId(d);
          k[c++] = e.serverDimensionId(d);
        } else {
          // Tempo leaves the clash undetermined; the server's value wins here when both sides have one
          int v = e.serverDimensionId(d);
          k[c++] = v != 0 ? v : e.clientDimensionId(d);
        }
      }
      if (virtualLabel) {
        k[c] = e.virtualNode().ordinal();
      }
      int s = index.find(k);
      if (s < 0) {
        if (maxActiveSeries > 0 && series.size() >= maxActiveSeries) {
          seriesOverflowed++;
          return;
        }
        s = index.add(k);
        series.add(new Series(labelValues(e), buckets, generation));
      }
      Series x = series.get(s);
      x.lastGeneration = generation;
      x.requests++;
      if (e.failed()) {
        x.failed++;
      }
      long endNanos = e.clientEndNanos() != 0 ? e.clientEndNanos() : e.serverStartNanos() + e.serverLatencyNanos();
      long millis = endNanos / 1_000_000L;
      x.server.record(e.serverLatencyNanos(), e.traceIdHigh(), e.traceIdLow(), millis);
      x.client.record(e.clientLatencyNanos(), e.traceIdHigh(), e.traceIdLow(), millis);
      if (messagingLatency && e.connectionType() == ConnectionType.MESSAGING_SYSTEM) {
        // time in the queue: producer end to consumer start; Tempo skips non-positive values (unsynced clocks)
        long queued = e.serverStartNanos() - e.clientEndNanos();
        if (queued > 0) {
          x.messaging.record(queued, e.traceIdHigh(), e.traceIdLow(), millis);
        }
      }
    }
  }

  @Override
  public void onUnpaired(EdgeObservation half) {
    side(half, half.spans(), 0);
  }

  @Override
  public void onDropped(EdgeObservation half) {
    side(half, 0, half.spans());
  }

  private void side(EdgeObservation h, long unpaired, long dropped) {
    synchronized (lock) {
      int client = h.clientId();
      int server = h.serverId();
      int type = h.connectionType().ordinal();
      // A full store drops most spans of a batch, one call each, in runs of one client side and one server side per
      // resource: one remembered series per side spares the index lookup on nearly every call.
      int c = client == 0 ? 1 : 0;
      int s;
      if (sideHitSeries[c] >= 0 && sideHitKey[3 * c] == client && sideHitKey[3 * c + 1] == server
          && sideHitKey[3 * c + 2] == type) {
        s = sideHitSeries[c];
      } else {
        sideScratch[0] = client;
        sideScratch[1] = server;
        sideScratch[2] = type;
        s = sideIndex.find(sideScratch);
        if (s < 0) {
          s = sideIndex.add(sideScratch);
          sideSeries.add(new SideSeries(List.of(h.client(), h.server(), h.connectionType().label())));
        }
        sideHitSeries[c] = s;
        sideHitKey[3 * c] = client;
        sideHitKey[3 * c + 1] = server;
        sideHitKey[3 * c + 2] = type;
      }
      SideSeries x = sideSeries.get(s);
      x.unpaired += unpaired;
      x.dropped += dropped;
    }
  }

  private void init(EdgeObservation e) {
    List<String> names = new ArrayList<>(List.of("client", "server", "connection_type"));
    for (int d = 0; d < e.dimensionCount(); d++) {
      if (prefix) {
        names.add(labelName("client_" + e.dimensionName(d)));
        names.add(labelName("server_" + e.dimensionName(d)));
      } else {
        names.add(labelName(e.dimensionName(d)));
      }
    }
    if (virtualLabel) {
      names.add("virtual_node");
    }
    labelNames = List.copyOf(names);
    index = new SeriesIndex(names.size());
    scratch = new int[names.size()];
  }

  private List<String> labelValues(EdgeObservation e) {
    List<String> v = new ArrayList<>(labelNames.size());
    v.add(e.client());
    v.add(e.server());
    v.add(e.connectionType().label());
    for (int d = 0; d < e.dimensionCount(); d++) {
      if (prefix) {
        v.add(e.clientDimension(d));
        v.add(e.serverDimension(d));
      } else {
        String s = e.serverDimension(d);
        v.add(s.isEmpty() ? e.clientDimension(d) : s);
      }
    }
    if (virtualLabel) {
      v.add(e.virtualNode().label());
    }
    return List.copyOf(v);
  }

  /** Prometheus label name of an attribute: characters outside {@code [A-Za-z0-9_]} become {@code _}. */
  static String labelName(String attribute) {
    StringBuilder sb = new StringBuilder(attribute.length());
    for (int i = 0; i < attribute.length(); i++) {
      char c = attribute.charAt(i);
      boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9' && i > 0);
      sb.append(ok ? c : '_');
    }
    return sb.toString();
  }

  // ---- reading (scrape thread)

  /** The series as a simpleclient collector; register it once. */
  public Collector collector() {
    return new ServiceGraphCollector(this);
  }

  /**
   * The edge store's own metrics as Tempo exposes them ({@code tempo_metrics_generator_processor_service_graphs_
   * {edges,expired_edges,dropped_spans}{tenant}}) plus gauges of the store's fill.
   */
  public Collector selfMetricsCollector(ServiceGraphBuilder graph) {
    return new ServiceGraphSelfCollector(Objects.requireNonNull(graph, "graph"), tenant, this);
  }

  /** Series not created because {@code maxActiveSeries} was reached. */
  public long seriesOverflowed() {
    synchronized (lock) {
      return seriesOverflowed;
    }
  }

  public int activeSeries() {
    synchronized (lock) {
      return series.size();
    }
  }

  boolean messagingLatency() {
    return messagingLatency;
  }

  String traceIdLabelName() {
    return traceIdLabelName;
  }

  ExplicitBuckets buckets() {
    return buckets;
  }

  /** Drains the recorders and hands a consistent copy of every series to {@code sink}. */
  void collect(CollectSink sink) {
    synchronized (lock) {
      List<String> names = labelNames == null ? List.of("client", "server", "connection_type") : labelNames;
      removeStale(wallClockMillis.getAsLong());
      for (Series s : series) {
        s.server.drainInto(s.serverTotal);
        s.client.drainInto(s.clientTotal);
        s.messaging.drainInto(s.messagingTotal);
      }
      sink.collect(names, series, sideSeries);
    }
  }

  /**
   * Drops series not updated for {@code staleDuration} (Tempo's {@code stale_duration}), so churning label values
   * do not accumulate. Precision is one collection interval: updates only stamp the collection generation, the wall
   * clock is read here.
   */
  private void removeStale(long nowMillis) {
    boolean stale = false;
    for (Series s : series) {
      if (s.lastGeneration == generation) {
        s.lastSeenMillis = nowMillis;
      } else if (nowMillis - s.lastSeenMillis > staleMillis) {
        stale = true;
      }
    }
    generation++;
    if (!stale || index == null) {
      return;
    }
    // rare and cold: rebuild the index over the surviving series
    List<Series> keep = new ArrayList<>(series.size());
    SeriesIndex rebuilt = new SeriesIndex(index.width());
    int[] key = new int[index.width()];
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      if (nowMillis - s.lastSeenMillis > staleMillis) {
        seriesRemoved++;
        continue;
      }
      for (int c = 0; c < key.length; c++) {
        key[c] = index.key(i, c);
      }
      rebuilt.add(key);
      keep.add(s);
    }
    series.clear();
    series.addAll(keep);
    index = rebuilt;
  }

  /** Series dropped as stale since creation. */
  public long seriesRemoved() {
    synchronized (lock) {
      return seriesRemoved;
    }
  }

  interface CollectSink {
    void collect(List<String> labelNames, List<Series> series, List<SideSeries> sides);
  }

  static final class Series {
    final List<String> labelValues;
    long requests;
    long failed;
    final HistogramRecorder server;
    final HistogramRecorder client;
    final HistogramSnapshot serverTotal;
    final HistogramSnapshot clientTotal;
    final HistogramRecorder messaging;
    final HistogramSnapshot messagingTotal;
    int lastGeneration;
    long lastSeenMillis = Long.MAX_VALUE / 2; // set at the first collection after its creation

    Series(List<String> labelValues, ExplicitBuckets layout, int generation) {
      this.labelValues = labelValues;
      this.lastGeneration = generation;
      server = new HistogramRecorder(layout);
      client = new HistogramRecorder(layout);
      serverTotal = new HistogramSnapshot(layout);
      clientTotal = new HistogramSnapshot(layout);
      messaging = new HistogramRecorder(layout);
      messagingTotal = new HistogramSnapshot(layout);
    }
  }

  static final class SideSeries {
    final List<String> labelValues;
    long unpaired;
    long dropped;

    SideSeries(List<String> labelValues) {
      this.labelValues = labelValues;
    }
  }

  /** Builder with Tempo's defaults. */
  public static final class Builder {
    private double[] buckets = ExplicitBuckets.TEMPO_SERVICE_GRAPH_SECONDS;
    private boolean prefix;
    private boolean virtualLabel;
    private boolean messagingLatency;
    private String traceIdLabelName = "traceID";
    private int maxActiveSeries;
    private String tenant = SpanBatch.DEFAULT_TENANT;
    private Duration staleDuration = Duration.ofMinutes(15);
    private LongSupplier wallClockMillis = System::currentTimeMillis;

    private Builder() {}

    /** Series not updated for this long are dropped at the next collection (Tempo {@code stale_duration}, 15m). */
    public Builder staleDuration(Duration staleDuration) {
      Objects.requireNonNull(staleDuration, "staleDuration");
      if (staleDuration.isNegative() || staleDuration.isZero()) {
        throw new IllegalArgumentException("staleDuration <= 0");
      }
      this.staleDuration = staleDuration;
      return this;
    }

    /** Wall clock in epoch millis for staleness (default {@link System#currentTimeMillis}); inject in tests. */
    public Builder wallClockMillis(LongSupplier wallClockMillis) {
      this.wallClockMillis = Objects.requireNonNull(wallClockMillis, "wallClockMillis");
      return this;
    }

    /** Latency bucket bounds in seconds (Tempo {@code histogram_buckets}; default 0.1 … 12.8). */
    public Builder histogramBuckets(double... seconds) {
      Objects.requireNonNull(seconds, "histogramBuckets");
      ExplicitBuckets.seconds(seconds); // validates, naming the bad bound
      this.buckets = seconds.clone();
      return this;
    }

    /** Label dimensions {@code client_<dim>} and {@code server_<dim>} (Tempo {@code enable_client_server_prefix}). */
    public Builder enableClientServerPrefix(boolean enabled) {
      this.prefix = enabled;
      return this;
    }

    /**
     * Also records {@code traces_service_graph_request_messaging_system_seconds}, producer end to consumer start of
     * {@code messaging_system} edges (Tempo {@code enable_messaging_system_latency_histogram}, off by default).
     */
    public Builder enableMessagingSystemLatencyHistogram(boolean enabled) {
      this.messagingLatency = enabled;
      return this;
    }

    /** Adds the {@code virtual_node} label (Tempo {@code enable_virtual_node_label}). */
    public Builder enableVirtualNodeLabel(boolean enabled) {
      this.virtualLabel = enabled;
      return this;
    }

    /** Exemplar label carrying the trace id (Tempo {@code trace_id_label_name}, default {@code traceID}). */
    public Builder traceIdLabelName(String name) {
      Objects.requireNonNull(name, "traceIdLabelName");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("traceIdLabelName is empty");
      }
      this.traceIdLabelName = name;
      return this;
    }

    /** Most label combinations kept (0 = unlimited, Tempo {@code max_active_series}); further ones are counted. */
    public Builder maxActiveSeries(int max) {
      if (max < 0) {
        throw new IllegalArgumentException("maxActiveSeries < 0");
      }
      this.maxActiveSeries = max;
      return this;
    }

    /** Value of the {@code tenant} label on the self metrics. */
    public Builder tenant(String tenant) {
      this.tenant = Objects.requireNonNull(tenant, "tenant");
      return this;
    }

    public ServiceGraphMetrics build() {
      return new ServiceGraphMetrics(this);
    }
  }
}
