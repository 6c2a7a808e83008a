package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.spanfold.otlp.grpc.OtlpGrpcReceiver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server jar as a separate process: real OTel SDK exporters, OTLP/JSON and protobuf over HTTP, every bad input,
 * the query-port status endpoints, and {@code /metrics} counting exactly what was received.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ITSpanfoldServer {
  private static final int HTTP_BODY_CAP = 256 * 1024;

  @TempDir static Path dataDir;
  private ServerProcess server;
  private ManagedChannel channel;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void start() throws Exception {
    server = ServerProcess.start(dataDir, "--otlp.grpc.max-recv-msg-size-mib=1",
        "--otlp.http.max-body-bytes=" + HTTP_BODY_CAP);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort).usePlaintext().build();
  }

  @AfterAll
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      int exit = server.stop();
      assertThat(exit).as("exit code after SIGTERM; output:\n%s", server.output()).isEqualTo(143);
      assertThat(server.output()).contains("spanfold stopping").contains("spanfold stopped")
          .doesNotContain("Exception");
    }
  }

  // ------------------------------------------------------------------ helpers

  private HttpResponse<byte[]> send(HttpRequest.Builder b) throws Exception {
    return client.send(b.timeout(Duration.ofSeconds(20)).build(), BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> postTraces(String contentType, byte[] body, String contentEncoding) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.otlpHttpUrl("/v1/traces")))
        .POST(BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (contentEncoding != null) {
      b.header("Content-Encoding", contentEncoding);
    }
    return send(b);
  }

  private static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  private static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
      gz.write(b);
    }
    return bos.toByteArray();
  }

  private static byte[] traceJson() throws IOException {
    try (InputStream in = ITSpanfoldServer.class.getResourceAsStream("/otel-proto/trace.json")) {
      return in.readAllBytes();
    }
  }

  /** Protobuf request with {@code n} valid spans (and, if {@code badTraceIds}, that many with 8-byte trace ids). */
  private static byte[] protoRequest(int n, int badTraceIds) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < n + badTraceIds; i++) {
      byte[] traceId = new byte[i < n ? 16 : 8];
      traceId[0] = 1;
      traceId[traceId.length - 1] = (byte) (i + 1);
      byte[] spanId = {0, 0, 0, 0, 0, 0, (byte) (i >> 8), (byte) (i + 1)};
      scope.addSpans(io.opentelemetry.proto.trace.v1.Span.newBuilder().setTraceId(ByteString.copyFrom(traceId))
          .setSpanId(ByteString.copyFrom(spanId)).setName("s" + i)
          .setStartTimeUnixNano(1_700_000_000_000_000_000L).setEndTimeUnixNano(1_700_000_000_000_001_000L));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope)).build().toByteArray();
  }

  private double metric(String name, String labels) throws Exception {
    String body = text(send(HttpRequest.newBuilder(URI.create(server.httpUrl("/metrics")))));
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + ",}") + " (\\S+)$").matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : 0.0;
  }

  private double spansReceived() throws Exception {
    return metric("tempo_distributor_spans_received_total", "tenant=\"single-tenant\"");
  }

  /** Spans recorded by a real SDK tracer: a server span with two children. */
  private static List<SpanData> sdkSpans() {
    List<SpanData> out = new ArrayList<>();
    SpanExporter collect = new SpanExporter() {
      @Override
      public io.opentelemetry.sdk.common.CompletableResultCode export(Collection<SpanData> spans) {
        out.addAll(spans);
        return io.opentelemetry.sdk.common.CompletableResultCode.ofSuccess();
      }

      @Override
      public io.opentelemetry.sdk.common.CompletableResultCode flush() {
        return io.opentelemetry.sdk.common.CompletableResultCode.ofSuccess();
      }

      @Override
      public io.opentelemetry.sdk.common.CompletableResultCode shutdown() {
        return io.opentelemetry.sdk.common.CompletableResultCode.ofSuccess();
      }
    };
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "it-service")))
        .addSpanProcessor(SimpleSpanProcessor.create(collect)).build();
    Tracer tracer = provider.get("it");
    Span root = tracer.spanBuilder("GET /it").setSpanKind(SpanKind.SERVER).setAttribute("http.status_code", 200L)
        .startSpan();
    Scope scope = root.makeCurrent();
    try {
      tracer.spanBuilder("SELECT").setSpanKind(SpanKind.CLIENT).startSpan().end();
      tracer.spanBuilder("render").startSpan().end();
    } finally {
      scope.close();
      root.end();
    }
    provider.shutdown().join(5, TimeUnit.SECONDS);
    assertThat(out).hasSize(3);
    return out;
  }

  private void exportWithSdk(SpanExporter exporter, int times) {
    try {
      for (int i = 0; i < times; i++) {
        assertThat(exporter.export(sdkSpans()).join(20, TimeUnit.SECONDS).isSuccess()).as("export %d", i).isTrue();
      }
    } finally {
      exporter.shutdown().join(5, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------------ query port

  @Test
  void readyEchoBuildInfoAndUnknownPaths() throws Exception {
    HttpResponse<byte[]> ready = send(HttpRequest.newBuilder(URI.create(server.httpUrl("/ready"))));
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(text(ready)).isEqualTo("ready\n");

    HttpResponse<byte[]> echo = send(HttpRequest.newBuilder(URI.create(server.httpUrl("/api/echo")))
        .POST(BodyPublishers.ofString("x")));
    assertThat(echo.statusCode()).isEqualTo(200);
    assertThat(text(echo)).isEqualTo("echo\n");
    assertThat(echo.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");

    HttpResponse<byte[]> build = send(HttpRequest.newBuilder(URI.create(server.httpUrl("/api/status/buildinfo"))));
    assertThat(build.statusCode()).isEqualTo(200);
    assertThat(text(build)).isEqualTo("{\"version\":\"2.10.8\",\"revision\":\"f0f3ed591\",\"branch\":\"HEAD\","
        + "\"buildUser\":\"\",\"buildDate\":\"\",\"goVersion\":\"go1.26.5\"}");

    HttpResponse<byte[]> unknown = send(HttpRequest.newBuilder(URI.create(server.httpUrl("/api/nope"))));
    assertThat(unknown.statusCode()).isEqualTo(404);
    HttpResponse<byte[]> unknownOtlp = send(HttpRequest.newBuilder(URI.create(server.otlpHttpUrl("/v1/logs")))
        .POST(BodyPublishers.ofByteArray(new byte[0])));
    assertThat(unknownOtlp.statusCode()).isEqualTo(404);
  }

  @Test
  void metricsInTextFormatAndOpenMetrics() throws Exception {
    HttpResponse<byte[]> text = send(HttpRequest.newBuilder(URI.create(server.httpUrl("/metrics"))));
    assertThat(text.statusCode()).isEqualTo(200);
    assertThat(text.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(text(text)).contains("# TYPE tempo_distributor_spans_received_total counter");

    HttpResponse<byte[]> om = send(HttpRequest.newBuilder(URI.create(server.httpUrl("/metrics")))
        .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8"));
    assertThat(om.headers().firstValue("content-type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("application/openmetrics-text"));
    assertThat(text(om)).endsWith("# EOF\n");
  }

  // ------------------------------------------------------------------ exports that must succeed and be counted

  @Test
  void sdkExportsOverGrpcAndHttpAreCountedExactly() throws Exception {
    double before = spansReceived();

    exportWithSdk(OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + server.grpcPort).build(), 2);
    exportWithSdk(OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + server.grpcPort)
        .setCompression("gzip").build(), 1);
    exportWithSdk(OtlpHttpSpanExporter.builder().setEndpoint(server.otlpHttpUrl("/v1/traces")).build(), 2);
    exportWithSdk(OtlpHttpSpanExporter.builder().setEndpoint(server.otlpHttpUrl("/v1/traces"))
        .setCompression("gzip").build(), 1);

    assertThat(spansReceived() - before).isEqualTo(6 * 3);
  }

  @Test
  void otlpJsonAndProtobufOverHttpPlainAndGzip() throws Exception {
    double before = spansReceived();
    byte[] json = traceJson();

    HttpResponse<byte[]> plain = postTraces("application/json", json, null);
    assertThat(plain.statusCode()).as(text(plain)).isEqualTo(200);
    assertThat(plain.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(text(plain)).isEqualTo("{\"partialSuccess\":{}}");

    HttpResponse<byte[]> gz = postTraces("application/json; charset=utf-8", gzip(json), "gzip");
    assertThat(gz.statusCode()).as(text(gz)).isEqualTo(200);
    assertThat(text(gz)).isEqualTo("{\"partialSuccess\":{}}");

    HttpResponse<byte[]> proto = postTraces("application/x-protobuf", protoRequest(7, 0), null);
    assertThat(proto.statusCode()).isEqualTo(200);
    assertThat(proto.headers().firstValue("content-type")).hasValue("application/x-protobuf");
    assertThat(proto.body()).isEmpty();

    HttpResponse<byte[]> protoGz = postTraces("application/x-protobuf", gzip(protoRequest(5, 0)), "gzip");
    assertThat(protoGz.statusCode()).isEqualTo(200);

    assertThat(spansReceived() - before).isEqualTo(1 + 1 + 7 + 5);
  }

  @Test
  void emptyRequestsSucceed() throws Exception {
    double before = spansReceived();

    HttpResponse<byte[]> proto = postTraces("application/x-protobuf", new byte[0], null);
    assertThat(proto.statusCode()).isEqualTo(200);
    assertThat(proto.body()).isEmpty();
    HttpResponse<byte[]> json = postTraces("application/json", "{}".getBytes(StandardCharsets.UTF_8), null);
    assertThat(json.statusCode()).as(text(json)).isEqualTo(200);
    assertThat(text(json)).isEqualTo("{\"partialSuccess\":{}}");
    assertThat(ClientCalls.blockingUnaryCall(channel, OtlpGrpcReceiver.EXPORT,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[0])).isEmpty();

    assertThat(spansReceived() - before).isZero();
  }

  @Test
  void invalidSpansArePartialSuccessAndCountedAsDiscarded() throws Exception {
    String reason = "reason=\"invalid_trace_id\",tenant=\"single-tenant\"";
    double discardedBefore = metric("tempo_discarded_spans_total", reason);

    HttpResponse<byte[]> r = postTraces("application/x-protobuf", protoRequest(2, 3), null);
    assertThat(r.statusCode()).isEqualTo(200);
    ExportTraceServiceResponse resp = ExportTraceServiceResponse.parseFrom(r.body());
    assertThat(resp.getPartialSuccess().getRejectedSpans()).isEqualTo(3);
    assertThat(resp.getPartialSuccess().getErrorMessage()).contains("invalid_trace_id");

    byte[] grpc = ClientCalls.blockingUnaryCall(channel, OtlpGrpcReceiver.EXPORT,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), protoRequest(1, 1));
    assertThat(ExportTraceServiceResponse.parseFrom(grpc).getPartialSuccess().getRejectedSpans()).isEqualTo(1);

    assertThat(metric("tempo_discarded_spans_total", reason) - discardedBefore).isEqualTo(4);
  }

  // ------------------------------------------------------------------ bad input

  @Test
  void badHttpInputGetsTheCollectorsAnswers() throws Exception {
    double before = spansReceived();

    HttpResponse<byte[]> get = send(HttpRequest.newBuilder(URI.create(server.otlpHttpUrl("/v1/traces"))));
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(text(get)).isEqualTo("405 method not allowed, supported: [POST]");

    HttpResponse<byte[]> mediaType = postTraces("text/plain", protoRequest(1, 0), null);
    assertThat(mediaType.statusCode()).isEqualTo(415);
    assertThat(text(mediaType))
        .isEqualTo("415 unsupported media type, supported: [application/json, application/x-protobuf]");
    HttpResponse<byte[]> noType = postTraces(null, protoRequest(1, 0), null);
    assertThat(noType.statusCode()).isEqualTo(415);

    HttpResponse<byte[]> badProto = postTraces("application/x-protobuf", new byte[] {0x0a, 100, 1, 2}, null);
    assertThat(badProto.statusCode()).isEqualTo(400);
    assertThat(badProto.headers().firstValue("content-type")).hasValue("application/x-protobuf");
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(badProto.body());
    assertThat(status.getCode()).isEqualTo(3);
    assertThat(status.getMessage()).isNotBlank();

    HttpResponse<byte[]> badJson =
        postTraces("application/json", "{\"resourceSpans\":[{".getBytes(StandardCharsets.UTF_8), null);
    assertThat(badJson.statusCode()).isEqualTo(400);
    assertThat(badJson.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(text(badJson)).matches("\\{\"code\":3,\"message\":\".+\"\\}");

    HttpResponse<byte[]> encoding = postTraces("application/x-protobuf", protoRequest(1, 0), "br");
    assertThat(encoding.statusCode()).isEqualTo(400);
    assertThat(text(encoding)).isEqualTo("unsupported content encoding: br");

    byte[] corruptGzip = gzip(protoRequest(3, 0));
    corruptGzip[corruptGzip.length / 2] ^= 0x5a;
    corruptGzip[corruptGzip.length / 2 + 1] ^= 0x5a;
    HttpResponse<byte[]> corrupt = postTraces("application/x-protobuf", corruptGzip, "gzip");
    assertThat(corrupt.statusCode()).isEqualTo(400);
    assertThat(text(corrupt)).startsWith("cannot decode request body: ");

    byte[] big = protoRequest(HTTP_BODY_CAP / 40, 0);
    assertThat(big.length).isGreaterThan(HTTP_BODY_CAP);
    HttpResponse<byte[]> tooBig = postTraces("application/x-protobuf", big, null);
    assertThat(tooBig.statusCode()).isEqualTo(413);
    HttpResponse<byte[]> tooBigGz = postTraces("application/x-protobuf", gzip(big), "gzip");
    assertThat(gzip(big).length).isLessThan(HTTP_BODY_CAP);
    assertThat(tooBigGz.statusCode()).isEqualTo(413);

    assertThat(spansReceived() - before).isZero();
  }

  @Test
  void badGrpcInputGetsGrpcStatusCodes() throws Exception {
    double before = spansReceived();

    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, OtlpGrpcReceiver.EXPORT,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[] {0x0a, 100, 1, 2}))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).isNotBlank();
        });

    byte[] overOneMib = protoRequest(40_000, 0);
    assertThat(overOneMib.length).isGreaterThan(1024 * 1024);
    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, OtlpGrpcReceiver.EXPORT,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), overOneMib))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));

    assertThat(spansReceived() - before).isZero();
  }
}
