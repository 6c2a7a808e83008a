package io.spanfold.otlp.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Status;
import io.spanfold.core.ingest.IngestLimiter;
import io.spanfold.core.ingest.IngestRateLimiter;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.otlp.TestRequests;
import io.spanfold.otlp.guard.Authenticator;
import io.spanfold.otlp.guard.IngestGuard;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The OTLP/HTTP receiver behind the Netty server with credentials, tenants, a memory budget and a rate limit. */
@Timeout(60)
class GuardedHttpReceiverTest {
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<String> tenants = new ArrayList<>();
  private volatile CountDownLatch hold;
  private final CountDownLatch entered = new CountDownLatch(1);
  private NettyHttpServer server;

  private void start(IngestGuard guard, IngestLimiter budget) throws Exception {
    SpanIngest ingest = SpanIngest.builder().consumer(b -> {
      synchronized (tenants) {
        tenants.add(b.tenant());
      }
      CountDownLatch h = hold;
      if (h != null) {
        entered.countDown();
        try {
          h.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }).build();
    OtlpHttpReceiver receiver = new OtlpHttpReceiver(ingest, guard);
    NettyHttpServer.Builder b = NettyHttpServer.builder().name("otlp-http-test").host("127.0.0.1").port(0)
        .routes(receiver.routes()).gate(receiver.gate());
    if (budget != null) {
      b.memoryBudget(budget, receiver.overloadResponse());
    }
    server = b.start();
  }

  @AfterEach
  void stop() {
    if (hold != null) {
      hold.countDown();
    }
    if (server != null) {
      server.close();
    }
  }

  private java.net.http.HttpResponse<byte[]> post(byte[] body, String... headers) throws Exception {
    java.net.http.HttpRequest.Builder r = java.net.http.HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/v1/traces"))
        .header("Content-Type", "application/x-protobuf")
        .timeout(Duration.ofSeconds(20))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    return client.send(r.build(), BodyHandlers.ofByteArray());
  }

  @Test
  void credentialsAndTenantAreCheckedAndTheTenantReachesTheBatch() throws Exception {
    start(IngestGuard.builder().authenticator(Authenticator.bearerToken("tok")).multitenancy(true).build(), null);
    byte[] body = TestRequests.valid(3);

    var missing = post(body);
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"spanfold\"");
    assertThat(Status.parseFrom(missing.body()).getCode()).isEqualTo(16);

    var wrong = post(body, "Authorization", "Bearer nope");
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(Status.parseFrom(wrong.body()).getCode()).isEqualTo(7);

    var noOrg = post(body, "Authorization", "Bearer tok");
    assertThat(noOrg.statusCode()).isEqualTo(401);
    assertThat(Status.parseFrom(noOrg.body()).getMessage()).isEqualTo("no org id");

    var ok = post(body, "Authorization", "Bearer tok", "X-Scope-OrgID", "team-a");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(tenants).containsExactly("team-a");
  }

  @Test
  void memoryBudgetAnswers429WithRetryAfterAndFreesItselfAfterward() throws Exception {
    byte[] body = TestRequests.valid(50);
    IngestLimiter budget = IngestLimiter.ofBytes(body.length + body.length / 2);
    start(IngestGuard.builder().memoryBudget(budget).retryAfterSeconds(7).build(), budget);

    hold = new CountDownLatch(1);
    CompletableFuture<java.net.http.HttpResponse<byte[]>> first = CompletableFuture.supplyAsync(() -> {
      try {
        return post(body);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(budget.inUse()).isEqualTo(body.length);

    var refused = post(body);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("7");
    Status s = Status.parseFrom(refused.body());
    assertThat(s.getCode()).isEqualTo(8);
    assertThat(s.getMessage()).contains("memory budget");

    // A chunked body (no Content-Length) is counted as it arrives.
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.write("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n");
      raw.write(Integer.toHexString(body.length) + "\r\n");
      raw.write(body);
      raw.write("\r\n0\r\n\r\n");
      RawHttp.Response r = raw.read();
      assertThat(r.status()).isEqualTo(429);
    }

    hold.countDown();
    hold = null;
    assertThat(first.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(post(body).statusCode()).isEqualTo(200);
    awaitZero(budget);
  }

  @Test
  void requestLargerThanTheWholeBudgetIsRefusedBeforeItsBodyIsRead() throws Exception {
    byte[] body = TestRequests.valid(50);
    IngestLimiter budget = IngestLimiter.ofBytes(body.length - 1);
    start(IngestGuard.builder().memoryBudget(budget).build(), budget);
    try (RawHttp raw = new RawHttp(server.port())) {
      // Only the head: the refusal must come without the body having been sent.
      raw.write("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length + "\r\n\r\n");
      RawHttp.Response r = raw.read();
      assertThat(r.status()).isEqualTo(429);
      assertThat(r.text()).contains("\"code\":8");
    }
    assertThat(budget.inUse()).isZero();
  }

  @Test
  void compressedBodiesAreCountedAfterDecompression() throws Exception {
    IngestLimiter budget = IngestLimiter.ofBytes(100_000);
    start(IngestGuard.builder().memoryBudget(budget).build(), budget);
    // 2 MB of JSON whitespace gzips to a few KB: the budget must see the 2 MB.
    byte[] json = ("{\"resourceSpans\":[]}" + " ".repeat(2_000_000)).getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(bos)) {
      gz.write(json);
    }
    byte[] gzipped = bos.toByteArray();
    assertThat(gzipped.length).isLessThan(100_000);
    var r = client.send(java.net.http.HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/v1/traces"))
        .header("Content-Type", "application/json").header("Content-Encoding", "gzip")
        .timeout(Duration.ofSeconds(20))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(gzipped)).build(), BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.body()).contains("\"code\":8");
    awaitZero(budget);
    // The same body uncompressed and small enough passes.
    var ok = client.send(java.net.http.HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/v1/traces"))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"resourceSpans\":[]}")).build(),
        BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(200);
  }

  @Test
  void rateLimitAnswersTempoMessageAs429() throws Exception {
    byte[] body = TestRequests.valid(20);
    IngestRateLimiter limiter =
        IngestRateLimiter.builder().bytesPerSecond(1).burstBytes(body.length + 10).build();
    start(IngestGuard.builder().rateLimiter(limiter).build(), null);
    assertThat(post(body).statusCode()).isEqualTo(200);
    var limited = post(body);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(Status.parseFrom(limited.body()).getMessage()).startsWith(
        "RATE_LIMITED: ingestion rate limit (local: 1 bytes/s, global: 0 bytes/s, burst: " + (body.length + 10)
            + " bytes) exceeded while adding " + body.length + " bytes for user single-tenant");
    assertThat(tenants).hasSize(1);
  }

  private static void awaitZero(IngestLimiter budget) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (budget.inUse() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(budget.inUse()).isZero();
  }
}
