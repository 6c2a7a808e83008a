package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.spanfold.otlp.grpc.OtlpGrpcReceiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Authentication, TLS and tenant checks of the real server jar on each of its three ports. */
@Timeout(180)
class ITGuard {
  private static final String INGEST_TOKEN = "ingest-secret-4f1c9a";
  private static final String QUERY_PASSWORD = "query-secret-77be20";
  private static final String WRONG_TOKEN = "wrong-guess-0d3e55";

  @TempDir Path dir;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private static HttpResponse<String> send(HttpClient c, HttpRequest.Builder b) throws Exception {
    return c.send(b.timeout(Duration.ofSeconds(20)).build(), BodyHandlers.ofString());
  }

  private static HttpRequest.Builder post(String url, byte[] body) {
    return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-protobuf")
        .POST(BodyPublishers.ofByteArray(body));
  }

  private static byte[] grpcExport(ManagedChannel channel, byte[] body, String... headers) {
    Metadata md = new Metadata();
    for (int i = 0; i < headers.length; i += 2) {
      md.put(Metadata.Key.of(headers[i], Metadata.ASCII_STRING_MARSHALLER), headers[i + 1]);
    }
    return ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(channel,
            MetadataUtils.newAttachHeadersInterceptor(md)), OtlpGrpcReceiver.EXPORT,
        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), body);
  }

  private static Status.Code grpcCode(ManagedChannel channel, byte[] body, String... headers) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> grpcExport(channel, body, headers));
    return e == null ? Status.Code.OK : e.getStatus().getCode();
  }

  @Test
  void credentialsOnEveryPortAndNoSecretInTheLog() throws Exception {
    Path tokenFile = dir.resolve("ingest.token");
    Files.writeString(tokenFile, INGEST_TOKEN + "\n");
    try (ServerProcess server = ServerProcess.start(dir.resolve("data"),
        "--auth.ingest.bearer-token-file=" + tokenFile, "--auth.query.basic-auth=admin:" + QUERY_PASSWORD)) {
      byte[] body = GuardTestSupport.request(3, 10, new byte[16]);

      // OTLP/HTTP
      HttpResponse<String> none = send(client, post(server.otlpHttpUrl("/v1/traces"), body));
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"spanfold\"");
      assertThat(send(client, post(server.otlpHttpUrl("/v1/traces"), body)
          .header("Authorization", "Bearer " + WRONG_TOKEN)).statusCode()).isEqualTo(403);
      assertThat(send(client, post(server.otlpHttpUrl("/v1/traces"), body)
          .header("Authorization", "Bearer " + INGEST_TOKEN)).statusCode()).isEqualTo(200);

      // OTLP/gRPC
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort).usePlaintext().build();
      try {
        assertThat(grpcCode(channel, body)).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(grpcCode(channel, body, "authorization", "Bearer " + WRONG_TOKEN))
            .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(grpcCode(channel, body, "authorization", "Bearer " + INGEST_TOKEN)).isEqualTo(Status.Code.OK);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }

      // the real SDK exporters with the token as a header
      export(OtlpHttpSpanExporter.builder().setEndpoint(server.otlpHttpUrl("/v1/traces"))
          .addHeader("Authorization", "Bearer " + INGEST_TOKEN).build());
      export(OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + server.grpcPort)
          .addHeader("Authorization", "Bearer " + INGEST_TOKEN).build());

      // query port: /ready and /metrics open, the rest needs basic auth
      String metricsUrl = server.httpUrl("/metrics");
      assertThat(send(client, HttpRequest.newBuilder(URI.create(server.httpUrl("/ready")))).statusCode())
          .isEqualTo(200);
      HttpResponse<String> metrics = send(client, HttpRequest.newBuilder(URI.create(metricsUrl)));
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body())
          .contains("spanfold_ingest_requests_rejected_total{reason=\"unauthenticated\",tenant=\"single-tenant\",} 4.0")
          .contains("tempo_distributor_spans_received_total{tenant=\"single-tenant\",} 12.0");
      String query = server.httpUrl("/api/echo");
      HttpResponse<String> q401 = send(client, HttpRequest.newBuilder(URI.create(query)));
      assertThat(q401.statusCode()).isEqualTo(401);
      assertThat(q401.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"spanfold\"");
      assertThat(send(client, HttpRequest.newBuilder(URI.create(query))
          .header("Authorization", basic("admin", WRONG_TOKEN))).statusCode()).isEqualTo(403);
      assertThat(send(client, HttpRequest.newBuilder(URI.create(query))
          .header("Authorization", basic("admin", QUERY_PASSWORD))).statusCode()).isEqualTo(200);

      server.stop();
      String log = server.output();
      assertThat(log).contains("spanfold guard: GuardConfig{").contains("credential=<redacted>");
      assertThat(log).doesNotContain(INGEST_TOKEN).doesNotContain(QUERY_PASSWORD).doesNotContain(WRONG_TOKEN);
    }
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static void export(SpanExporter exporter) {
    try {
      assertThat(exporter.export(GuardTestSupport.sdkSpans()).join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
    } finally {
      exporter.shutdown().join(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void tlsOnAllThreePortsWithTheSdkExporters() throws Exception {
    Path pkiDir = Files.createDirectories(dir.resolve("pki"));
    GuardTestSupport.Pki pki = GuardTestSupport.makePki(pkiDir);
    HttpClient tls = GuardTestSupport.trusting(pki.caCert());
    byte[] ca = Files.readAllBytes(pki.caCert());
    try (ServerProcess server = ServerProcess.start(dir.resolve("data"), tls,
        "--tls.cert-file=" + pki.serverCert(), "--tls.key-file=" + pki.serverKey())) {
      export(OtlpHttpSpanExporter.builder().setEndpoint(server.otlpHttpUrl("/v1/traces"))
          .setTrustedCertificates(ca).build());
      export(OtlpGrpcSpanExporter.builder().setEndpoint("https://127.0.0.1:" + server.grpcPort)
          .setTrustedCertificates(ca).build());
      assertThat(server.otlpHttpUrl("/v1/traces")).startsWith("https://");
      HttpResponse<String> metrics = send(tls, HttpRequest.newBuilder(URI.create(server.httpUrl("/metrics"))));
      assertThat(metrics.body()).contains("tempo_distributor_spans_received_total{tenant=\"single-tenant\",} 6.0");

      // plaintext to a TLS port gets nowhere
      HttpResponse<String> plain = null;
      try {
        plain = send(client, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort + "/ready")));
      } catch (java.io.IOException expected) {
        // the TLS handler drops the connection
      }
      assertThat(plain == null || plain.statusCode() != 200).isTrue();
      // a client that does not trust the CA is refused
      assertThat(catchThrowableOfType(javax.net.ssl.SSLException.class, () -> send(
          HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
          HttpRequest.newBuilder(URI.create(server.httpUrl("/ready")))))).isNotNull();
    }
  }

  @Test
  void ingestLimitsAreAppliedReportedAndCounted() throws Exception {
    try (ServerProcess server = ServerProcess.start(dir.resolve("data"), "--ingestion.max-attribute-bytes=16",
        "--ingestion.max-bytes-per-trace=300", "--ingestion.rate-limit-bytes=1000",
        "--ingestion.burst-size-bytes=3000")) {
      String url = server.otlpHttpUrl("/v1/traces");
      // 3 spans with a 100-byte attribute each: cut to 16 bytes, then the trace (3 x ~70 bytes) fits in 300 bytes.
      byte[] traceId = new byte[16];
      HttpResponse<byte[]> first = client.send(post(url, GuardTestSupport.request(3, 100, traceId))
          .timeout(Duration.ofSeconds(20)).build(), BodyHandlers.ofByteArray());
      assertThat(first.statusCode()).isEqualTo(200);
      var partial = io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse.parseFrom(first.body())
          .getPartialSuccess();
      assertThat(partial.getRejectedSpans()).isZero();
      assertThat(partial.getErrorMessage()).isEqualTo("3 attribute values truncated to 16 bytes");
      String trace = send(client, HttpRequest.newBuilder(URI.create(
          server.httpUrl("/api/v2/traces/" + GuardTestSupport.hex(traceId))))).body();
      assertThat(GuardTestSupport.countSpans(trace)).isEqualTo(3);
      assertThat(trace).contains("\"stringValue\":\"xxxxxxxxxxxxxxxx\"").doesNotContain("xxxxxxxxxxxxxxxxx");

      // More spans of the same trace go over 300 bytes: refused, reported, counted.
      HttpResponse<byte[]> more = client.send(post(url, GuardTestSupport.requestFor(traceId, 3, 10))
          .timeout(Duration.ofSeconds(20)).build(), BodyHandlers.ofByteArray());
      assertThat(more.statusCode()).isEqualTo(200);
      var tooLarge = io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse.parseFrom(more.body())
          .getPartialSuccess();
      assertThat(tooLarge.getRejectedSpans()).isPositive();
      assertThat(tooLarge.getErrorMessage()).contains("trace_too_large");

      // The burst is spent: the rate limit answers 429 with Tempo's message.
      HttpResponse<String> limited = null;
      for (int i = 0; i < 10 && limited == null; i++) {
        HttpResponse<String> r = send(client, HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json").POST(BodyPublishers.ofString(json3Spans())));
        if (r.statusCode() == 429) {
          limited = r;
        } else {
          assertThat(r.statusCode()).isEqualTo(200);
        }
      }
      assertThat(limited).isNotNull();
      assertThat(limited.body()).contains("RATE_LIMITED: ingestion rate limit (local: 1000 bytes/s, global: 0 bytes/s,"
          + " burst: 3000 bytes) exceeded while adding");
      assertThat(limited.headers().firstValue("Retry-After")).isPresent();

      String metrics = send(client, HttpRequest.newBuilder(URI.create(server.httpUrl("/metrics")))).body();
      assertThat(metrics)
          .contains("tempo_distributor_attributes_truncated_total{tenant=\"single-tenant\",scope=\"span\",} 3.0")
          .contains("tempo_discarded_spans_total{reason=\"trace_too_large\",tenant=\"single-tenant\",}")
          .contains("tempo_discarded_spans_total{reason=\"rate_limited\",tenant=\"single-tenant\",} 3.0");
    }
  }

  /** Three valid spans as OTLP/JSON (about 700 bytes). */
  private static String json3Spans() {
    StringBuilder spans = new StringBuilder();
    String traceId = GuardTestSupport.hex(GuardTestSupport.randomTraceId());
    for (int i = 1; i <= 3; i++) {
      spans.append(i > 1 ? "," : "").append("{\"traceId\":\"").append(traceId).append("\",\"spanId\":\"000000000000000")
          .append(i).append("\",\"name\":\"json-span-with-a-longer-name-").append(i)
          .append("\",\"startTimeUnixNano\":\"1700000000000000000\",\"endTimeUnixNano\":\"1700000000250000000\"}");
    }
    return "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + spans + "]}]}]}";
  }

  @Test
  void queryMaxTraceBytesGivesV1422AndV2Partial() throws Exception {
    try (ServerProcess server = ServerProcess.start(dir.resolve("data"), "--query.max-trace-bytes=300")) {
      byte[] traceId = new byte[16];
      assertThat(send(client, post(server.otlpHttpUrl("/v1/traces"), GuardTestSupport.request(5, 100, traceId)))
          .statusCode()).isEqualTo(200);
      String id = GuardTestSupport.hex(traceId);
      HttpResponse<String> v1 = send(client, HttpRequest.newBuilder(URI.create(server.httpUrl("/api/traces/" + id))));
      assertThat(v1.statusCode()).isEqualTo(422);
      HttpResponse<String> v2 = send(client, HttpRequest.newBuilder(
          URI.create(server.httpUrl("/api/v2/traces/" + id))));
      assertThat(v2.statusCode()).isEqualTo(200);
      assertThat(v2.body()).contains("PARTIAL");
      assertThat(GuardTestSupport.countSpans(v2.body())).isBetween(1, 4);
    }
  }

  @Test
  void aTenantNeverReadsAnotherTenantsTrace() throws Exception {
    try (ServerProcess server = ServerProcess.start(dir.resolve("data"), "--multitenancy.enabled=true")) {
      byte[] traceId = new byte[16];
      byte[] forA = GuardTestSupport.request(3, 10, traceId);
      byte[] forB = GuardTestSupport.requestFor(traceId, 2, 10);
      assertThat(send(client, post(server.otlpHttpUrl("/v1/traces"), forA).header("X-Scope-OrgID", "team-a"))
          .statusCode()).isEqualTo(200);
      assertThat(send(client, post(server.otlpHttpUrl("/v1/traces"), forB).header("X-Scope-OrgID", "team-b"))
          .statusCode()).isEqualTo(200);
      String id = GuardTestSupport.hex(traceId);
      HttpResponse<String> a = send(client, HttpRequest.newBuilder(URI.create(server.httpUrl("/api/v2/traces/" + id)))
          .header("X-Scope-OrgID", "team-a"));
      HttpResponse<String> b = send(client, HttpRequest.newBuilder(URI.create(server.httpUrl("/api/v2/traces/" + id)))
          .header("X-Scope-OrgID", "team-b"));
      HttpResponse<String> c = send(client, HttpRequest.newBuilder(URI.create(server.httpUrl("/api/v2/traces/" + id)))
          .header("X-Scope-OrgID", "team-c"));
      HttpResponse<String> cV1 = send(client, HttpRequest.newBuilder(URI.create(server.httpUrl("/api/traces/" + id)))
          .header("X-Scope-OrgID", "team-c"));
      HttpResponse<String> none = send(client, HttpRequest.newBuilder(
          URI.create(server.httpUrl("/api/v2/traces/" + id))));
      assertThat(a.statusCode()).isEqualTo(200);
      assertThat(GuardTestSupport.countSpans(a.body())).isEqualTo(3);
      assertThat(GuardTestSupport.countSpans(b.body())).isEqualTo(2);
      assertThat(c.statusCode()).isEqualTo(200);
      assertThat(GuardTestSupport.countSpans(c.body())).isZero();
      assertThat(cV1.statusCode()).isEqualTo(404);
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.body()).contains("no org id");
    }
  }

  @Test
  void mutualTlsRequiresAClientCertificateSignedByTheCa() throws Exception {
    Path pkiDir = Files.createDirectories(dir.resolve("pki"));
    GuardTestSupport.Pki pki = GuardTestSupport.makePki(pkiDir);
    byte[] ca = Files.readAllBytes(pki.caCert());
    byte[] clientKey = Files.readAllBytes(pki.clientKey());
    byte[] clientCert = Files.readAllBytes(pki.clientCert());
    // /ready is checked with a client that presents the client certificate.
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    Path p12 = pkiDir.resolve("client.p12");
    Process p = new ProcessBuilder("openssl", "pkcs12", "-export", "-in", pki.clientCert().toString(), "-inkey",
        pki.clientKey().toString(), "-out", p12.toString(), "-passout", "pass:pw").redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).isZero();
    try (var in = Files.newInputStream(p12)) {
      ks.load(in, "pw".toCharArray());
    }
    javax.net.ssl.KeyManagerFactory kmf =
        javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "pw".toCharArray());
    java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
    trust.load(null, null);
    try (var in = Files.newInputStream(pki.caCert())) {
      trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(in));
    }
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    HttpClient withCert = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ctx).build();

    try (ServerProcess server = ServerProcess.start(dir.resolve("data"), withCert,
        "--tls.cert-file=" + pki.serverCert(), "--tls.key-file=" + pki.serverKey(),
        "--tls.client-ca-file=" + pki.caCert())) {
      export(OtlpHttpSpanExporter.builder().setEndpoint(server.otlpHttpUrl("/v1/traces"))
          .setTrustedCertificates(ca).setClientTls(clientKey, clientCert).build());
      export(OtlpGrpcSpanExporter.builder().setEndpoint("https://127.0.0.1:" + server.grpcPort)
          .setTrustedCertificates(ca).setClientTls(clientKey, clientCert).build());
      SpanExporter noCert = OtlpHttpSpanExporter.builder().setEndpoint(server.otlpHttpUrl("/v1/traces"))
          .setTrustedCertificates(ca).setTimeout(Duration.ofSeconds(5)).build();
      try {
        assertThat(noCert.export(GuardTestSupport.sdkSpans()).join(20, TimeUnit.SECONDS).isSuccess()).isFalse();
      } finally {
        noCert.shutdown().join(5, TimeUnit.SECONDS);
      }
      String metrics = send(withCert, HttpRequest.newBuilder(URI.create(server.httpUrl("/metrics")))).body();
      assertThat(metrics).contains("tempo_distributor_spans_received_total{tenant=\"single-tenant\",} 6.0");
    }
  }

  @Test
  void multitenancyRequiresAnOrgIdAndCountsPerTenant() throws Exception {
    try (ServerProcess server = ServerProcess.start(dir.resolve("data"), "--multitenancy.enabled=true")) {
      byte[] body = GuardTestSupport.request(2, 10, new byte[16]);
      HttpResponse<String> noOrg = send(client, HttpRequest.newBuilder(URI.create(server.otlpHttpUrl("/v1/traces")))
          .header("Content-Type", "application/json").POST(BodyPublishers.ofString("{}")));
      assertThat(noOrg.statusCode()).isEqualTo(401);
      assertThat(noOrg.body()).contains("no org id");
      assertThat(send(client, post(server.otlpHttpUrl("/v1/traces"), body).header("X-Scope-OrgID", "team-a"))
          .statusCode()).isEqualTo(200);
      assertThat(send(client, post(server.otlpHttpUrl("/v1/traces"), body).header("X-Scope-OrgID", "team-b"))
          .statusCode()).isEqualTo(200);
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort).usePlaintext().build();
      try {
        assertThat(grpcCode(channel, body)).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(grpcCode(channel, body, "x-scope-orgid", "team-b")).isEqualTo(Status.Code.OK);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      HttpResponse<String> q = send(client, HttpRequest.newBuilder(URI.create(server.httpUrl("/api/echo"))));
      assertThat(q.statusCode()).isEqualTo(401);
      assertThat(q.body()).contains("no org id");
      String metrics = send(client, HttpRequest.newBuilder(URI.create(server.httpUrl("/metrics")))).body();
      assertThat(metrics).contains("tempo_distributor_spans_received_total{tenant=\"team-a\",} 2.0")
          .contains("tempo_distributor_spans_received_total{tenant=\"team-b\",} 4.0")
          .doesNotContain("tempo_distributor_spans_received_total{tenant=\"single-tenant\"");
    }
  }
}
