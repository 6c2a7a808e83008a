package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Test CA and certificates made with Debian's openssl, SDK spans, and OTLP requests for the security ITs. */
final class GuardTestSupport {
  private GuardTestSupport() {}

  /** Files of a throwaway CA and a server certificate for 127.0.0.1/localhost signed by it. */
  record Pki(Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {}

  static Pki makePki(Path dir) throws Exception {
    Path ext = dir.resolve("server.ext");
    Files.writeString(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
        + "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
    run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=spanfold test CA");
    run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server-rsa.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1");
    run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext");
    run(dir, "openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "server-rsa.key", "-out", "server.key");
    Files.writeString(dir.resolve("client.ext"), "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
        + "extendedKeyUsage=clientAuth\n");
    run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client-rsa.key", "-out", "client.csr",
        "-subj", "/CN=spanfold test client");
    run(dir, "openssl", "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "client.pem", "-days", "2", "-extfile", "client.ext");
    run(dir, "openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "client-rsa.key", "-out", "client.key");
    return new Pki(dir.resolve("ca.pem"), dir.resolve("server.pem"), dir.resolve("server.key"),
        dir.resolve("client.pem"), dir.resolve("client.key"));
  }

  private static void run(Path dir, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", String.join(" ", cmd), new String(out)).isZero();
  }

  /** An HTTP/1.1 client trusting only {@code caPem}. */
  static HttpClient trusting(Path caPem) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(caPem)) {
      ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ctx)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** Three finished SDK spans of one trace. */
  static List<SpanData> sdkSpans() {
    List<SpanData> out = new ArrayList<>();
    SpanExporter collect = new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        out.addAll(spans);
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(io.opentelemetry.sdk.resources.Resource.create(
            Attributes.of(AttributeKey.stringKey("service.name"), "guard-it")))
        .addSpanProcessor(SimpleSpanProcessor.create(collect)).build();
    Tracer tracer = provider.get("guard-it");
    Span root = tracer.spanBuilder("GET /secure").setSpanKind(SpanKind.SERVER).startSpan();
    try (var scope = root.makeCurrent()) {
      tracer.spanBuilder("child-1").startSpan().end();
      tracer.spanBuilder("child-2").startSpan().end();
    } finally {
      root.end();
    }
    provider.shutdown().join(5, TimeUnit.SECONDS);
    assertThat(out).hasSize(3);
    return out;
  }

  /**
   * An OTLP request of {@code spans} spans of one new random trace, each with a {@code padBytes} string attribute;
   * returns the trace id in {@code traceIdOut[0..15]}.
   */
  static byte[] request(int spans, int padBytes, byte[] traceIdOut) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    r.nextBytes(traceIdOut);
    traceIdOut[0] |= 1;
    return requestFor(traceIdOut, spans, padBytes);
  }

  /** An OTLP request of {@code spans} spans of trace {@code traceIdBytes}. */
  static byte[] requestFor(byte[] traceIdBytes, int spans, int padBytes) {
    com.google.protobuf.ByteString traceId = com.google.protobuf.ByteString.copyFrom(traceIdBytes);
    String pad = "x".repeat(padBytes);
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    long now = System.currentTimeMillis() * 1_000_000L;
    for (int i = 0; i < spans; i++) {
      ss.addSpans(io.opentelemetry.proto.trace.v1.Span.newBuilder()
          .setTraceId(traceId)
          .setSpanId(com.google.protobuf.ByteString.copyFrom(ByteBuffer.allocate(8).putLong(i + 1L).array()))
          .setName("op-" + i)
          .setStartTimeUnixNano(now)
          .setEndTimeUnixNano(now + 1_000_000)
          .addAttributes(KeyValue.newBuilder().setKey("pad").setValue(AnyValue.newBuilder().setStringValue(pad))));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue("load"))))
            .addScopeSpans(ss))
        .build().toByteArray();
  }

  /** Spans in a Tempo v1/v2 JSON trace answer. */
  static int countSpans(String json) {
    int n = 0;
    for (int i = json.indexOf("\"spanId\""); i >= 0; i = json.indexOf("\"spanId\"", i + 1)) {
      n++;
    }
    return n;
  }

  static byte[] randomTraceId() {
    byte[] id = new byte[16];
    ThreadLocalRandom.current().nextBytes(id);
    id[0] |= 1;
    return id;
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
    }
    return sb.toString();
  }
}
