package io.spanfold.core;

import io.spanfold.core.graph.EdgeListener;
import io.spanfold.core.graph.ServiceGraph;
import io.spanfold.core.graph.ServiceGraphBuilder;
import io.spanfold.core.graph.ServiceGraphStats;
import io.spanfold.core.ingest.IngestMetrics;
import io.spanfold.core.ingest.IngestResult;
import io.spanfold.core.ingest.SpanConsumer;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.core.ingest.TraceLimiter;
import io.spanfold.core.internal.LoggingRecoveryListener;
import io.spanfold.core.internal.TraceViews;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.query.traceql.OtlpTraceView;
import io.spanfold.core.query.traceql.Query;
import io.spanfold.core.query.traceql.Spanset;
import io.spanfold.core.query.traceql.TraceQL;
import io.spanfold.core.store.FsyncPolicy;
import io.spanfold.core.store.RecoveryListener;
import io.spanfold.core.store.SpanStore;
import io.spanfold.core.store.StoreMetrics;
import io.spanfold.core.store.TraceLookup;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.core.wire.OtlpProtoDecoder;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * spanfold as a library: the one entry point an embedder needs. Built by {@link #builder()}, it owns the durable
 * {@link SpanStore}, the {@link ServiceGraphBuilder} and the ingest fan-out, and exposes ingest, trace by id, TraceQL
 * evaluation and the service graph:
 *
 * <pre>{@code
 * try (Spanfold spanfold = Spanfold.builder().dataDir(Path.of("data")).retention(Duration.ofDays(3)).build()) {
 *   spanfold.ingest(exportTraceServiceRequestBytes);             // OTLP protobuf, from any thread
 *   byte[] tracesData = spanfold.traceById("5b8efff798038103d269b633813fc60c"); // null when unknown
 *   List<Spanset> hits = spanfold.evaluate(TraceQL.parse("{ status = error }"), hi, lo);
 *   ServiceGraph graph = spanfold.serviceGraph(Duration.ofMinutes(5));
 * }
 * }</pre>
 *
 * <p><b>Consumers.</b> Every accepted batch goes first to the store (a call returns only once the spans are in its span
 * log), then to the service-graph builder, then to the {@link Builder#consumer extra consumers} in the order added.
 * RED metrics (span-metrics and service-graph series for Prometheus) are not part of core, which has no metrics
 * library: {@code io.spanfold.redmetrics.RedMetrics} in the redmetrics module attaches them to this builder as an
 * extra consumer and a {@link Builder#serviceGraphListener service-graph listener}.
 *
 * <p><b>Search.</b> This version evaluates TraceQL on a trace found by id ({@link #evaluate}); searching the whole store
 * by TraceQL or tags, and tag names/values, is served by the search engine over the store when it is present.
 *
 * <p><b>Threads.</b> Thread-safe: {@link #ingest} may be called from any number of threads at once (each thread reuses
 * its own decoder and batch). Background work: the store's threads and one daemon thread expiring pending service-graph
 * edges. Chronicle Map (used by completed blocks) needs the JVM flags listed in the README ("Embedding").
 */
public final class Spanfold implements Closeable {
  private static final System.Logger LOG = System.getLogger(Spanfold.class.getName());

  private final SpanStore store;
  private final ServiceGraphBuilder graph;
  private final SpanIngest ingest;
  private final SpanConsumer fanOut;
  private final ScheduledExecutorService sweeper;
  private final List<AutoCloseable> closeables;
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
  private final Object closeLock = new Object();
  private volatile boolean closed;

  /** Per-thread decoder and batch: decoding allocates nothing per span once warm. */
  private static final class Scratch {
    final OtlpProtoDecoder decoder = new OtlpProtoDecoder();
    final SpanBatch batch = new SpanBatch();
  }

  private Spanfold(Builder b, SpanStore store) {
    this.store = store;
    ServiceGraphBuilder.Builder gb = ServiceGraphBuilder.builder()
        .maxItems(b.serviceGraphMaxItems)
        .wait(b.serviceGraphWait)
        .peerAttributes(b.serviceGraphPeerAttributes)
        .dimensions(b.serviceGraphDimensions)
        .listener(b.serviceGraphListener);
    this.graph = b.serviceGraphEnabled ? gb.build() : null;
    List<SpanConsumer> all = new ArrayList<>();
    all.add(store);
    if (graph != null) {
      all.add(graph);
    }
    all.addAll(b.consumers);
    SpanConsumer[] chain = all.toArray(new SpanConsumer[0]);
    this.fanOut = batch -> {
      for (SpanConsumer c : chain) {
        c.accept(batch);
      }
    };
    SpanIngest.Builder ib = SpanIngest.builder().metrics(b.ingestMetrics).consumer(fanOut)
        .maxAttributeBytes(b.maxAttributeBytes);
    if (b.traceLimits != null) {
      ib.traceLimits(b.traceLimits);
    }
    this.ingest = ib.build();
    this.closeables = new ArrayList<>(b.closeables);
    if (graph != null && !b.serviceGraphExpiryInterval.isZero()) {
      sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "spanfold-service-graph-expiry");
        t.setDaemon(true);
        return t;
      });
      long every = b.serviceGraphExpiryInterval.toNanos();
      // Tempo sweeps every 2 s too: an idle instance still turns lone halves into virtual nodes.
      sweeper.scheduleWithFixedDelay(this::expireQuietly, every, every, TimeUnit.NANOSECONDS);
    } else {
      sweeper = null;
    }
  }

  /** A builder with the defaults of the server jar (retention 7 days, no byte cap, fsync every second). */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Ingests an OTLP {@code ExportTraceServiceRequest} (or {@code TracesData}: the same bytes) into the default tenant.
   *
   * @return how many spans were accepted and why others were not
   * @throws MalformedRequestException when the bytes are not a valid request: nothing of it was stored
   * @throws java.io.UncheckedIOException when the store could not write the spans: do not acknowledge them
   */
  public IngestResult ingest(byte[] otlpProtobuf) throws MalformedRequestException {
    return ingest(SpanBatch.DEFAULT_TENANT, otlpProtobuf, 0, otlpProtobuf.length);
  }

  /** As {@link #ingest(byte[])} for {@code length} bytes at {@code offset}, into {@code tenant}'s data. */
  public IngestResult ingest(String tenant, byte[] buf, int offset, int length) throws MalformedRequestException {
    Objects.requireNonNull(tenant, "tenant");
    ensureOpen();
    Scratch s = scratch.get();
    SpanBatch batch = s.batch;
    try {
      s.decoder.decode(buf, offset, length, batch);
      batch.tenant(tenant);
      return ingest.ingest(batch);
    } finally {
      batch.clear(); // drops the reference to the caller's bytes
    }
  }

  /**
   * Ingests an already decoded batch (validated here; invalid spans are removed from it). The batch may be reused
   * once this returns.
   */
  public IngestResult ingest(SpanBatch batch) {
    ensureOpen();
    return ingest.ingest(Objects.requireNonNull(batch, "batch"));
  }

  /**
   * The trace as OTLP {@code TracesData} protobuf bytes (every span with its resource and scope as received, the same
   * span sent twice returned once), or {@code null} when no span of it is stored.
   */
  public byte[] traceById(long traceIdHigh, long traceIdLow) throws IOException {
    return store.findTrace(traceIdHigh, traceIdLow, 0, 0);
  }

  /** As {@link #traceById(long, long)} for a hex trace id (up to 32 digits; shorter ids are left-padded). */
  public byte[] traceById(String traceIdHex) throws IOException {
    long[] id = TraceViews.parseTraceId(traceIdHex);
    return traceById(id[0], id[1]);
  }

  /**
   * The trace as a {@link OtlpTraceView} (spans' ids, names, kinds, times, status and attributes without any generated
   * protobuf class), or {@code null} when no span of it is stored.
   */
  public OtlpTraceView trace(long traceIdHigh, long traceIdLow) throws IOException {
    byte[] data = traceById(traceIdHigh, traceIdLow);
    return data == null ? null : TraceViews.of(data);
  }

  /**
   * Evaluates a TraceQL query on one stored trace. Returns the matching spansets (empty when the trace does not match
   * or is not stored); span indexes refer to {@link #trace(long, long)} of the same id.
   */
  public List<Spanset> evaluate(Query query, long traceIdHigh, long traceIdLow) throws IOException {
    OtlpTraceView view = trace(traceIdHigh, traceIdLow);
    return view == null ? List.of() : query.evaluate(view);
  }

  /** As {@link #evaluate(Query, long, long)} for query text, parsed by {@link TraceQL#parse}. */
  public List<Spanset> evaluate(String traceQl, long traceIdHigh, long traceIdLow) throws IOException {
    return evaluate(TraceQL.parse(traceQl), traceIdHigh, traceIdLow);
  }

  /**
   * The service graph over the last {@code window} (nodes and edges with request and error rates and latencies).
   *
   * @throws IllegalStateException when the service graph was disabled
   */
  public ServiceGraph serviceGraph(Duration window) {
    return serviceGraphBuilder().snapshot(window);
  }

  /** Counters of the service-graph pairing store (pending, paired, expired, dropped spans). */
  public ServiceGraphStats serviceGraphStats() {
    return serviceGraphBuilder().stats();
  }

  /**
   * Searches the default tenant's traces with TraceQL or legacy tags (Tempo's {@code /api/search}): the block search
   * indexes narrow the candidates, then the query is evaluated on their spans; newest first, within the request's
   * limit and time budget.
   */
  public io.spanfold.core.search.SearchResponse search(io.spanfold.core.search.SearchRequest request) {
    return store.search(io.spanfold.core.model.SpanBatch.DEFAULT_TENANT, request);
  }

  /** Attribute names by scope ({@code resource}, {@code span}); both bounds 0 = recent data. */
  public java.util.Map<String, java.util.Set<String>> tagNames(long fromNanos, long toNanos) {
    return store.tagNames(io.spanfold.core.model.SpanBatch.DEFAULT_TENANT, fromNanos, toNanos);
  }

  /**
   * Values of an attribute or intrinsic, typed as Tempo lists them, optionally only from traces matching
   * {@code filter} (may be null).
   */
  public java.util.Set<io.spanfold.core.search.TagValue> tagValues(io.spanfold.core.query.traceql.Attribute attribute,
      io.spanfold.core.query.traceql.Query filter, long fromNanos, long toNanos, int maxValues, Duration budget) {
    return store.tagValues(io.spanfold.core.model.SpanBatch.DEFAULT_TENANT, attribute, filter, fromNanos, toNanos,
        maxValues, budget);
  }

  /** The store, for adapters: it is the {@link TraceLookup} the Tempo trace-by-id handler serves. */
  public SpanStore store() {
    return store;
  }

  /** The service-graph builder, for adapters (the {@code /api/service-graph} handler, its metrics). */
  public ServiceGraphBuilder serviceGraphBuilder() {
    if (graph == null) {
      throw new IllegalStateException("the service graph is disabled (Builder.serviceGraphEnabled(false))");
    }
    return graph;
  }

  /** Whether the service graph is built. */
  public boolean serviceGraphEnabled() {
    return graph != null;
  }

  /**
   * The fan-out to the store, the service graph and the extra consumers, without validation or ingest metrics: for a
   * receiver that runs its own {@link SpanIngest} (its own metrics and limits) in front of this instance.
   */
  public SpanConsumer consumer() {
    return fanOut;
  }

  /**
   * Stops the service-graph sweeper, closes the {@link Builder#closeOnClose resources} handed over (in order), then the
   * store (forcing head blocks). Idempotent.
   */
  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.ERROR, "closing " + c + " failed", e);
      }
    }
    store.close();
  }

  private void ensureOpen() {
    // A volatile read, no lock: ingest threads never contend here. A call racing close() fails in the store.
    if (closed) {
      throw new IllegalStateException("spanfold is closed");
    }
  }

  private void expireQuietly() {
    try {
      graph.expire();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "service-graph expiry failed", e);
    }
  }

  /**
   * Settings of a {@link Spanfold}. Setters validate at once and name the field in the message
   * ({@code "retention must be > 0: PT0S"}); {@link #build} checks what depends on several fields.
   */
  public static final class Builder {
    private Path dataDir;
    private Duration retention = Duration.ofDays(7);
    private long maxBytes;
    private Duration blockDuration = Duration.ofHours(1);
    private FsyncPolicy fsyncPolicy = FsyncPolicy.INTERVAL;
    private Clock clock;
    private StoreMetrics storeMetrics = StoreMetrics.NOOP;
    private IngestMetrics ingestMetrics = IngestMetrics.NOOP;
    private TraceLimiter traceLimits;
    private int maxAttributeBytes;
    private RecoveryListener recoveryListener = new LoggingRecoveryListener();
    private boolean serviceGraphEnabled = true;
    private int serviceGraphMaxItems = 10_000;
    private Duration serviceGraphWait = Duration.ofSeconds(10);
    private Duration serviceGraphExpiryInterval = Duration.ofSeconds(2);
    private List<String> serviceGraphPeerAttributes = List.of("peer.service", "db.name", "db.system");
    private List<String> serviceGraphDimensions = List.of();
    private EdgeListener serviceGraphListener = EdgeListener.NOOP;
    private final List<SpanConsumer> consumers = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private Builder() {}

    /** The directory holding every block (created when missing; one instance per directory). Required. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    /** How long traces are kept (Tempo {@code compactor.compaction.block_retention}). Default 7 days. */
    public Builder retention(Duration retention) {
      this.retention = positive(retention, "retention");
      return this;
    }

    /** Cap on the bytes on disk, oldest blocks deleted first; 0 (default) for none. */
    public Builder maxBytes(long maxBytes) {
      if (maxBytes < 0) {
        throw new IllegalArgumentException("maxBytes must be >= 0: " + maxBytes);
      }
      this.maxBytes = maxBytes;
      return this;
    }

    /** How long the head block takes writes before it is completed. Default 1 hour. */
    public Builder blockDuration(Duration blockDuration) {
      this.blockDuration = positive(blockDuration, "blockDuration");
      return this;
    }

    /** When the span log is forced to disk. Default {@link FsyncPolicy#INTERVAL} (every second). */
    public Builder fsyncPolicy(FsyncPolicy fsyncPolicy) {
      this.fsyncPolicy = Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
      return this;
    }

    /** The wall clock for block cuts and retention. Default the system clock; inject one in tests. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Binding of the store's self-metrics (e.g. {@code tempodb_*} gauges). Default: none. */
    public Builder storeMetrics(StoreMetrics storeMetrics) {
      this.storeMetrics = Objects.requireNonNull(storeMetrics, "storeMetrics");
      return this;
    }

    /** Binding of the ingest counters (received, discarded spans). Default: none. */
    public Builder ingestMetrics(IngestMetrics ingestMetrics) {
      this.ingestMetrics = Objects.requireNonNull(ingestMetrics, "ingestMetrics");
      return this;
    }

    /**
     * Per-trace limits on {@link Spanfold#ingest} (largest trace, live traces per tenant; Tempo's
     * {@code max_bytes_per_trace} and {@code max_traces_per_user}): refused spans are dropped and reported in the
     * {@link IngestResult}. Default: none.
     */
    public Builder traceLimits(TraceLimiter traceLimits) {
      this.traceLimits = Objects.requireNonNull(traceLimits, "traceLimits");
      return this;
    }

    /** Cuts longer string attribute values and keys on {@link Spanfold#ingest} (Tempo's 2048); 0 (default) = none. */
    public Builder maxAttributeBytes(int maxAttributeBytes) {
      if (maxAttributeBytes < 0) {
        throw new IllegalArgumentException("maxAttributeBytes must be >= 0: " + maxAttributeBytes);
      }
      this.maxAttributeBytes = maxAttributeBytes;
      return this;
    }

    /**
     * Told about head-block recovery at start. Default: logs each recovered span log and, every 2 s while a large
     * one is replayed, its percentage and spans/s ({@code System.Logger} {@code io.spanfold.core.store}).
     */
    public Builder recoveryListener(RecoveryListener recoveryListener) {
      this.recoveryListener = Objects.requireNonNull(recoveryListener, "recoveryListener");
      return this;
    }

    /** Whether client/server span pairs are turned into a service graph. Default true. */
    public Builder serviceGraphEnabled(boolean enabled) {
      this.serviceGraphEnabled = enabled;
      return this;
    }

    /** Most half edges waiting for their other half (Tempo {@code service_graphs.max_items}). Default 10 000. */
    public Builder serviceGraphMaxItems(int maxItems) {
      if (maxItems <= 0) {
        throw new IllegalArgumentException("serviceGraphMaxItems must be > 0: " + maxItems);
      }
      this.serviceGraphMaxItems = maxItems;
      return this;
    }

    /** How long a half edge waits for its other half (Tempo {@code service_graphs.wait}). Default 10 s. */
    public Builder serviceGraphWait(Duration wait) {
      Objects.requireNonNull(wait, "serviceGraphWait");
      if (wait.isNegative()) {
        throw new IllegalArgumentException("serviceGraphWait must be >= 0: " + wait);
      }
      this.serviceGraphWait = wait;
      return this;
    }

    /** How often a background thread expires waiting half edges; zero for no thread. Default 2 s. */
    public Builder serviceGraphExpiryInterval(Duration interval) {
      Objects.requireNonNull(interval, "serviceGraphExpiryInterval");
      if (interval.isNegative()) {
        throw new IllegalArgumentException("serviceGraphExpiryInterval must be >= 0: " + interval);
      }
      this.serviceGraphExpiryInterval = interval;
      return this;
    }

    /**
     * Span attributes naming an uninstrumented peer (Tempo {@code service_graphs.peer_attributes}). Default
     * {@code [peer.service, db.name, db.system]}.
     */
    public Builder serviceGraphPeerAttributes(List<String> attributes) {
      this.serviceGraphPeerAttributes = names(attributes, "serviceGraphPeerAttributes");
      return this;
    }

    /** Extra attributes recorded per edge side (Tempo {@code service_graphs.dimensions}). Default none. */
    public Builder serviceGraphDimensions(List<String> dimensions) {
      this.serviceGraphDimensions = names(dimensions, "serviceGraphDimensions");
      return this;
    }

    /**
     * Receives every service-graph edge observation: the hook for service-graph metrics. Only one; the redmetrics
     * module's {@code RedMetrics} sets it.
     */
    public Builder serviceGraphListener(EdgeListener listener) {
      Objects.requireNonNull(listener, "serviceGraphListener");
      if (serviceGraphListener != EdgeListener.NOOP && serviceGraphListener != listener) {
        throw new IllegalStateException("serviceGraphListener is already set to " + serviceGraphListener);
      }
      this.serviceGraphListener = listener;
      return this;
    }

    /**
     * Adds a consumer called with every accepted batch after the store and the service graph, in the order added
     * (span-metrics, an embedder's own processing). It must not keep the batch (see {@link SpanConsumer}).
     */
    public Builder consumer(SpanConsumer consumer) {
      consumers.add(Objects.requireNonNull(consumer, "consumer"));
      return this;
    }

    /** Closes {@code resource} when the instance closes, before the store, in the order added. */
    public Builder closeOnClose(AutoCloseable resource) {
      closeables.add(Objects.requireNonNull(resource, "resource"));
      return this;
    }

    /**
     * Opens the store (recovering head blocks, which may take a while for large ones: see {@link
     * #recoveryListener}) and starts the background threads.
     *
     * @throws IllegalStateException when {@code dataDir} is not set
     * @throws IOException when the data dir cannot be used (unreadable, or in use by another instance)
     */
    public Spanfold build() throws IOException {
      if (dataDir == null) {
        throw new IllegalStateException("dataDir is required");
      }
      if (blockDuration.compareTo(retention) > 0) {
        throw new IllegalStateException(
            "blockDuration (" + blockDuration + ") must not exceed retention (" + retention + ")");
      }
      SpanStore.Builder sb = SpanStore.builder()
          .dataDir(dataDir)
          .retention(retention)
          .maxBytes(maxBytes)
          .blockDuration(blockDuration)
          .fsyncPolicy(fsyncPolicy)
          .metrics(storeMetrics)
          .recoveryListener(recoveryListener);
      if (clock != null) {
        sb.clock(clock);
      }
      SpanStore store = sb.build();
      try {
        return new Spanfold(this, store);
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
    }

    private static Duration positive(Duration d, String field) {
      Objects.requireNonNull(d, field);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + " must be > 0: " + d);
      }
      return d;
    }

    private static List<String> names(List<String> names, String field) {
      Objects.requireNonNull(names, field);
      for (String n : names) {
        if (n == null || n.isEmpty()) {
          throw new IllegalArgumentException(field + ": empty attribute name");
        }
      }
      return List.copyOf(names);
    }
  }
}
