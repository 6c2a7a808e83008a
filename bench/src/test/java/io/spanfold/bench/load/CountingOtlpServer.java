package io.spanfold.bench.load;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.OtlpProtoDecoder;
import io.spanfold.otlp.json.OtlpJsonDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;
import java.util.zip.GZIPInputStream;

/**
 * A stand-in OTLP server for testing the load generator (not the spanfold server): JDK {@link HttpServer} for
 * OTLP/HTTP and Tempo's v2 trace-by-id, a raw-bytes grpc-java server for OTLP/gRPC. It decodes every request with
 * spanfold's decoders, remembers which request each trace id came in, and answers with the status {@code policy}
 * picks for the request's arrival number (1-based).
 */
final class CountingOtlpServer implements AutoCloseable {
  final AtomicInteger requests = new AtomicInteger();
  final AtomicLong spans = new AtomicLong();
  final AtomicInteger gzipped = new AtomicInteger();
  final AtomicInteger json = new AtomicInteger();
  final AtomicInteger undecodable = new AtomicInteger();
  /** Trace ids seen in more than one request: the generator promises there are none. */
  final AtomicInteger sharedTraceIds = new AtomicInteger();
  final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
  private final Map<String, Integer> traceOwner = new ConcurrentHashMap<>();
  private final IntUnaryOperator policy;
  private final HttpServer http;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final Server grpc;

  CountingOtlpServer(IntUnaryOperator policy) throws IOException {
    this.policy = policy;
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    http.createContext("/v1/traces", this::export);
    http.createContext("/api/v2/traces/", this::traceById);
    http.createContext("/metrics", this::metrics);
    http.setExecutor(executor);
    http.start();
    ServerServiceDefinition service =
        ServerServiceDefinition.builder("opentelemetry.proto.collector.trace.v1.TraceService")
            .addMethod(GrpcTransport.METHOD, ServerCalls.asyncUnaryCall((request, response) -> {
              int status = accept(request, false);
              if (status == 200) {
                response.onNext(new byte[0]);
                response.onCompleted();
              } else {
                response.onError((status == 429 ? Status.RESOURCE_EXHAUSTED : status == 503 ? Status.UNAVAILABLE
                    : Status.INVALID_ARGUMENT).asRuntimeException());
              }
            }))
            .build();
    grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
  }

  int httpPort() {
    return http.getAddress().getPort();
  }

  int grpcPort() {
    return grpc.getPort();
  }

  int status(int code) {
    AtomicInteger n = statuses.get(code);
    return n == null ? 0 : n.get();
  }

  private static String key(long hi, long lo) {
    return String.format("%016x%016x", hi, lo);
  }

  /** Decodes, records, and returns the status to answer. */
  private int accept(byte[] body, boolean isJson) {
    int n = requests.incrementAndGet();
    SpanBatch batch = new SpanBatch();
    try {
      if (isJson) {
        json.incrementAndGet();
        new OtlpJsonDecoder().decode(body, 0, body.length, batch);
      } else {
        new OtlpProtoDecoder().decode(body, 0, body.length, batch);
      }
    } catch (Exception e) {
      undecodable.incrementAndGet();
      statuses.computeIfAbsent(400, k -> new AtomicInteger()).incrementAndGet();
      return 400;
    }
    int status = policy.applyAsInt(n);
    statuses.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
    if (status == 200) {
      spans.addAndGet(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        Integer owner = traceOwner.putIfAbsent(key(batch.traceIdHigh(i), batch.traceIdLow(i)), n);
        if (owner != null && owner != n) {
          sharedTraceIds.incrementAndGet();
        }
      }
    }
    return status;
  }

  private void export(HttpExchange exchange) throws IOException {
    try (exchange) {
      InputStream in = exchange.getRequestBody();
      if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
        gzipped.incrementAndGet();
        in = new GZIPInputStream(in);
      }
      byte[] body = in.readAllBytes();
      boolean isJson = "application/json".equals(exchange.getRequestHeaders().getFirst("Content-Type"));
      int status = accept(body, isJson);
      exchange.sendResponseHeaders(status, -1);
    }
  }

  /** Trace-by-id requests answered within 1 ms and in all, as the server's request-duration histogram counts them. */
  final AtomicInteger lookupsWithin1ms = new AtomicInteger();
  final AtomicInteger lookups = new AtomicInteger();

  /** The two buckets of {@code tempo_request_duration_seconds} this stand-in keeps, as simpleclient prints them. */
  private void metrics(HttpExchange exchange) throws IOException {
    try (exchange) {
      String labels = "method=\"GET\",route=\"api_v2_traces_traceid\",status_code=\"200\",ws=\"false\",";
      byte[] body = ("# TYPE tempo_request_duration_seconds histogram\n"
          + "tempo_request_duration_seconds_bucket{" + labels + "le=\"0.001\",} " + lookupsWithin1ms.get() + ".0\n"
          + "tempo_request_duration_seconds_bucket{" + labels + "le=\"+Inf\",} " + lookups.get() + ".0\n"
          + "tempo_request_duration_seconds_count{" + labels + "} " + lookups.get() + ".0\n")
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  /** Tempo v2 semantics: a known trace comes back as TraceByIDResponse, an unknown one as 200 with no trace. */
  private void traceById(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    try (exchange) {
      String id = exchange.getRequestURI().getPath().substring("/api/v2/traces/".length());
      byte[] body = new byte[0];
      if (traceOwner.containsKey(id)) {
        byte[] raw = HexFormat.of().parseHex(id);
        TracesData trace = TracesData.newBuilder()
            .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(
                Span.newBuilder().setTraceId(ByteString.copyFrom(raw)).setSpanId(ByteString.copyFrom(
                    ByteBuffer.allocate(8).putLong(1).array())).setName("x"))))
            .build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream cos = CodedOutputStream.newInstance(out);
        cos.writeBytes(1, trace.toByteString());
        cos.flush();
        body = out.toByteArray();
      }
      exchange.getResponseHeaders().set("Content-Type", "application/protobuf");
      // counted before the answer goes out, so a scrape after the client got it includes it
      if (System.nanoTime() - start <= 1_000_000) {
        lookupsWithin1ms.incrementAndGet();
      }
      lookups.incrementAndGet();
      exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(body);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    grpc.shutdownNow();
    http.stop(0);
    executor.shutdownNow();
    grpc.awaitTermination(5, TimeUnit.SECONDS);
    executor.awaitTermination(5, TimeUnit.SECONDS);
  }
}
