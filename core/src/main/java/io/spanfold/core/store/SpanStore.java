package io.spanfold.core.store;

import io.spanfold.core.ingest.SpanConsumer;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.store.internal.StoreSettings;
import io.spanfold.core.store.internal.TenantStore;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The durable span store: time-partitioned blocks in a data directory, in the spirit of Tempo's head block and
 * completed blocks. Register it as the first ingest consumer ({@link SpanConsumer}); it answers trace-by-id lookups
 * ({@link TraceLookup}).
 *
 * <p><b>Layout.</b> {@code <dataDir>/<tenant>/<block id>/}. The head block is an append-only span log (the
 * write-ahead log: one positional write per batch, read through a read-only mapping) with per-block resource/scope
 * dictionaries and an on-heap primitive trace index bounded by the head block cut ({@link Builder#maxBlockSpans},
 * {@link Builder#maxBlockTraces}, {@link Builder#maxBlockBytes}, {@link Builder#blockDuration}). A cut head is
 * completed in the background (a head that must be cut while the previous one is still being completed makes its
 * appends wait for that completion: backpressure rather than a growing heap): its spans are compacted so each trace
 * is contiguous, a persisted Chronicle Map
 * trace index and a bloom filter are written, then {@code block.meta} commits it. Blocks are cut by ingestion time;
 * spans with any timestamps are accepted and found by id.
 *
 * <p><b>Durability.</b> {@link #accept} returns only after every span of the batch is in the span log (forced to disk
 * first under {@link FsyncPolicy#EVERY_BATCH}); it throws {@link UncheckedIOException} when it cannot write. On open,
 * completed blocks are reopened as they are and head blocks are recovered from their span log up to the first torn
 * record. A block whose files fail validation is renamed aside ({@code <id>.corrupt-<millis>}) with a logged error
 * and the store serves everything else.
 *
 * <p><b>Retention.</b> A background task deletes completed blocks whose newest data is older than the retention and,
 * with a byte cap, the oldest completed blocks while the store is over it. A block's data time is its spans' times,
 * except that a span stamped more than the ingestion slack (default 2 min, as Tempo) from its arrival counts at its
 * arrival time.
 *
 * <p><b>Concurrency.</b> Thread-safe. Any number of threads may call {@link #accept} at once: appends to a tenant's
 * head block are serialized by one lock acquisition per batch. Lookups run concurrently with appends, completion and
 * retention: the blocklist is copy-on-write and each block is reference counted, so no reader sees a closed or deleted
 * block; reading the head block briefly takes the append lock. Background work runs on two daemon threads
 * (maintenance with the interval fsync, completion); no fsync runs under the append lock unless the policy is
 * {@link FsyncPolicy#EVERY_BATCH}.
 *
 * <p>Chronicle Map needs the JVM flags listed in the README ("Embedding").
 */
public final class SpanStore implements SpanConsumer, TraceLookup, Closeable {
  private static final System.Logger LOG = System.getLogger("io.spanfold.core.store");

  private final Path dataDir;
  private final StoreSettings settings;
  private final ConcurrentHashMap<String, TenantStore> tenants = new ConcurrentHashMap<>();
  private final ExecutorService completer;
  private final ScheduledExecutorService scheduler;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private volatile boolean closed;

  private SpanStore(Builder b) throws IOException {
    this.dataDir = b.dataDir;
    this.settings =
        new StoreSettings(b.retention.toNanos(), b.maxBytes, b.blockDuration.toNanos(), b.maxBlockBytes,
            b.maxBlockSpans, b.maxBlockTraces, b.fsyncPolicy, b.ingestionSlack.toNanos(), b.clock, b.metrics,
            b.recoveryListener, b.recoveryProgressInterval.toNanos());
    Files.createDirectories(dataDir);
    this.lockChannel =
        FileChannel.open(dataDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      lockChannel.close();
      throw new IOException("data dir " + dataDir + " is in use by another store");
    }
    this.lock = l;
    this.completer = Executors.newSingleThreadExecutor(daemon("spanfold-store-completion"));
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("spanfold-store-maintenance"));
    try {
      try (Stream<Path> list = Files.list(dataDir)) {
        for (Path p : (Iterable<Path>) list::iterator) {
          String tenant = tenantOf(p.getFileName().toString());
          if (tenant != null && Files.isDirectory(p)) {
            tenants.put(tenant, TenantStore.open(tenant, p, settings, completer));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      shutdownThreads();
      releaseLock();
      throw e;
    }
    long tick = b.maintenanceInterval.toNanos();
    scheduler.scheduleWithFixedDelay(this::maintainQuietly, tick, tick, TimeUnit.NANOSECONDS);
    if (settings.fsync == FsyncPolicy.INTERVAL) {
      long f = b.fsyncInterval.toNanos();
      scheduler.scheduleWithFixedDelay(this::syncQuietly, f, f, TimeUnit.NANOSECONDS);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies every span of the batch (and the resources and scopes they use) into its tenant's head block span log.
   *
   * @throws UncheckedIOException when the spans could not be written: the batch must not be acknowledged
   * @throws IllegalStateException when the store is closed
   */
  @Override
  public void accept(SpanBatch batch) {
    if (batch.size() == 0) {
      return;
    }
    try {
      tenant(batch.tenant()).append(batch);
    } catch (IOException e) {
      throw new UncheckedIOException("span store could not write " + batch.size() + " spans", e);
    }
  }

  /** Looks the trace up in the default tenant ({@value SpanBatch#DEFAULT_TENANT}). */
  @Override
  public byte[] findTrace(long traceIdHigh, long traceIdLow, long fromNanos, long toNanos) throws IOException {
    return findTrace(SpanBatch.DEFAULT_TENANT, traceIdHigh, traceIdLow, fromNanos, toNanos);
  }

  /** As {@link TraceLookup#findTrace} within one tenant; null when the tenant or trace is unknown. */
  public byte[] findTrace(String tenant, long traceIdHigh, long traceIdLow, long fromNanos, long toNanos)
      throws IOException {
    ensureOpen();
    TenantStore t = tenants.get(tenant);
    return t == null ? null : t.find(traceIdHigh, traceIdLow, fromNanos, toNanos);
  }

  /**
   * Searches one tenant's traces (TraceQL or legacy tags): candidates narrowed by each block's search index, verified
   * on their spans, newest first. Runs on the calling thread; never holds the append lock longer than computing a
   * head block's candidate list. An unknown tenant has no traces.
   */
  public io.spanfold.core.search.SearchResponse search(String tenant, io.spanfold.core.search.SearchRequest request) {
    Objects.requireNonNull(request, "request");
    ensureOpen();
    TenantStore t = tenants.get(tenant);
    return t == null ? new io.spanfold.core.search.SearchResponse(List.of(), 0, 0, 0, 0, false) : t.search(request);
  }

  /**
   * Attribute names by scope ({@code "resource"}, {@code "span"}, each sorted) of blocks holding data in
   * {@code [fromNanos, toNanos]}; both 0 = the recent window ({@link io.spanfold.core.search.SearchRequest#DEFAULT_RECENT_WINDOW}).
   */
  public java.util.Map<String, java.util.Set<String>> tagNames(String tenant, long fromNanos, long toNanos) {
    ensureOpen();
    TenantStore t = tenants.get(tenant);
    if (t == null) {
      java.util.Map<String, java.util.Set<String>> empty = new java.util.LinkedHashMap<>();
      empty.put("resource", new java.util.TreeSet<>());
      empty.put("span", new java.util.TreeSet<>());
      return empty;
    }
    long[] r = range(t, fromNanos, toNanos);
    return t.tagNames(r[0], r[1]);
  }

  /**
   * Values of an attribute or intrinsic, typed as Tempo lists them. Without a filter (or with {@code {}}) they come
   * from the search indexes; with a filter, from the spans of traces matching it within {@code budget}.
   */
  public java.util.Set<io.spanfold.core.search.TagValue> tagValues(String tenant,
      io.spanfold.core.query.traceql.Attribute attribute, io.spanfold.core.query.traceql.Query filter, long fromNanos,
      long toNanos, int maxValues, Duration budget) {
    Objects.requireNonNull(attribute, "attribute");
    ensureOpen();
    TenantStore t = tenants.get(tenant);
    if (t == null) {
      return new java.util.TreeSet<>();
    }
    long[] r = range(t, fromNanos, toNanos);
    return t.tagValues(attribute, filter, r[0], r[1], maxValues, budget.toNanos());
  }

  private static long[] range(TenantStore t, long from, long to) {
    if (from == 0 && to == 0) {
      return new long[] {t.now() - io.spanfold.core.search.SearchRequest.DEFAULT_RECENT_WINDOW.toNanos(), 0};
    }
    return new long[] {from, to};
  }

  /** Calls {@code action} with a snapshot of every block, per tenant newest first. */
  public void forEachBlock(Consumer<BlockInfo> action) {
    Objects.requireNonNull(action, "action");
    for (TenantStore t : tenants.values()) {
      t.forEachBlock(action);
    }
  }

  /** Snapshots of every block, per tenant newest first. */
  public List<BlockInfo> blocks() {
    List<BlockInfo> out = new ArrayList<>();
    forEachBlock(out::add);
    return out;
  }

  /**
   * Cuts every tenant's head block (when it holds spans) and waits until every pending completion has finished. For
   * tests and an orderly shutdown that wants no span log left to recover.
   */
  public void completeHeadBlock() {
    ensureOpen();
    for (TenantStore t : tenants.values()) {
      t.cutHead();
    }
    awaitCompletions();
  }

  /** Runs one maintenance round now: time cuts, completions, retention and the byte cap. For tests and operators. */
  public void runMaintenance() {
    ensureOpen();
    for (TenantStore t : tenants.values()) {
      t.maintainHead();
    }
    awaitCompletions();
    for (TenantStore t : tenants.values()) {
      t.enforceRetention();
    }
  }

  /** Stops background work (letting running completions finish), forces head blocks, releases all files. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    scheduler.shutdown();
    completer.shutdown();
    try {
      scheduler.awaitTermination(1, TimeUnit.MINUTES);
      completer.awaitTermination(10, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (TenantStore t : tenants.values()) {
      t.close();
    }
    releaseLock();
  }

  private void releaseLock() {
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "releasing the data dir lock failed", e);
    }
  }

  private void shutdownThreads() {
    scheduler.shutdownNow();
    completer.shutdownNow();
  }

  private void awaitCompletions() {
    try {
      completer.submit(() -> {}).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  private void maintainQuietly() {
    try {
      for (TenantStore t : tenants.values()) {
        t.maintainHead();
        t.enforceRetention();
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "store maintenance failed", e);
    }
  }

  private void syncQuietly() {
    for (TenantStore t : tenants.values()) {
      try {
        t.sync();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "fsync of tenant " + t.tenant() + " failed", e);
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("span store is closed");
    }
  }

  private TenantStore tenant(String name) throws IOException {
    TenantStore t = tenants.get(name);
    if (t != null) {
      return t;
    }
    ensureOpen();
    try {
      return tenants.computeIfAbsent(name, n -> {
        try {
          return TenantStore.open(n, dataDir.resolve(dirOf(n)), settings, completer);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Tenant names safe as a file name are used as is; others are hex-encoded behind a '~'. */
  static String dirOf(String tenant) {
    if (!tenant.isEmpty() && tenant.length() <= 100 && tenant.matches("[A-Za-z0-9_-][A-Za-z0-9._-]*")) {
      return tenant;
    }
    StringBuilder sb = new StringBuilder("~");
    for (byte x : tenant.getBytes(StandardCharsets.UTF_8)) {
      sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
    }
    return sb.toString();
  }

  static String tenantOf(String dirName) {
    if (dirName.startsWith(".")) {
      return null;
    }
    if (!dirName.startsWith("~")) {
      return dirName;
    }
    String hex = dirName.substring(1);
    if (hex.length() % 2 != 0) {
      return null;
    }
    byte[] b = new byte[hex.length() / 2];
    for (int i = 0; i < b.length; i++) {
      int hi = Character.digit(hex.charAt(2 * i), 16);
      int lo = Character.digit(hex.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      b[i] = (byte) (hi << 4 | lo);
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Builds a {@link SpanStore}; every setting is validated and named in the error. */
  public static final class Builder {
    private Path dataDir;
    private Duration retention = Duration.ofDays(7);
    private long maxBytes;
    private Duration blockDuration = Duration.ofHours(1);
    private long maxBlockBytes = 512L << 20;
    private int maxBlockSpans = 1_000_000;
    private int maxBlockTraces = StoreSettings.DEFAULT_MAX_BLOCK_TRACES;
    private FsyncPolicy fsyncPolicy = FsyncPolicy.INTERVAL;
    private Duration fsyncInterval = Duration.ofSeconds(1);
    private Duration maintenanceInterval = Duration.ofSeconds(1);
    private Duration ingestionSlack = Duration.ofMinutes(2);
    private LongSupplier clock = SpanStore::systemNanos;
    private StoreMetrics metrics = StoreMetrics.NOOP;
    private RecoveryListener recoveryListener = RecoveryListener.NOOP;
    private Duration recoveryProgressInterval = Duration.ofSeconds(2);

    private Builder() {}

    /** Told about head-block recovery while the store opens (progress of large span logs). Default: none. */
    public Builder recoveryListener(RecoveryListener recoveryListener) {
      this.recoveryListener = Objects.requireNonNull(recoveryListener, "recoveryListener");
      return this;
    }

    /** How often {@link RecoveryListener#progress} is called during a replay. Default 2 s; zero means every chunk. */
    public Builder recoveryProgressInterval(Duration interval) {
      Objects.requireNonNull(interval, "recoveryProgressInterval");
      if (interval.isNegative()) {
        throw new IllegalArgumentException("recoveryProgressInterval must be >= 0: " + interval);
      }
      this.recoveryProgressInterval = interval;
      return this;
    }

    /** The directory holding every block (created when missing). Required. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    /** Completed blocks whose newest data is older than this are deleted. Default 7 days. */
    public Builder retention(Duration retention) {
      this.retention = positive(retention, "retention");
      return this;
    }

    /** Oldest completed blocks are deleted while the store holds more bytes than this; 0 (default) = no cap. */
    public Builder maxBytes(long maxBytes) {
      if (maxBytes < 0) {
        throw new IllegalArgumentException("maxBytes < 0: " + maxBytes);
      }
      this.maxBytes = maxBytes;
      return this;
    }

    /** The head block is cut once it is this old (by ingestion time). Default 1 hour. */
    public Builder blockDuration(Duration blockDuration) {
      this.blockDuration = positive(blockDuration, "blockDuration");
      return this;
    }

    /** The head block is cut before its span log would exceed this. Default 512 MiB; 1 MiB to 1 GiB. */
    public Builder maxBlockBytes(long maxBlockBytes) {
      if (maxBlockBytes < (1 << 20) || maxBlockBytes > (1L << 30)) {
        throw new IllegalArgumentException("maxBlockBytes must be within [1 MiB, 1 GiB]: " + maxBlockBytes);
      }
      this.maxBlockBytes = maxBlockBytes;
      return this;
    }

    /**
     * The head block is cut before it would hold more spans than this; bounds the head index's heap (≈ 8 bytes per
     * span plus ≈ 60 per trace). Default 1 000 000.
     */
    public Builder maxBlockSpans(int maxBlockSpans) {
      if (maxBlockSpans <= 0) {
        throw new IllegalArgumentException("maxBlockSpans <= 0: " + maxBlockSpans);
      }
      this.maxBlockSpans = maxBlockSpans;
      return this;
    }

    /**
     * The head block is cut before it could hold more traces than this. The heap a head block and its completion
     * take grows with its traces (≈ 60–110 bytes per trace in the head's trace index, more in its search index, and
     * two heads exist while one completes), so with small traces — one span each — this, not {@link #maxBlockSpans},
     * bounds the heap. Default 500 000 (traces of 2 or more spans reach the span cut first).
     */
    public Builder maxBlockTraces(int maxBlockTraces) {
      if (maxBlockTraces <= 0) {
        throw new IllegalArgumentException("maxBlockTraces <= 0: " + maxBlockTraces);
      }
      this.maxBlockTraces = maxBlockTraces;
      return this;
    }

    /** Default {@link FsyncPolicy#INTERVAL}. */
    public Builder fsyncPolicy(FsyncPolicy fsyncPolicy) {
      this.fsyncPolicy = Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
      return this;
    }

    /** Period of the {@link FsyncPolicy#INTERVAL} fsync. Default 1 s. */
    public Builder fsyncInterval(Duration fsyncInterval) {
      this.fsyncInterval = positive(fsyncInterval, "fsyncInterval");
      return this;
    }

    /** Period of the background time cut, retention and metrics round. Default 1 s. */
    public Builder maintenanceInterval(Duration maintenanceInterval) {
      this.maintenanceInterval = positive(maintenanceInterval, "maintenanceInterval");
      return this;
    }

    /** Spans stamped further than this from their arrival count at their arrival time. Default 2 min. */
    public Builder ingestionSlack(Duration ingestionSlack) {
      this.ingestionSlack = positive(ingestionSlack, "ingestionSlack");
      return this;
    }

    /** The clock for block cuts and retention. Default the system clock. */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      this.clock = () -> nanosOf(clock.instant());
      return this;
    }

    /** The clock as epoch nanoseconds, for tests. */
    public Builder clock(LongSupplier epochNanos) {
      this.clock = Objects.requireNonNull(epochNanos, "clock");
      return this;
    }

    public Builder metrics(StoreMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * Opens the store: reopens completed blocks, recovers head blocks from their span logs, quarantines corrupt
     * blocks, starts the background threads.
     *
     * @throws IllegalStateException when {@code dataDir} is not set
     * @throws IOException when the data dir cannot be used (unreadable, or locked by another store)
     */
    public SpanStore build() throws IOException {
      if (dataDir == null) {
        throw new IllegalStateException("dataDir is required");
      }
      return new SpanStore(this);
    }

    private static Duration positive(Duration d, String field) {
      Objects.requireNonNull(d, field);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + " must be > 0: " + d);
      }
      return d;
    }
  }

  private static long systemNanos() {
    return nanosOf(Clock.systemUTC().instant());
  }

  private static long nanosOf(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
