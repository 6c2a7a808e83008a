package io.spanfold.redmetrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.spanfold.core.Spanfold;
import io.spanfold.redmetrics.remotewrite.RemoteWriter;
import io.spanfold.redmetrics.servicegraph.ServiceGraphMetrics;
import io.spanfold.redmetrics.spanmetrics.SpanMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The RED registry of an embedded {@link Spanfold}: span-metrics ({@code traces_spanmetrics_*}) and service-graph
 * metrics ({@code traces_service_graph_*}) as simpleclient collectors, plus optional Prometheus remote write.
 *
 * <p>Why this lives here and not on {@code Spanfold}: core depends on no metrics library (enforced by the build), so
 * it cannot hand out a Prometheus registry. Instead core exposes the two hooks the metrics need, an extra
 * {@linkplain Spanfold.Builder#consumer span consumer} and the {@linkplain Spanfold.Builder#serviceGraphListener
 * service-graph listener}, and this class plugs into both:
 *
 * <pre>{@code
 * RedMetrics red = RedMetrics.builder()
 *     .spanMetrics(SpanMetrics.builder().dimensions(List.of("http.method")).build())  // optional: defaults as Tempo
 *     .remoteWrite(RemoteWriter.builder().url("http://prometheus:9090/api/v1/write")) // optional
 *     .build();
 * Spanfold spanfold = red.attachTo(Spanfold.builder().dataDir(dir)).build();
 * red.start(spanfold);                               // graph self-metrics, remote write
 * CollectorRegistry registry = red.registry();      // serve it on /metrics, or red.register(yourRegistry)
 * }</pre>
 *
 * <p>Closing the {@code Spanfold} closes this (remote write flushes what is queued). Thread-safe.
 */
public final class RedMetrics implements AutoCloseable {
  private final SpanMetrics spanMetrics;
  private final ServiceGraphMetrics graphMetrics;
  private final RemoteWriter remoteWriter; // null when off
  private final CollectorRegistry registry = new CollectorRegistry(true);
  private final List<Collector> collectors = new ArrayList<>();
  private final Object lock = new Object();
  private boolean attached;
  private boolean started;

  private RedMetrics(Builder b) {
    this.spanMetrics = b.spanMetrics != null ? b.spanMetrics : SpanMetrics.builder().build();
    this.graphMetrics = b.graphMetrics != null ? b.graphMetrics : ServiceGraphMetrics.builder().build();
    if (b.remoteWrite != null) {
      b.remoteWrite.collector(spanMetrics.collector()).collector(graphMetrics.collector());
      this.remoteWriter = b.remoteWrite.build();
    } else {
      this.remoteWriter = null;
    }
    collectors.add(spanMetrics.collector());
    collectors.add(spanMetrics.selfMetricsCollector());
    collectors.add(graphMetrics.collector());
    if (remoteWriter != null) {
      collectors.add(remoteWriter.metricsCollector());
    }
    for (Collector c : collectors) {
      registry.register(c);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Adds span-metrics as a consumer and the service-graph metrics as the graph listener of {@code builder}, and has
   * the built instance close this. Call once, before {@code builder.build()}.
   *
   * @return {@code builder}, for chaining
   * @throws IllegalStateException when already attached, or when the builder has another graph listener
   */
  public Spanfold.Builder attachTo(Spanfold.Builder builder) {
    Objects.requireNonNull(builder, "builder");
    synchronized (lock) {
      if (attached) {
        throw new IllegalStateException("RedMetrics is already attached to a Spanfold builder");
      }
      attached = true;
    }
    return builder.consumer(spanMetrics).serviceGraphListener(graphMetrics).closeOnClose(this);
  }

  /**
   * Registers the service-graph self-metrics of {@code spanfold} ({@code tempo_metrics_generator_processor_service_
   * graphs_*}) and starts remote write, if configured. Call once, with the instance built from the attached builder.
   */
  public RedMetrics start(Spanfold spanfold) {
    Objects.requireNonNull(spanfold, "spanfold");
    synchronized (lock) {
      if (!attached) {
        throw new IllegalStateException("attachTo(builder) must be called before the Spanfold is built");
      }
      if (started) {
        throw new IllegalStateException("RedMetrics is already started");
      }
      started = true;
      if (spanfold.serviceGraphEnabled()) {
        Collector self = graphMetrics.selfMetricsCollector(spanfold.serviceGraphBuilder());
        collectors.add(self);
        registry.register(self);
      }
    }
    if (remoteWriter != null) {
      remoteWriter.start();
    }
    return this;
  }

  /** A registry holding every collector of this instance (its own; not the global default registry). */
  public CollectorRegistry registry() {
    return registry;
  }

  /** Registers every collector of this instance in {@code other} as well (call after {@link #start}). */
  public void register(CollectorRegistry other) {
    synchronized (lock) {
      for (Collector c : collectors) {
        other.register(c);
      }
    }
  }

  /** The span-metrics consumer ({@code traces_spanmetrics_*}). */
  public SpanMetrics spanMetrics() {
    return spanMetrics;
  }

  /** The service-graph metrics ({@code traces_service_graph_*}). */
  public ServiceGraphMetrics serviceGraphMetrics() {
    return graphMetrics;
  }

  /** Whether metrics are remote-written. */
  public boolean remoteWriteEnabled() {
    return remoteWriter != null;
  }

  /** Stops remote write, delivering what is queued within its flush deadline. Idempotent. */
  @Override
  public void close() {
    if (remoteWriter != null) {
      remoteWriter.close();
    }
  }

  /** Settings; every part is optional. */
  public static final class Builder {
    private SpanMetrics spanMetrics;
    private ServiceGraphMetrics graphMetrics;
    private RemoteWriter.Builder remoteWrite;

    private Builder() {}

    /** The span-metrics to feed (default: {@code SpanMetrics.builder().build()}, Tempo's defaults). */
    public Builder spanMetrics(SpanMetrics spanMetrics) {
      this.spanMetrics = Objects.requireNonNull(spanMetrics, "spanMetrics");
      return this;
    }

    /** The service-graph metrics to feed (default: {@code ServiceGraphMetrics.builder().build()}). */
    public Builder serviceGraphMetrics(ServiceGraphMetrics graphMetrics) {
      this.graphMetrics = Objects.requireNonNull(graphMetrics, "serviceGraphMetrics");
      return this;
    }

    /** Remote-writes both metric sets (the builder gets their collectors added; set its url). Default: off. */
    public Builder remoteWrite(RemoteWriter.Builder remoteWrite) {
      this.remoteWrite = Objects.requireNonNull(remoteWrite, "remoteWrite");
      return this;
    }

    public RedMetrics build() {
      return new RedMetrics(this);
    }
  }
}
