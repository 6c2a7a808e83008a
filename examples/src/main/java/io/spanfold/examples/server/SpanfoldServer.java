package io.spanfold.examples.server;

import io.prometheus.client.CollectorRegistry;
import io.netty.handler.ssl.SslContext;
import io.spanfold.core.Spanfold;
import io.spanfold.core.ingest.IngestLimiter;
import io.spanfold.core.ingest.SpanConsumer;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.otlp.grpc.OtlpGrpcReceiver;
import io.spanfold.otlp.guard.IngestGuard;
import io.spanfold.otlp.guard.QueryGuard;
import io.spanfold.otlp.http.NonBlockingHttpHandler;
import io.spanfold.otlp.http.HttpHandler;
import io.spanfold.otlp.http.HttpRoutes;
import io.spanfold.otlp.http.NettyHttpServer;
import io.spanfold.otlp.http.OtlpHttpReceiver;
import io.spanfold.otlp.query.Readiness;
import io.spanfold.otlp.query.StatusHandlers;
import io.spanfold.otlp.query.ServiceGraphHandler;
import io.spanfold.otlp.query.SearchHandler;
import io.spanfold.otlp.query.SearchTagsHandler;
import io.spanfold.otlp.query.TraceByIdHandler;
import io.spanfold.redmetrics.RedMetricsWiring;
import io.spanfold.redmetrics.store.PrometheusStoreMetrics;
import io.spanfold.redmetrics.servicegraph.ServiceGraphMetrics;
import io.spanfold.redmetrics.ingest.PrometheusIngestMetrics;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The spanfold server: OTLP receivers (gRPC :4317, HTTP :4318) feeding {@link SpanIngest}, and the query port (:3200)
 * with Tempo's status endpoints and {@code /metrics}. {@link #main} is the entry point of {@code spanfold-server.jar};
 * {@link #builder} wires the same server in-process, and is where the store, span-metrics and service-graph consumers
 * and the query handlers plug in:
 *
 * <pre>{@code
 * SpanfoldServer server = SpanfoldServer.builder(ServerConfig.defaults())
 *     .consumer(store)                       // called first: a request is acknowledged after the store took it
 *     .closeOnStop(store)                    // closed after the receivers stopped
 *     .route("/api/traces/{traceID}", Set.of("GET"), traceByIdHandler)
 *     .start();
 * }</pre>
 *
 * <p>Stop ({@link #close()}, or SIGTERM through the shutdown hook {@link #main} installs): {@code /ready} turns 503,
 * the receivers stop accepting and finish the requests in flight, then the consumers are closed in registration
 * order, then the query port closes.
 */
public final class SpanfoldServer implements Closeable {
  private static final System.Logger LOG = System.getLogger(SpanfoldServer.class.getName());

  /**
   * grpc-java logs a WARNING with a stack trace for every message over the size limit, which the client already gets
   * as RESOURCE_EXHAUSTED: a client's mistake must not flood the server's log. Held here because JUL keeps loggers
   * only weakly.
   */
  private static final java.util.logging.Logger GRPC_STREAM_LOG =
      java.util.logging.Logger.getLogger("io.grpc.netty.NettyServerStream");

  private final ServerConfig config;
  private final GuardConfig guard;
  private final CollectorRegistry registry;
  private final Readiness readiness = new Readiness();
  private final List<AutoCloseable> closeOnStop;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Object stopLock = new Object();
  private boolean stopping;
  private NettyHttpServer queryServer;
  private HttpRoutes queryRouteTable;
  private OtlpGrpcReceiver grpcReceiver;
  private NettyHttpServer otlpHttpServer;

  private SpanfoldServer(Builder b) {
    this.config = b.config;
    this.guard = b.guard;
    this.registry = b.registry;
    this.closeOnStop = new ArrayList<>(b.closeOnStop);
  }

  public static Builder builder(ServerConfig config) {
    return new Builder(config);
  }

  private void start(Builder b) throws IOException {
    Files.createDirectories(config.dataDir());
    GuardConfig guard = b.guard;
    PrometheusIngestMetrics ingestMetrics = PrometheusIngestMetrics.register(registry);
    SpanIngest.Builder ingestBuilder = SpanIngest.builder().metrics(ingestMetrics);
    if (guard.traceLimiter() != null) {
      ingestBuilder.traceLimits(guard.traceLimiter());
    }
    ingestBuilder.maxAttributeBytes(guard.maxAttributeBytes());
    for (SpanConsumer c : b.consumers) {
      ingestBuilder.consumer(c);
    }
    if (b.consumers.isEmpty()) {
      LOG.log(System.Logger.Level.WARNING,
          "no span consumer configured: spans are validated and counted, then dropped");
    }
    SpanIngest ingest = ingestBuilder.build();

    QueryGuard queryGuard = guard.queryGuard();
    HttpRoutes.Builder userRoutes = HttpRoutes.builder();
    for (RouteEntry r : b.routes) {
      // Query handlers count against the concurrent-query cap; /ready and /metrics never do.
      HttpHandler h = queryGuard.limit(r.handler);
      if (r.methods == null) {
        userRoutes.route(r.pattern, h);
      } else {
        userRoutes.route(r.pattern, r.methods, h);
      }
    }
    HttpRoutes queryRoutes = queryRouteTable = HttpRoutes.builder()
        .addAll(StatusHandlers.routes(readiness))
        .route("/metrics", Set.of("GET"), new MetricsHandler(registry))
        .addAll(userRoutes.build())
        .build();
    IngestLimiter budget = guard.memoryBudget();
    IngestGuard ingestGuard = guard.ingestGuard(budget, ingestMetrics);
    OtlpHttpReceiver httpReceiver = new OtlpHttpReceiver(ingest, ingestGuard);
    try {
      SslContext httpTls = guard.httpTls();
      // The query port first, so /ready can answer "starting" while the receivers come up. Each port has its own
      // event loop and worker pool, so heavy queries never take threads from ingest.
      NettyHttpServer.Builder query = NettyHttpServer.builder().name("http").host(config.bind())
          .port(config.httpPort()).routes(queryRoutes).gate(queryGuard.gate()).sslContext(httpTls)
          .observer(RequestDurationMetrics.register(registry));
      if (guard.queryWorkerThreads() > 0) {
        query.workerThreads(guard.queryWorkerThreads());
      }
      queryServer = query.start();
      grpcReceiver = OtlpGrpcReceiver.builder().ingest(ingest).host(config.bind()).port(config.otlpGrpcPort())
          .maxInboundMessageBytes(config.otlpGrpcMaxRecvMsgSizeMib() * 1024 * 1024).guard(ingestGuard)
          .sslContext(guard.grpcTls()).start();
      NettyHttpServer.Builder otlpHttp = NettyHttpServer.builder().name("otlp-http").host(config.bind())
          .port(config.otlpHttpPort()).maxBodyBytes(config.otlpHttpMaxBodyBytes())
          .routes(httpReceiver.routes()).gate(httpReceiver.gate()).sslContext(httpTls);
      if (budget != null) {
        otlpHttp.memoryBudget(budget, httpReceiver.overloadResponse());
      }
      otlpHttpServer = otlpHttp.start();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    readiness.ready();
    LOG.log(System.Logger.Level.INFO, "spanfold listening: otlp-grpc={0} otlp-http={1} http={2} data={3}",
        hostPort(grpcReceiver.localAddress()), hostPort(otlpHttpServer.localAddress()),
        hostPort(queryServer.localAddress()), config.dataDir());
    LOG.log(System.Logger.Level.INFO, "spanfold guard: {0}", guard);
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  public ServerConfig config() {
    return config;
  }

  /** The routes of the query port ({@code /ready}, {@code /metrics}, the Tempo API, …), as served. */
  public HttpRoutes queryRoutes() {
    return queryRouteTable;
  }

  /** The security and limit settings the server runs with. */
  public GuardConfig guard() {
    return guard;
  }

  /**
   * The tenant a query request reads (its {@code X-Scope-OrgID} with multi-tenancy on, else the single tenant): give
   * it to {@code TraceByIdHandler.Builder#tenant} and other query handlers.
   */
  public static java.util.function.Function<io.spanfold.otlp.http.HttpRequest, String> tenantOf(GuardConfig g) {
    return QueryGuard.tenantResolver(g.multitenancy());
  }

  /** The registry {@code /metrics} serves; register more collectors here. */
  public CollectorRegistry registry() {
    return registry;
  }

  public Readiness readiness() {
    return readiness;
  }

  public InetSocketAddress otlpGrpcAddress() {
    return grpcReceiver.localAddress();
  }

  public InetSocketAddress otlpHttpAddress() {
    return otlpHttpServer.localAddress();
  }

  public InetSocketAddress httpAddress() {
    return queryServer.localAddress();
  }

  /** Blocks until the server has stopped. */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /** Graceful stop; idempotent, and safe to call from a shutdown hook. */
  @Override
  public void close() {
    synchronized (stopLock) {
      if (stopping) {
        return;
      }
      stopping = true;
    }
    try {
      readiness.stopping();
      LOG.log(System.Logger.Level.INFO, "spanfold stopping");
      if (grpcReceiver != null) {
        grpcReceiver.close();
      }
      if (otlpHttpServer != null) {
        otlpHttpServer.close();
      }
      for (AutoCloseable c : closeOnStop) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.log(System.Logger.Level.ERROR, "closing " + c + " failed", e);
        }
      }
      if (queryServer != null) {
        queryServer.close();
      }
      LOG.log(System.Logger.Level.INFO, "spanfold stopped");
    } finally {
      stopped.countDown();
    }
  }

  /**
   * Runs the server: {@code java -jar spanfold-server.jar [--flag=value ...]}; {@code --help} lists the flags. Exit
   * codes: 2 for a bad command line, 1 when the server can't start; SIGTERM stops it gracefully.
   */
  public static void main(String[] args) throws InterruptedException {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s - %5$s%6$s%n");
    }
    GRPC_STREAM_LOG.setLevel(java.util.logging.Level.SEVERE);
    // Chronicle Map phones home and writes into the user's home unless told not to.
    if (System.getProperty("chronicle.analytics.disable") == null) {
      System.setProperty("chronicle.analytics.disable", "true");
    }
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        System.out.print(ServerConfig.usage());
        return;
      }
    }
    String[] all;
    ConfigFile file = null;
    try {
      file = configFile(args);
      all = file == null ? args : concat(file.args(), args);
    } catch (ConfigFile.ConfigException e) {
      System.err.println("spanfold: " + e.getMessage());
      System.exit(2);
      return;
    }
    ServerConfig config;
    GuardConfig guardConfig;
    RedMetricsWiring red;
    ServiceGraphConfig graphConfig;
    try {
      // The file's flags come first: a flag on the command line overrides the file.
      config = ServerConfig.parse(all);
      guardConfig = GuardConfig.parse(all);
      red = RedMetricsWiring.fromArgs(all);
      graphConfig = ServiceGraphConfig.parse(all);
    } catch (ServerConfig.UsageException | IllegalArgumentException e) {
      System.err.println("spanfold: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (file != null) {
      for (String w : file.warnings()) {
        LOG.log(System.Logger.Level.WARNING, "config: " + w);
      }
    }
    SpanfoldServer server;
    try {
      server = launch(config, guardConfig, red, graphConfig, file == null ? null : configPath(args));
    } catch (IOException | RuntimeException e) {
      System.err.println("spanfold: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // java.util.logging resets its handlers in its own shutdown hook, which runs concurrently with this one, so
      // the logger may already be silent: say it on stderr.
      System.err.println("spanfold stopping (shutdown signal)");
      server.close();
      System.err.println("spanfold stopped");
    }, "spanfold-shutdown"));
    server.awaitStopped();
  }

  /**
   * What {@link #main} runs once the settings are parsed: a {@link Spanfold} (store, service graph, span-metrics) with
   * the receivers, the Tempo query API and {@code /metrics} mounted on it. Package-private for tests.
   */
  static SpanfoldServer launch(ServerConfig config, GuardConfig guardConfig, RedMetricsWiring red,
      ServiceGraphConfig graphConfig, String configFile) throws IOException {
    Builder b = builder(config).guard(guardConfig);
    // The library API does the wiring: store first (a request is acknowledged once its spans are in the span log),
    // then the service graph, then span-metrics. The server adds transports, query handlers and /metrics.
    ServiceGraphMetrics graphMetrics = graphConfig.metrics();
    Spanfold.Builder sf = Spanfold.builder().dataDir(config.dataDir()).retention(config.retention())
        .maxBytes(config.storageMaxBytes()).blockDuration(config.blockDuration()).fsyncPolicy(config.fsyncPolicy())
        .storeMetrics(PrometheusStoreMetrics.register(b.registry))
        .serviceGraphListener(graphMetrics)
        .consumer(red.spanMetrics()).closeOnClose(red);
    graphConfig.applyTo(sf);
    Spanfold spanfold = sf.build();
    try {
      // The receivers' own SpanIngest validates and counts (and applies any limits), then hands accepted spans to
      // the Spanfold fan-out; stopping the server closes it after the receivers stopped.
      b.consumer(spanfold.consumer()).closeOnStop(spanfold);
      TraceByIdHandler byId = TraceByIdHandler.builder().lookup(spanfold.store())
          .maxTraceBytes(guardConfig.queryMaxTraceBytes()).tenant(tenantOf(guardConfig)).build();
      // Trace by id runs on the query port's event loop (bounded by the maximum trace size, never waits): no hand-off
      // to a worker and back, which was most of its tail latency (bench/RESULTS.md).
      NonBlockingHttpHandler byIdInline = NonBlockingHttpHandler.of(byId);
      b.route("/api/traces/{traceID}", byIdInline).route("/api/v2/traces/{traceID}", byIdInline);
      // Search and tag autocomplete run on the query port's workers; a slow query stops at its time budget.
      SearchHandler search = new SearchHandler(spanfold.store(), Duration.ofSeconds(30), tenantOf(guardConfig));
      SearchTagsHandler tags = new SearchTagsHandler(spanfold.store(), Duration.ofSeconds(10), tenantOf(guardConfig));
      b.route(SearchHandler.PATH, Set.of("GET"), search)
          .route(SearchTagsHandler.V1_TAGS, Set.of("GET"), tags)
          .route(SearchTagsHandler.V2_TAGS, Set.of("GET"), tags)
          .route(SearchTagsHandler.V1_VALUES, Set.of("GET"), tags)
          .route(SearchTagsHandler.V2_VALUES, Set.of("GET"), tags);
      red.register(b.registry);
      b.registry.register(graphMetrics.collector());
      // Also expires pending edges on each scrape, so virtual nodes appear while the server is idle.
      b.registry.register(graphMetrics.selfMetricsCollector(spanfold.serviceGraphBuilder()));
      red.remoteWrite(graphMetrics.collector());
      b.route(ServiceGraphHandler.PATH, Set.of("GET"), new ServiceGraphHandler(spanfold.serviceGraphBuilder()));
    } catch (RuntimeException e) {
      spanfold.close();
      throw e;
    }
    SpanfoldServer server = b.start(); // closes what was handed over when it fails
    red.start();
    LOG.log(System.Logger.Level.INFO, banner(server, config, guardConfig, red, configFile));
    return server;
  }

  /** The value of {@code --config.file=}, or null. */
  static String configPath(String[] args) {
    String path = null;
    for (String a : args) {
      if (a.startsWith("--config.file=")) {
        path = a.substring("--config.file=".length());
      }
    }
    return path;
  }

  /** The config file named by {@code --config.file=}, or null without one. */
  static ConfigFile configFile(String[] args) throws ConfigFile.ConfigException {
    String path = configPath(args);
    return path == null ? null : ConfigFile.load(java.nio.file.Paths.get(path));
  }

  static String[] concat(List<String> first, String[] then) {
    String[] out = first.toArray(new String[first.size() + then.length]);
    System.arraycopy(then, 0, out, first.size(), then.length);
    return out;
  }

  /** The version of the running jar ({@code Implementation-Version}), or "dev" from classes. */
  static String version() {
    String v = SpanfoldServer.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** One startup line that says what runs where. */
  static String banner(SpanfoldServer s, ServerConfig c, GuardConfig g, RedMetricsWiring red, String configFile) {
    return "spanfold " + version() + " started: ports otlp-grpc=" + s.otlpGrpcAddress().getPort()
        + " otlp-http=" + s.otlpHttpAddress().getPort() + " http=" + s.httpAddress().getPort()
        + " on " + c.bind() + "; data=" + c.dataDir().toAbsolutePath().normalize()
        + " retention=" + human(c.retention()) + " max-bytes=" + (c.storageMaxBytes() == 0 ? "none" : c.storageMaxBytes())
        + " fsync=" + c.fsyncPolicy().name().toLowerCase(java.util.Locale.ROOT)
        + "; span-metrics=on service-graph=on remote-write=" + (red.remoteWriteEnabled() ? "on" : "off")
        + "; auth=" + auth(g) + " tls=" + (g.tls() ? (g.clientCaFile != null ? "mutual" : "on") : "off")
        + " multitenancy=" + (g.multitenancy() ? "on" : "off")
        + " limits=" + (g.rateLimitBytes > 0 || g.memoryBudgetBytes > 0 || g.maxBytesPerTrace > 0
            || g.maxTracesPerUser > 0 ? "on" : "off")
        + "; config=" + (configFile == null ? "flags only" : configFile);
  }

  private static String auth(GuardConfig g) {
    boolean ingest = g.ingestAuth != io.spanfold.otlp.guard.Authenticator.NONE;
    boolean query = g.queryAuth != io.spanfold.otlp.guard.Authenticator.NONE;
    return ingest && query ? "ingest+query" : ingest ? "ingest" : query ? "query" : "off";
  }

  private static String human(java.time.Duration d) {
    long s = d.getSeconds();
    if (s % 86400 == 0) {
      return (s / 86400) + "d";
    }
    if (s % 3600 == 0) {
      return (s / 3600) + "h";
    }
    return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }

  /** A query route as added; wrapped with the query guard at start. */
  private static final class RouteEntry {
    final String pattern;
    final Set<String> methods;
    final HttpHandler handler;

    RouteEntry(String pattern, Set<String> methods, HttpHandler handler) {
      this.pattern = pattern;
      this.methods = methods;
      this.handler = handler;
    }
  }

  /** Wiring of a server; {@link #start()} binds every port. */
  public static final class Builder {
    private final ServerConfig config;
    private final List<SpanConsumer> consumers = new ArrayList<>();
    private final List<AutoCloseable> closeOnStop = new ArrayList<>();
    private final List<RouteEntry> routes = new ArrayList<>();
    private GuardConfig guard = GuardConfig.defaults();
    private CollectorRegistry registry = new CollectorRegistry(true);

    private Builder(ServerConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** Adds an ingest consumer; consumers are called in the order added (add the store first). */
    public Builder consumer(SpanConsumer consumer) {
      consumers.add(Objects.requireNonNull(consumer, "consumer"));
      return this;
    }

    /** Closes {@code resource} on stop, after the receivers stopped, in the order added. */
    public Builder closeOnStop(AutoCloseable resource) {
      closeOnStop.add(Objects.requireNonNull(resource, "resource"));
      return this;
    }

    /** Serves {@code handler} on the query port for any method. */
    public Builder route(String pattern, HttpHandler handler) {
      routes.add(new RouteEntry(Objects.requireNonNull(pattern, "pattern"), null,
          Objects.requireNonNull(handler, "handler")));
      return this;
    }

    /** Authentication, TLS, tenants and limits (default: {@link GuardConfig#defaults()}, all off). */
    public Builder guard(GuardConfig guard) {
      this.guard = Objects.requireNonNull(guard, "guard");
      return this;
    }

    /** The security and limit settings set so far (query handlers need its tenant rule and max trace size). */
    public GuardConfig guard() {
      return guard;
    }

    /** Serves {@code handler} on the query port for {@code methods} (others get 405). */
    public Builder route(String pattern, Set<String> methods, HttpHandler handler) {
      Objects.requireNonNull(methods, "methods");
      routes.add(new RouteEntry(Objects.requireNonNull(pattern, "pattern"), methods,
          Objects.requireNonNull(handler, "handler")));
      return this;
    }

    /** The registry behind {@code /metrics} (default: a new one, not the global default registry). */
    public Builder registry(CollectorRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    public SpanfoldServer start() throws IOException {
      SpanfoldServer s = new SpanfoldServer(this);
      s.start(this);
      return s;
    }
  }
}
