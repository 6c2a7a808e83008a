package io.spanfold.core.graph;

import io.spanfold.core.graph.internal.AttributeScan;
import io.spanfold.core.graph.internal.EdgeStore;
import io.spanfold.core.graph.internal.EdgeWindows;
import io.spanfold.core.graph.internal.MutableEdgeObservation;
import io.spanfold.core.graph.internal.NameTable;
import io.spanfold.core.ingest.SpanConsumer;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.OtlpFields;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Builds the service graph from spans, as Tempo's {@code service-graphs} processor does: a CLIENT (or PRODUCER) span
 * and the SERVER (or CONSUMER) span whose parent it is form one edge, client service → server service.
 *
 * <ul>
 *   <li>The client half is keyed by (trace id, span id), the server half by (trace id, parent span id); whichever
 *       arrives first waits in a bounded store ({@code maxItems}, default 10 000) for at most {@code wait} (default
 *       10 s), across batches.
 *   <li>A completed pair becomes an {@link EdgeObservation}: client and server latency, failed when either span has
 *       status ERROR, the trace id for exemplars. PRODUCER/CONSUMER pairs are {@code messaging_system}; the
 *       connection type is the one of the half that arrived last, as in Tempo.
 *   <li>A client span with a database name attribute ({@code db.namespace}, {@code db.name}, {@code db.system} by
 *       default; resource first, then span) completes at once as a {@code database} edge to {@code peer.service} →
 *       {@code server.address} → {@code network.peer.address[:network.peer.port]} → the database name.
 *   <li>On expiry, a lone root server span becomes an edge from the first peer attribute on it, else {@code user};
 *       a lone client span with a peer attribute becomes an edge to that peer (both {@code virtual_node}); anything
 *       else is counted as expired (unpaired).
 *   <li>When the store is full the span is dropped and counted.
 *   <li>Spans of a resource without {@code service.name} are skipped.
 * </ul>
 *
 * <p>Expiry runs on {@link #accept} when {@code expiryInterval} (default 2 s) has passed, bounded to a few thousand
 * entries per call, and on {@link #expire()}, which an embedder may call from a timer so that edges also expire when
 * no spans arrive.
 *
 * <p>Concurrency: thread-safe. Each batch is processed under one private lock (store, name table, windows and
 * counters are one consistent state; the listener sees observations in a total order). The work per span is a few
 * dozen nanoseconds and allocation-free, so ingest threads serialize only briefly; see {@code bench/RESULTS.md}.
 */
public final class ServiceGraphBuilder implements SpanConsumer {
  private static final int KIND_SERVER = 2;
  private static final int KIND_CLIENT = 3;
  private static final int KIND_PRODUCER = 4;
  private static final int KIND_CONSUMER = 5;
  private static final int STATUS_ERROR = 2;
  private static final int MAX_EXPIRIES_PER_ACCEPT = 4096;

  private final Object lock = new Object();
  private final LongSupplier clock;
  private final long waitNanos;
  private final long expiryIntervalNanos;
  private final EdgeListener listener;
  private final NameTable names;
  private final EdgeStore store;
  private final EdgeWindows windows;
  private final MutableEdgeObservation obs;
  private final AttributeScan spanScan;
  private final AttributeScan resourceScan;
  private final int[] peerKeys;
  private final int[] dbNameKeys;
  private final int peerServiceKey;
  private final int serverAddressKey;
  private final int peerAddressKey;
  private final int peerPortKey;
  private final int[] dimensionKeys;
  private final int userId;
  private byte[] text = new byte[256];
  private int[] resourceService = new int[16];

  private long nextSweep;
  // counters (guarded by lock)
  private long spansSeen;
  private long spansWithoutService;
  private long edgesCreated;
  private long completedEdges;
  private long virtualEdges;
  private long expiredEdges;
  private long pairedSpans;
  private long virtualSpans;
  private long unpairedSpans;
  private long droppedSpans;
  private long pendingSpans;

  private ServiceGraphBuilder(Builder b) {
    this.clock = b.clock;
    this.waitNanos = b.wait.toNanos();
    this.expiryIntervalNanos = b.expiryInterval.toNanos();
    this.listener = b.listener;
    this.names = new NameTable(b.maxNames);
    this.userId = names.intern("user");
    String[] dims = b.dimensions.toArray(new String[0]);
    this.store = new EdgeStore(b.maxItems, dims.length);
    this.windows = new EdgeWindows(b.snapshotRetention, b.maxSnapshotEdges);
    this.obs = new MutableEdgeObservation(names, dims);

    Map<String, Integer> keys = new LinkedHashMap<>();
    this.peerKeys = indexes(keys, b.peerAttributes);
    this.dbNameKeys = indexes(keys, b.databaseNameAttributes);
    this.peerServiceKey = index(keys, "peer.service");
    this.serverAddressKey = index(keys, "server.address");
    this.peerAddressKey = index(keys, "network.peer.address");
    this.peerPortKey = index(keys, "network.peer.port");
    this.dimensionKeys = indexes(keys, b.dimensions);
    if (keys.size() > 64) {
      throw new IllegalArgumentException("peerAttributes + databaseNameAttributes + dimensions: more than 60 keys");
    }
    byte[][] keyBytes = new byte[keys.size()][];
    for (Map.Entry<String, Integer> e : keys.entrySet()) {
      keyBytes[e.getValue()] = e.getKey().getBytes(StandardCharsets.UTF_8);
    }
    this.spanScan = new AttributeScan(keyBytes);
    this.resourceScan = new AttributeScan(keyBytes);
    this.nextSweep = clock.getAsLong() + expiryIntervalNanos;
  }

  private static int index(Map<String, Integer> keys, String key) {
    return keys.computeIfAbsent(key, k -> keys.size());
  }

  private static int[] indexes(Map<String, Integer> keys, List<String> list) {
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = index(keys, list.get(i));
    }
    return out;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void accept(SpanBatch batch) {
    synchronized (lock) {
      long now = clock.getAsLong();
      if (now - nextSweep >= 0) {
        sweep(now, MAX_EXPIRIES_PER_ACCEPT);
      }
      int resources = batch.resourceCount();
      if (resourceService.length < resources) {
        resourceService = new int[Math.max(resources, resourceService.length * 2)];
      }
      for (int r = 0; r < resources; r++) {
        resourceService[r] = names.intern(batch.resourceServiceName(r));
      }
      int scannedResource = -1;
      byte[] buf = batch.buffer();
      int n = batch.size();
      for (int i = 0; i < n; i++) {
        int kind = batch.kind(i);
        boolean clientSide;
        if (kind == KIND_CLIENT || kind == KIND_PRODUCER) {
          clientSide = true;
        } else if (kind == KIND_SERVER || kind == KIND_CONSUMER) {
          clientSide = false;
        } else {
          continue;
        }
        int r = batch.resourceIndex(i);
        int service = resourceService[r];
        if (service == NameTable.EMPTY) {
          spansWithoutService++;
          continue;
        }
        spansSeen++;
        // A server half reads attributes only for dimensions, or for its peer attribute when it is a root (that
        // names the virtual client on expiry; a non-root server's peer attribute is never used): skipping the scan
        // otherwise saves half of the attribute reading on a typical stream.
        if (clientSide || dimensionKeys.length > 0 || batch.parentSpanId(i) == 0) {
          if (r != scannedResource) {
            scannedResource = r;
            int len = batch.resourceLength(r);
            if (len > 0) {
              resourceScan.scan(buf, batch.resourceOffset(r), len, OtlpFields.RESOURCE_ATTRIBUTES);
            } else {
              resourceScan.reset();
            }
          }
          spanScan.scan(buf, batch.spanOffset(i), batch.spanLength(i), OtlpFields.SPAN_ATTRIBUTES);
        } else {
          spanScan.reset();
        }
        int type = kind == KIND_PRODUCER || kind == KIND_CONSUMER
            ? ConnectionType.MESSAGING_SYSTEM.ordinal()
            : ConnectionType.UNKNOWN.ordinal();
        if (clientSide) {
          client(batch, i, service, type, now);
        } else {
          server(batch, i, service, type, now);
        }
      }
    }
  }

  private void client(SpanBatch batch, int i, int service, int type, long now) {
    long hi = batch.traceIdHigh(i);
    long lo = batch.traceIdLow(i);
    long start = batch.startNanos(i);
    long end = batch.endNanos(i);
    long duration = Math.max(0, end - start);
    boolean failed = batch.statusCode(i) == STATUS_ERROR;
    int dbKey = firstDatabaseKey();
    int dbServer = dbKey < 0 ? NameTable.EMPTY : databaseServer(dbKey);
    int e = store.find(hi, lo, batch.spanId(i));
    if (e < 0) {
      if (dbKey >= 0 && dbServer != NameTable.EMPTY) {
        // a database call has no server span to wait for
        edgesCreated++;
        obs.client = service;
        obs.server = dbServer;
        obs.connectionType = ConnectionType.DATABASE;
        obs.virtualNode = VirtualNode.NONE;
        obs.failed = failed;
        obs.clientLatency = duration;
        obs.serverLatency = duration;
        obs.clientEnd = end;
        obs.serverStart = 0;
        obs.traceHi = hi;
        obs.traceLo = lo;
        obs.spans = 1;
        for (int d = 0; d < dimensionKeys.length; d++) {
          obs.clientDims[d] = dimension(d);
          obs.serverDims[d] = NameTable.EMPTY;
        }
        completedEdges++;
        pairedSpans++;
        emit(now);
        return;
      }
      e = insert(hi, lo, batch.spanId(i), now);
      if (e < 0) {
        dropped(service, true, type, failed, duration, hi, lo);
        return;
      }
    }
    store.connectionType(e, type);
    store.client(e, service);
    store.clientLatency(e, duration);
    store.clientEnd(e, end);
    if (failed) {
      store.markFailed(e);
    }
    for (int d = 0; d < dimensionKeys.length; d++) {
      int v = dimension(d);
      if (v != NameTable.EMPTY) {
        store.clientDim(e, d, v);
      }
    }
    int peer = firstPeer();
    if (peer >= 0) {
      store.peer(e, peer);
    }
    if (dbKey >= 0) {
      store.connectionType(e, ConnectionType.DATABASE.ordinal());
      store.serverLatency(e, duration);
      if (dbServer != NameTable.EMPTY) {
        store.server(e, dbServer);
      }
    }
    store.addSpan(e);
    pendingSpans++;
    completeIfPaired(e, now);
  }

  private void server(SpanBatch batch, int i, int service, int type, long now) {
    long hi = batch.traceIdHigh(i);
    long lo = batch.traceIdLow(i);
    long start = batch.startNanos(i);
    long duration = Math.max(0, batch.endNanos(i) - start);
    boolean failed = batch.statusCode(i) == STATUS_ERROR;
    long parent = batch.parentSpanId(i);
    int e = store.find(hi, lo, parent);
    if (e < 0) {
      e = insert(hi, lo, parent, now);
      if (e < 0) {
        dropped(service, false, type, failed, duration, hi, lo);
        return;
      }
    }
    store.connectionType(e, type);
    store.server(e, service);
    store.serverLatency(e, duration);
    store.serverStart(e, start);
    if (failed) {
      store.markFailed(e);
    }
    for (int d = 0; d < dimensionKeys.length; d++) {
      int v = dimension(d);
      if (v != NameTable.EMPTY) {
        store.serverDim(e, d, v);
      }
    }
    int peer = firstPeer();
    if (peer >= 0) {
      store.peer(e, peer);
    }
    store.addSpan(e);
    pendingSpans++;
    completeIfPaired(e, now);
  }

  private int insert(long hi, long lo, long span, long now) {
    int e = store.insert(hi, lo, span, now + waitNanos);
    if (e < 0 && expireOldestIfDue(now)) {
      e = store.insert(hi, lo, span, now + waitNanos);
    }
    if (e >= 0) {
      edgesCreated++;
    }
    return e;
  }

  private void completeIfPaired(int e, long now) {
    if (store.client(e) != NameTable.EMPTY && store.server(e) != NameTable.EMPTY) {
      obs.load(store, e);
      int spans = store.spans(e);
      store.remove(e);
      pendingSpans -= spans;
      pairedSpans += spans;
      completedEdges++;
      emit(now);
    }
  }

  private void dropped(int service, boolean clientSide, int type, boolean failed, long duration, long hi, long lo) {
    droppedSpans++;
    obs.client = clientSide ? service : NameTable.EMPTY;
    obs.server = clientSide ? NameTable.EMPTY : service;
    obs.connectionType = ConnectionType.of(type);
    obs.virtualNode = VirtualNode.NONE;
    obs.failed = failed;
    obs.clientLatency = clientSide ? duration : 0;
    obs.serverLatency = clientSide ? 0 : duration;
    obs.clientEnd = 0;
    obs.serverStart = 0;
    obs.traceHi = hi;
    obs.traceLo = lo;
    obs.spans = 1;
    for (int d = 0; d < dimensionKeys.length; d++) {
      obs.clientDims[d] = clientSide ? dimension(d) : NameTable.EMPTY;
      obs.serverDims[d] = clientSide ? NameTable.EMPTY : dimension(d);
    }
    listener.onDropped(obs);
  }

  private void emit(long now) {
    // a virtual server has no latency of its own: the snapshot shows the client's view instead of Tempo's 0
    long serverView = obs.virtualNode == VirtualNode.SERVER ? obs.clientLatency : obs.serverLatency;
    windows.record(now, obs.client, obs.server, obs.connectionType.ordinal(), obs.failed, obs.clientLatency,
        serverView);
    listener.onEdge(obs);
  }

  // ---- attribute lookups over the current span (and its resource, where Tempo looks there first)

  private int firstPeer() {
    for (int k : peerKeys) {
      if (spanScan.found(k)) {
        return spanScan.intern(k, names);
      }
    }
    return -1;
  }

  /** The key of the first database name attribute found on the resource or span, or -1. */
  private int firstDatabaseKey() {
    for (int k : dbNameKeys) {
      if (resourceScan.found(k) || spanScan.found(k)) {
        return k;
      }
    }
    return -1;
  }

  private int resolve(int k) {
    return resourceScan.found(k) ? resourceScan.intern(k, names) : spanScan.intern(k, names);
  }

  private boolean present(int k) {
    return resourceScan.found(k) || spanScan.found(k);
  }

  private int databaseServer(int dbKey) {
    if (present(peerServiceKey)) {
      return resolve(peerServiceKey);
    }
    if (present(serverAddressKey)) {
      return resolve(serverAddressKey);
    }
    if (present(peerAddressKey)) {
      AttributeScan host = resourceScan.found(peerAddressKey) ? resourceScan : spanScan;
      if (present(peerPortKey)) {
        AttributeScan port = resourceScan.found(peerPortKey) ? resourceScan : spanScan;
        int end = host.appendText(peerAddressKey, text, 0);
        if (end >= 0 && end < text.length) {
          text[end] = ':';
          int end2 = port.appendText(peerPortKey, text, end + 1);
          if (end2 >= 0) {
            return names.intern(text, 0, end2);
          }
        }
      }
      return host.intern(peerAddressKey, names);
    }
    return resolve(dbKey);
  }

  private int dimension(int d) {
    return resolve(dimensionKeys[d]);
  }

  // ---- expiry

  /**
   * Expires every half edge whose wait is over: into a virtual edge when a node can be inferred, else into the
   * unpaired count. Call it from a timer when spans may stop arriving; {@link #accept} also sweeps.
   */
  public void expire() {
    synchronized (lock) {
      long now = clock.getAsLong();
      sweep(now, Integer.MAX_VALUE);
    }
  }

  private void sweep(long now, int limit) {
    int done = 0;
    while (done < limit && expireOldestIfDue(now)) {
      done++;
    }
    // if the bound cut the sweep short, continue on the next accept
    nextSweep = done < limit ? now + expiryIntervalNanos : now;
  }

  private boolean expireOldestIfDue(long now) {
    int e = store.oldest();
    if (e < 0 || now - store.expiry(e) < 0) {
      return false;
    }
    obs.load(store, e);
    long keySpan = store.keySpanId(e);
    int spans = store.spans(e);
    int peer = store.peer(e);
    store.remove(e);
    pendingSpans -= spans;
    if (obs.client == NameTable.EMPTY && keySpan == 0) {
      obs.client = peer != NameTable.EMPTY ? peer : userId;
      obs.virtualNode = VirtualNode.CLIENT;
    } else if (obs.client != NameTable.EMPTY && obs.server == NameTable.EMPTY && peer != NameTable.EMPTY) {
      obs.server = peer;
      obs.virtualNode = VirtualNode.SERVER;
    } else {
      expiredEdges++;
      unpairedSpans += spans;
      listener.onUnpaired(obs);
      return true;
    }
    obs.connectionType = ConnectionType.VIRTUAL_NODE;
    virtualEdges++;
    virtualSpans += spans;
    emit(now);
    return true;
  }

  // ---- reading

  /** The graph over the last {@code window} (at most the builder's {@code snapshotRetention}). */
  public ServiceGraph snapshot(Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window <= 0");
    }
    synchronized (lock) {
      return windows.snapshot(clock.getAsLong(), window, names);
    }
  }

  /** The edge store's counters now. */
  public ServiceGraphStats stats() {
    synchronized (lock) {
      return new ServiceGraphStats(spansSeen, spansWithoutService, edgesCreated, completedEdges, virtualEdges,
          expiredEdges, pairedSpans, virtualSpans, unpairedSpans, droppedSpans, store.size(), pendingSpans,
          store.capacity(), names.overflowed());
    }
  }

  /** Builder with Tempo's defaults. */
  public static final class Builder {
    private int maxItems = 10_000;
    private Duration wait = Duration.ofSeconds(10);
    private Duration expiryInterval = Duration.ofSeconds(2);
    private List<String> peerAttributes = List.of("peer.service", "db.name", "db.system");
    private List<String> databaseNameAttributes = List.of("db.namespace", "db.name", "db.system");
    private List<String> dimensions = List.of();
    private LongSupplier clock = System::nanoTime;
    private EdgeListener listener = EdgeListener.NOOP;
    private int maxNames = 100_000;
    private Duration snapshotRetention = Duration.ofMinutes(10);
    private int maxSnapshotEdges = 10_000;

    private Builder() {}

    /** Most half edges held at once (Tempo {@code max_items}); beyond it spans are dropped and counted. */
    public Builder maxItems(int maxItems) {
      if (maxItems <= 0) {
        throw new IllegalArgumentException("maxItems <= 0");
      }
      this.maxItems = maxItems;
      return this;
    }

    /** How long a half edge waits for its other half (Tempo {@code wait}). */
    public Builder wait(Duration wait) {
      Objects.requireNonNull(wait, "wait");
      if (wait.isNegative()) {
        throw new IllegalArgumentException("wait < 0");
      }
      this.wait = wait;
      return this;
    }

    /** How often {@link #accept} sweeps expired half edges (Tempo: every 2 s). */
    public Builder expiryInterval(Duration expiryInterval) {
      Objects.requireNonNull(expiryInterval, "expiryInterval");
      if (expiryInterval.isNegative()) {
        throw new IllegalArgumentException("expiryInterval < 0");
      }
      this.expiryInterval = expiryInterval;
      return this;
    }

    /** Span attributes naming an uninstrumented peer, first found wins (Tempo {@code peer_attributes}). */
    public Builder peerAttributes(List<String> peerAttributes) {
      this.peerAttributes = checkedKeys(peerAttributes, "peerAttributes");
      return this;
    }

    /** Attributes marking a database client span (Tempo {@code database_name_attributes}). */
    public Builder databaseNameAttributes(List<String> databaseNameAttributes) {
      this.databaseNameAttributes = checkedKeys(databaseNameAttributes, "databaseNameAttributes");
      return this;
    }

    /** Extra attributes recorded per side (resource first, then span), Tempo {@code dimensions}. */
    public Builder dimensions(List<String> dimensions) {
      this.dimensions = checkedKeys(dimensions, "dimensions");
      if (this.dimensions.size() != Arrays.stream(this.dimensions.toArray()).distinct().count()) {
        throw new IllegalArgumentException("dimensions: duplicate name");
      }
      return this;
    }

    /** The time source, monotonic nanoseconds (default {@link System#nanoTime}); inject one in tests. */
    public Builder clock(LongSupplier clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Receives every edge observation (a metrics layer). */
    public Builder listener(EdgeListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Most distinct names (services, peers, dimension values) kept; further ones become {@code __overflow__}. */
    public Builder maxNames(int maxNames) {
      if (maxNames < 16) {
        throw new IllegalArgumentException("maxNames < 16");
      }
      this.maxNames = maxNames;
      return this;
    }

    /** The longest window {@link #snapshot} can cover (kept in 60 slots). */
    public Builder snapshotRetention(Duration snapshotRetention) {
      Objects.requireNonNull(snapshotRetention, "snapshotRetention");
      if (snapshotRetention.toSeconds() < 60) {
        throw new IllegalArgumentException("snapshotRetention < 60s");
      }
      this.snapshotRetention = snapshotRetention;
      return this;
    }

    /** Most distinct edges the snapshot tracks. */
    public Builder maxSnapshotEdges(int maxSnapshotEdges) {
      if (maxSnapshotEdges <= 0) {
        throw new IllegalArgumentException("maxSnapshotEdges <= 0");
      }
      this.maxSnapshotEdges = maxSnapshotEdges;
      return this;
    }

    private static List<String> checkedKeys(List<String> keys, String field) {
      Objects.requireNonNull(keys, field);
      List<String> copy = new ArrayList<>(keys.size());
      for (String k : keys) {
        if (k == null || k.isEmpty()) {
          throw new IllegalArgumentException(field + ": empty attribute name");
        }
        copy.add(k);
      }
      return List.copyOf(copy);
    }

    public ServiceGraphBuilder build() {
      return new ServiceGraphBuilder(this);
    }
  }
}
