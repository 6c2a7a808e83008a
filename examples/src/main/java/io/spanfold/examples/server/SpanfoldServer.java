package io.spanfold.examples.server;

import io.prometheus.client.CollectorRegistry;
import io.spanfold.core.ingest.SpanConsumer;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.otlp.grpc.OtlpGrpcReceiver;
import io.spanfold.otlp.http.HttpHandler;
import io.spanfold.otlp.http.HttpRoutes;
import io.spanfold.otlp.http.NettyHttpServer;
import io.spanfold.otlp.http.OtlpHttpReceiver;
import io.spanfold.otlp.query.Readiness;
import io.spanfold.otlp.query.StatusHandlers;
import io.spanfold.core.graph.ServiceGraphBuilder;
import io.spanfold.otlp.query.ServiceGraphHandler;
import io.spanfold.core.store.SpanStore;
import io.spanfold.otlp.query.TraceByIdHandler;
import io.spanfold.redmetrics.RedMetricsWiring;
import io.spanfold.redmetrics.store.PrometheusStoreMetrics;
import io.spanfold.redmetrics.servicegraph.ServiceGraphMetrics;
import io.spanfold.redmetrics.ingest.PrometheusIngestMetrics;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
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
  private final CollectorRegistry registry;
  private final Readiness readiness = new Readiness();
  private final List<AutoCloseable> closeOnStop;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Object stopLock = new Object();
  private boolean stopping;
  private NettyHttpServer queryServer;
  private OtlpGrpcReceiver grpcReceiver;
  private NettyHttpServer otlpHttpServer;

  private SpanfoldServer(Builder b) {
    this.config = b.config;
    this.registry = b.registry;
    this.closeOnStop = new ArrayList<>(b.closeOnStop);
  }

  public static Builder builder(ServerConfig config) {
    return new Builder(config);
  }

  private void start(Builder b) throws IOException {
    Files.createDirectories(config.dataDir());
    SpanIngest.Builder ingestBuilder = SpanIngest.builder().metrics(PrometheusIngestMetrics.register(registry));
    for (SpanConsumer c : b.consumers) {
      ingestBuilder.consumer(c);
    }
    if (b.consumers.isEmpty()) {
      LOG.log(System.Logger.Level.WARNING,
          "no span consumer configured: spans are validated and counted, then dropped");
    }
    SpanIngest ingest = ingestBuilder.build();

    HttpRoutes queryRoutes = HttpRoutes.builder()
        .addAll(StatusHandlers.routes(readiness))
        .route("/metrics", Set.of("GET"), new MetricsHandler(registry))
        .addAll(b.routes.build())
        .build();
    try {
      // The query port first, so /ready can answer "starting" while the receivers come up.
      queryServer = NettyHttpServer.builder().name("http").host(config.bind()).port(config.httpPort())
          .routes(queryRoutes).start();
      grpcReceiver = OtlpGrpcReceiver.builder().ingest(ingest).host(config.bind()).port(config.otlpGrpcPort())
          .maxInboundMessageBytes(config.otlpGrpcMaxRecvMsgSizeMib() * 1024 * 1024).start();
      otlpHttpServer = NettyHttpServer.builder().name("otlp-http").host(config.bind())
          .port(config.otlpHttpPort()).maxBodyBytes(config.otlpHttpMaxBodyBytes())
          .routes(new OtlpHttpReceiver(ingest).routes()).start();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    readiness.ready();
    LOG.log(System.Logger.Level.INFO, "spanfold listening: otlp-grpc={0} otlp-http={1} http={2} data={3}",
        hostPort(grpcReceiver.localAddress()), hostPort(otlpHttpServer.localAddress()),
        hostPort(queryServer.localAddress()), config.dataDir());
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  public ServerConfig config() {
    return config;
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
    ServerConfig config;
    RedMetricsWiring red;
    try {
      config = ServerConfig.parse(args);
      red = RedMetricsWiring.fromArgs(args);
    } catch (ServerConfig.UsageException | IllegalArgumentException e) {
      System.err.println("spanfold: " + e.getMessage());
      System.exit(2);
      return;
    }
    SpanfoldServer server;
    try {
      Builder b = builder(config);
      // The store first: a request is acknowledged only once its spans are in the span log.
      SpanStore store = SpanStore.builder().dataDir(config.dataDir()).retention(config.retention())
          .maxBytes(config.storageMaxBytes()).blockDuration(config.blockDuration()).fsyncPolicy(config.fsyncPolicy())
          .metrics(PrometheusStoreMetrics.register(b.registry)).build();
      b.consumer(store).closeOnStop(store);
      TraceByIdHandler byId = TraceByIdHandler.builder().lookup(store).maxTraceBytes(5_000_000).build();
      b.route("/api/traces/{traceID}", byId).route("/api/v2/traces/{traceID}", byId);
      // Search and tag autocomplete run on the query port's workers; a slow query stops at its time budget.
      io.spanfold.otlp.query.SearchHandler search =
          new io.spanfold.otlp.query.SearchHandler(store, java.time.Duration.ofSeconds(30));
      io.spanfold.otlp.query.SearchTagsHandler tags =
          new io.spanfold.otlp.query.SearchTagsHandler(store, java.time.Duration.ofSeconds(10));
      b.route(io.spanfold.otlp.query.SearchHandler.PATH, Set.of("GET"), search)
          .route(io.spanfold.otlp.query.SearchTagsHandler.V1_TAGS, Set.of("GET"), tags)
          .route(io.spanfold.otlp.query.SearchTagsHandler.V2_TAGS, Set.of("GET"), tags)
          .route(io.spanfold.otlp.query.SearchTagsHandler.V1_VALUES, Set.of("GET"), tags)
          .route(io.spanfold.otlp.query.SearchTagsHandler.V2_VALUES, Set.of("GET"), tags);
      b.consumer(red.spanMetrics()).closeOnStop(red);
      red.register(b.registry);
      ServiceGraphMetrics graphMetrics = ServiceGraphMetrics.builder().build();
      ServiceGraphBuilder graph = ServiceGraphBuilder.builder().listener(graphMetrics).build();
      b.consumer(graph);
      b.registry.register(graphMetrics.collector());
      // Also expires pending edges on each scrape, so virtual nodes appear while the server is idle.
      b.registry.register(graphMetrics.selfMetricsCollector(graph));
      red.remoteWrite(graphMetrics.collector());
      b.route(ServiceGraphHandler.PATH, Set.of("GET"), new ServiceGraphHandler(graph));
      // Tempo sweeps expired edges every 2 s; do the same so an idle server still turns lone halves into virtual
      // nodes and remote write sees them without a scrape.
      java.util.concurrent.ScheduledExecutorService sweeper =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "service-graph-expiry");
            t.setDaemon(true);
            return t;
          });
      sweeper.scheduleWithFixedDelay(graph::expire, 2, 2, java.util.concurrent.TimeUnit.SECONDS);
      b.closeOnStop(sweeper::shutdownNow);
      server = b.start();
      red.start();
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

  /** Wiring of a server; {@link #start()} binds every port. */
  public static final class Builder {
    private final ServerConfig config;
    private final List<SpanConsumer> consumers = new ArrayList<>();
    private final List<AutoCloseable> closeOnStop = new ArrayList<>();
    private final HttpRoutes.Builder routes = HttpRoutes.builder();
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
      routes.route(pattern, handler);
      return this;
    }

    /** Serves {@code handler} on the query port for {@code methods} (others get 405). */
    public Builder route(String pattern, Set<String> methods, HttpHandler handler) {
      routes.route(pattern, methods, handler);
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
