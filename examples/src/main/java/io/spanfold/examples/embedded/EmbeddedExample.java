package io.spanfold.examples.embedded;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.spanfold.core.Spanfold;
import io.spanfold.examples.server.MetricsHandler;
import io.spanfold.otlp.http.HttpResponse;
import io.spanfold.otlp.http.HttpRoutes;
import io.spanfold.otlp.query.Readiness;
import io.spanfold.otlp.query.ServiceGraphHandler;
import io.spanfold.otlp.query.StatusHandlers;
import io.spanfold.otlp.query.TraceByIdHandler;
import io.spanfold.otlp.sdk.SpanfoldSpanExporter;
import io.spanfold.redmetrics.RedMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP service with spanfold inside it. Each request to {@code /hello} is traced with the OpenTelemetry SDK (a
 * SERVER span, a child span for the work and a CLIENT span for a pretend database call); the spans are exported
 * in-process ({@link SpanfoldSpanExporter}) into an embedded {@link Spanfold}, and the same port serves the Tempo query
 * API over it, so Grafana's Tempo datasource can point at this service:
 *
 * <pre>
 * GET /hello?name=you                 the service itself; the body names the request's trace id
 * GET /api/traces/{traceID}           Tempo trace by id (v1; /api/v2/traces/{traceID} too)
 * GET /api/service-graph              the service graph (Grafana Node Graph frames)
 * GET /metrics                        span-metrics and service-graph metrics (traces_spanmetrics_*, …)
 * GET /ready, /api/echo, /api/status/buildinfo
 * </pre>
 *
 * <p>Run (README "Embedding"): {@code java @examples/target/chronicle.args -cp examples/target/spanfold-server.jar
 * io.spanfold.examples.embedded.EmbeddedExample [--port=8080] [--bind=127.0.0.1] [--data.dir=./embedded-data]}.
 */
public final class EmbeddedExample {
  private static final System.Logger LOG = System.getLogger(EmbeddedExample.class.getName());
  static final String SERVICE = "embedded-example";

  private EmbeddedExample() {}

  public static void main(String[] args) throws Exception {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s - %5$s%6$s%n");
    }
    if (System.getProperty("chronicle.analytics.disable") == null) {
      System.setProperty("chronicle.analytics.disable", "true");
    }
    int port = 8080;
    String bind = "127.0.0.1";
    Path dataDir = Paths.get("embedded-data");
    for (String a : args) {
      if (a.startsWith("--port=")) {
        port = Integer.parseInt(a.substring(7));
      } else if (a.startsWith("--bind=")) {
        bind = a.substring(7);
      } else if (a.startsWith("--data.dir=")) {
        dataDir = Paths.get(a.substring(11));
      } else {
        System.err.println("usage: EmbeddedExample [--port=8080] [--bind=127.0.0.1] [--data.dir=./embedded-data]");
        System.exit(2);
      }
    }

    // 1. spanfold, with span-metrics and service-graph metrics attached (the RED registry lives in redmetrics).
    RedMetrics red = RedMetrics.builder().build();
    Spanfold spanfold = red.attachTo(Spanfold.builder().dataDir(dataDir).retention(Duration.ofDays(1))).build();
    red.start(spanfold);

    // 2. The application's OpenTelemetry SDK exports into it, in-process.
    SpanfoldSpanExporter exporter = SpanfoldSpanExporter.create(spanfold);
    SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(
            Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), SERVICE))))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(200)).build())
        .build();
    Tracer tracer = tracerProvider.get("io.spanfold.examples.embedded");

    // 3. One port: the application's endpoint, and spanfold's query handlers mounted next to it.
    Readiness readiness = new Readiness();
    TraceByIdHandler byId = TraceByIdHandler.builder().lookup(spanfold.store()).maxTraceBytes(5_000_000).build();
    HttpRoutes query = HttpRoutes.builder()
        .addAll(StatusHandlers.routes(readiness))
        .route("/api/traces/{traceID}", byId)
        .route("/api/v2/traces/{traceID}", byId)
        .route(ServiceGraphHandler.PATH, Set.of("GET"), new ServiceGraphHandler(spanfold.serviceGraphBuilder()))
        .route("/metrics", Set.of("GET"), new MetricsHandler(red.registry()))
        .build();
    HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 0);
    server.setExecutor(Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "embedded-http");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/hello", ex -> hello(ex, tracer));
    server.createContext("/", new JdkHttpAdapter(query));
    server.start();
    readiness.ready();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      readiness.stopping();
      server.stop(1);
      // Flush the SDK's last spans into spanfold before closing it.
      tracerProvider.shutdown().join(10, TimeUnit.SECONDS);
      exporter.shutdown().join(10, TimeUnit.SECONDS);
      spanfold.close();
      stopped.countDown();
    }, "embedded-example-shutdown"));
    InetSocketAddress a = server.getAddress();
    LOG.log(System.Logger.Level.INFO, "embedded example listening on http://{0}:{1,number,#} (try /hello, then"
        + " /api/traces/<traceID>; /metrics, /api/service-graph)", a.getAddress().getHostAddress(), a.getPort());
    stopped.await();
  }

  /** The service's one endpoint, traced: SERVER span, a child for the work, a CLIENT span for a database call. */
  private static void hello(HttpExchange ex, Tracer tracer) throws IOException {
    Span span = tracer.spanBuilder("GET /hello").setSpanKind(SpanKind.SERVER)
        .setAttribute("http.request.method", "GET").setAttribute("http.route", "/hello").startSpan();
    try (Scope ignored = span.makeCurrent(); ex) {
      String query = ex.getRequestURI().getQuery();
      String name = query != null && query.startsWith("name=") ? query.substring(5) : "world";
      String greeting;
      Span work = tracer.spanBuilder("compose greeting").startSpan();
      try (Scope w = work.makeCurrent()) {
        Span db = tracer.spanBuilder("SELECT greetings").setSpanKind(SpanKind.CLIENT)
            .setAttribute("db.system", "h2").setAttribute("db.name", "greetings").startSpan();
        try {
          greeting = "hello, " + name;
        } finally {
          db.end();
        }
        work.setAttribute("greeting.length", greeting.length());
      } finally {
        work.end();
      }
      if (name.isEmpty()) {
        span.setStatus(StatusCode.ERROR, "empty name");
      }
      span.setAttribute("http.response.status_code", 200L);
      String traceId = span.getSpanContext().getTraceId();
      byte[] body = (greeting + "\ntrace " + traceId + "\n").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("X-Trace-Id", traceId);
      JdkHttpAdapter.send(ex, HttpResponse.of(200, "text/plain; charset=utf-8", body));
    } finally {
      span.end();
    }
  }
}
