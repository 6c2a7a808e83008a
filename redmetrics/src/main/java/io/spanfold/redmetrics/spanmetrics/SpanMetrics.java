package io.spanfold.redmetrics.spanmetrics;

import io.prometheus.client.Collector;
import io.spanfold.core.ingest.SpanConsumer;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.redmetrics.histogram.ExplicitBuckets;
import io.spanfold.redmetrics.spanmetrics.internal.Config;
import io.spanfold.redmetrics.spanmetrics.internal.Series;
import io.spanfold.redmetrics.spanmetrics.internal.SeriesRegistry;
import io.spanfold.redmetrics.spanmetrics.internal.Stripe;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Span metrics as Tempo's metrics-generator {@code span-metrics} processor computes them: a {@link SpanConsumer}
 * that aggregates every accepted span into calls, latency (histogram, seconds) and size (span proto bytes) series
 * labelled {@code service, span_name, span_kind, status_code[, status_message]} plus configured dimensions.
 *
 * <pre>{@code
 * SpanMetrics metrics = SpanMetrics.builder().dimensions(List.of("http.method")).maxActiveSeries(10_000).build();
 * spanIngest.addConsumer(metrics);                         // or call metrics.accept(batch)
 * CollectorRegistry.defaultRegistry.register(metrics.collector());
 * CollectorRegistry.defaultRegistry.register(metrics.selfMetricsCollector());
 * }</pre>
 *
 * <p><b>Concurrency:</b> {@link #accept} may be called from any number of ingest threads. The state is split into
 * stripes; a call takes one stripe's lock for the whole batch (trying its home stripe first, then any free one), so
 * the per-span work is single-writer with plain fields and no atomics, and the lock cost is paid once per batch.
 * The collector folds each stripe's deltas into the series totals under that stripe's lock, one stripe at a time,
 * so ingest threads meanwhile use the other stripes. A batch never waits for a collection unless every stripe is
 * busy.
 *
 * <p><b>Dropped spans:</b> spans whose end time is outside now ± {@code ingestionSlack} are counted in {@code
 * tempo_metrics_generator_spans_discarded_total{reason="outside_metrics_ingestion_slack"}}. New series beyond
 * {@code maxActiveSeries} go to a single {@code metric_overflow="true"} series (or are dropped when {@code
 * overflowSeries(false)}), counted in {@code tempo_metrics_generator_registry_series_limited_total}. Series not
 * updated for {@code staleDuration} are removed at collection time.
 */
public final class SpanMetrics implements SpanConsumer {
  /** Tempo's intrinsic dimension names, in label order. */
  public static final List<String> INTRINSIC_DIMENSIONS =
      List.of("service", "span_name", "span_kind", "status_code", "status_message");

  static final String CALLS = "traces_spanmetrics_calls";
  static final String LATENCY = "traces_spanmetrics_latency";
  static final String SIZE = "traces_spanmetrics_size";

  private final Config config;
  private final SeriesRegistry registry;
  private final Stripe[] stripes;
  private final String traceIdLabelName;
  private final String tenant;
  private final Object collectLock = new Object();
  private final SpanMetricsCollector collector;

  private SpanMetrics(Builder b, Config config) {
    this.config = config;
    this.registry = new SeriesRegistry(config);
    this.stripes = new Stripe[b.stripes];
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Stripe(config, registry);
    }
    this.traceIdLabelName = b.traceIdLabelName;
    this.tenant = b.tenant;
    this.collector = new SpanMetricsCollector(this);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void accept(SpanBatch batch) {
    if (batch.size() == 0) {
      return;
    }
    long now = config.clock.millis();
    Stripe[] s = stripes;
    int home = (int) (Thread.currentThread().getId() % s.length);
    for (int k = 0; k < s.length; k++) {
      Stripe stripe = s[(home + k) % s.length];
      if (stripe.lock.tryLock()) {
        try {
          stripe.process(batch, now);
        } finally {
          stripe.lock.unlock();
        }
        return;
      }
    }
    Stripe stripe = s[home];
    stripe.lock.lock();
    try {
      stripe.process(batch, now);
    } finally {
      stripe.lock.unlock();
    }
  }

  /** The collector of {@code traces_spanmetrics_*}: register it wherever metrics are exposed or remote-written. */
  public Collector collector() {
    return collector;
  }

  /** Self-metrics ({@code tempo_metrics_generator_*}): for {@code /metrics}, usually not for remote write. */
  public Collector selfMetricsCollector() {
    return new SelfMetricsCollector(this);
  }

  /** Active series (the overflow series excluded), as of the last collection. */
  public int activeSeries() {
    return registry.activeCount();
  }

  List<String> labelNames() {
    return config.labelNames;
  }

  String traceIdLabelName() {
    return traceIdLabelName;
  }

  String tenant() {
    return tenant;
  }

  ExplicitBuckets buckets() {
    return config.buckets;
  }

  /**
   * Folds all stripes into the series totals, removes stale series and hands the series to {@code reader} while
   * the collection lock is held (totals do not move under it).
   */
  void collect(SeriesReader reader) {
    synchronized (collectLock) {
      long now = config.clock.millis();
      for (Stripe stripe : stripes) {
        stripe.lock.lock();
        try {
          stripe.drainInto(registry, now);
        } finally {
          stripe.lock.unlock();
        }
      }
      registry.removeStale(now - config.staleMillis);
      Series overflow = registry.overflowSeries();
      reader.read(registry.active(), overflow.calls() > 0 ? overflow : null);
    }
  }

  /** Sums the stripes' counters: {received, discardedSlack, limited}. */
  long[] counters() {
    long[] out = new long[3];
    for (Stripe stripe : stripes) {
      stripe.lock.lock();
      try {
        out[0] += stripe.received();
        out[1] += stripe.discardedSlack();
        out[2] += stripe.limited();
      } finally {
        stripe.lock.unlock();
      }
    }
    return out;
  }

  long seriesAdded() {
    return registry.added();
  }

  long seriesRemoved() {
    return registry.removed();
  }

  interface SeriesReader {
    void read(List<Series> active, Series overflowOrNull);
  }

  /** Builder; every setter validates and names the field it rejects. */
  public static final class Builder {
    private double[] buckets = ExplicitBuckets.TEMPO_SPAN_METRICS_SECONDS;
    private final Map<String, Boolean> intrinsics = new LinkedHashMap<>();
    private List<String> dimensions = List.of();
    private Duration ingestionSlack = Duration.ofSeconds(30);
    private Clock clock = Clock.systemUTC();
    private int maxActiveSeries;
    private boolean overflowSeries = true;
    private Duration staleDuration = Duration.ofMinutes(15);
    private String traceIdLabelName = "traceID";
    private int stripes = Math.max(2, Runtime.getRuntime().availableProcessors());
    private String tenant = SpanBatch.DEFAULT_TENANT;

    private Builder() {
      for (String d : INTRINSIC_DIMENSIONS) {
        intrinsics.put(d, !d.equals("status_message"));
      }
    }

    /** Latency bucket upper bounds in seconds (default Tempo's 0.002 … 16.384). */
    public Builder histogramBuckets(double... seconds) {
      ExplicitBuckets.seconds(seconds); // validates
      this.buckets = seconds.clone();
      return this;
    }

    /**
     * Tempo's {@code intrinsic_dimensions} toggles: {@code service}, {@code span_name}, {@code span_kind}, {@code
     * status_code} (default on), {@code status_message} (default off).
     */
    public Builder intrinsicDimension(String name, boolean enabled) {
      if (!intrinsics.containsKey(name)) {
        throw new IllegalArgumentException("intrinsicDimension: unknown name '" + name + "', expected one of "
            + INTRINSIC_DIMENSIONS);
      }
      intrinsics.put(name, enabled);
      return this;
    }

    /** Attribute names looked up in resource, then span attributes; each becomes a sanitised label. */
    public Builder dimensions(List<String> attributeNames) {
      for (String d : Objects.requireNonNull(attributeNames, "dimensions")) {
        if (d == null || d.isEmpty()) {
          throw new IllegalArgumentException("dimensions: empty attribute name");
        }
      }
      this.dimensions = List.copyOf(attributeNames);
      return this;
    }

    /** Spans ending outside now ± slack are discarded (default 30 s, Tempo's range 0 … 12 h). */
    public Builder ingestionSlack(Duration slack) {
      if (slack.isNegative() || slack.compareTo(Duration.ofHours(12)) > 0) {
        throw new IllegalArgumentException("ingestionSlack must be within 0s..12h: " + slack);
      }
      this.ingestionSlack = slack;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Limit on active series; 0 (default) means unlimited. */
    public Builder maxActiveSeries(int max) {
      if (max < 0) {
        throw new IllegalArgumentException("maxActiveSeries < 0: " + max);
      }
      this.maxActiveSeries = max;
      return this;
    }

    /** Whether spans of series over the limit aggregate into one {@code metric_overflow="true"} series (default). */
    public Builder overflowSeries(boolean enabled) {
      this.overflowSeries = enabled;
      return this;
    }

    /** Series without updates for this long are removed (default 15 m). */
    public Builder staleDuration(Duration stale) {
      if (stale.isNegative() || stale.isZero()) {
        throw new IllegalArgumentException("staleDuration must be > 0: " + stale);
      }
      this.staleDuration = stale;
      return this;
    }

    /** Exemplar label holding the trace id (Tempo's {@code trace_id_label_name}, default {@code traceID}). */
    public Builder traceIdLabelName(String name) {
      if (name == null || !name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
        throw new IllegalArgumentException("traceIdLabelName is not a valid label name: " + name);
      }
      this.traceIdLabelName = name;
      return this;
    }

    /** Number of ingest stripes (default: max(2, available processors)). */
    public Builder stripes(int n) {
      if (n < 1 || n > 1024) {
        throw new IllegalArgumentException("stripes must be within 1..1024: " + n);
      }
      this.stripes = n;
      return this;
    }

    /** Tenant label of the self-metrics (default {@code single-tenant}). */
    public Builder tenant(String tenant) {
      this.tenant = Objects.requireNonNull(tenant, "tenant");
      return this;
    }

    public SpanMetrics build() {
      List<String> labels = new ArrayList<>();
      for (Map.Entry<String, Boolean> e : intrinsics.entrySet()) {
        if (e.getValue()) {
          labels.add(e.getKey());
        }
      }
      Set<String> seen = new HashSet<>(labels);
      for (String d : dimensions) {
        String label = dimensionLabel(d);
        if (!seen.add(label)) {
          throw new IllegalArgumentException("dimensions: '" + d + "' maps to label '" + label
              + "' which another dimension already uses");
        }
        labels.add(label);
      }
      Config config =
          new Config(
              ExplicitBuckets.seconds(buckets),
              intrinsics.get("service"),
              intrinsics.get("span_name"),
              intrinsics.get("span_kind"),
              intrinsics.get("status_code"),
              intrinsics.get("status_message"),
              dimensions,
              labels,
              ingestionSlack.toMillis(),
              clock,
              maxActiveSeries,
              overflowSeries,
              staleDuration.toMillis());
      return new SpanMetrics(this, config);
    }
  }

  /**
   * Tempo's label for a dimension: characters outside {@code [A-Za-z0-9_]} become {@code _}; a name equal to an
   * intrinsic dimension gets a {@code __} prefix.
   */
  public static String dimensionLabel(String attribute) {
    StringBuilder sb = new StringBuilder(attribute.length());
    for (int i = 0; i < attribute.length(); i++) {
      char c = attribute.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
      sb.append(ok ? c : '_');
    }
    String s = sb.toString();
    return INTRINSIC_DIMENSIONS.contains(s) ? "__" + s : s;
  }
}
