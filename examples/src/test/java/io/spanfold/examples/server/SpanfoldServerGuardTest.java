package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanfold.otlp.http.HttpResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Query protection of the in-process server, and the security flags. */
@Timeout(120)
class SpanfoldServerGuardTest {
  @TempDir Path dir;

  @Test
  void heavyQueriesAreCappedAndTimedOutAndNeverSlowIngestDown() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    ServerConfig config = ServerConfig.builder().bind("127.0.0.1").otlpGrpcPort(0).otlpHttpPort(0).httpPort(0)
        .dataDir(dir.resolve("data")).build();
    GuardConfig guard = GuardConfig.parse("--query.max-concurrent=2", "--query.timeout-seconds=1");
    AtomicInteger sawDeadline = new AtomicInteger();
    AtomicInteger ingested = new AtomicInteger();
    SpanfoldServer server = SpanfoldServer.builder(config).guard(guard)
        .consumer(b -> ingested.addAndGet(b.size()))
        // A query that holds its thread for 3 s (a huge trace, a scan), then notices its budget is spent.
        .route("/api/heavy", Set.of("GET"), r -> {
          Thread.sleep(3000);
          if (r.pastDeadline()) {
            sawDeadline.incrementAndGet();
          }
          return HttpResponse.text(200, "done");
        })
        .start();
    try {
      String heavy = "http://127.0.0.1:" + server.httpAddress().getPort() + "/api/heavy";
      List<CompletableFuture<java.net.http.HttpResponse<String>>> queries = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        queries.add(client.sendAsync(HttpRequest.newBuilder(URI.create(heavy)).timeout(Duration.ofSeconds(30))
            .build(), BodyHandlers.ofString()));
      }
      // While the heavy queries run, ingest answers as fast as ever.
      String otlp = "http://127.0.0.1:" + server.otlpHttpAddress().getPort() + "/v1/traces";
      long worst = 0;
      for (int i = 0; i < 30; i++) {
        byte[] body = GuardTestSupport.request(10, 100, new byte[16]);
        long t0 = System.nanoTime();
        var r = client.send(HttpRequest.newBuilder(URI.create(otlp)).header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofString());
        worst = Math.max(worst, System.nanoTime() - t0);
        assertThat(r.statusCode()).isEqualTo(200);
        Thread.sleep(20);
      }
      assertThat(TimeUnit.NANOSECONDS.toMillis(worst)).as("worst ingest latency (ms) during heavy queries")
          .isLessThan(500);
      var ready = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + server.httpAddress().getPort() + "/ready")).timeout(Duration.ofSeconds(2)).build(),
          BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(200);

      int timedOut = 0;
      int tooMany = 0;
      for (var f : queries) {
        var r = f.get(30, TimeUnit.SECONDS);
        if (r.statusCode() == 504) {
          timedOut++;
          assertThat(r.body()).isEqualTo("query timed out after 1s\n");
        } else {
          assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
          assertThat(r.body()).isEqualTo("too many outstanding requests\n");
          tooMany++;
        }
      }
      assertThat(timedOut).isEqualTo(2);
      assertThat(tooMany).isEqualTo(6);
      assertThat(ingested.get()).isEqualTo(300);
      // The two overrunning handlers were not interrupted: they finish and find their deadline passed.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (sawDeadline.get() < 2 && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertThat(sawDeadline.get()).isEqualTo(2);
    } finally {
      server.close();
    }
  }

  @Test
  void flagsParseValidateAndNeverEchoSecrets() throws Exception {
    GuardConfig g = GuardConfig.parse("--bind=127.0.0.1", "--auth.ingest.bearer-token=tok-SECRET",
        "--auth.query.basic-auth=u:pw-SECRET", "--multitenancy.enabled=true", "--ingestion.memory-budget-bytes=1000",
        "--ingestion.rate-limit-bytes=15000000", "--ingestion.max-bytes-per-trace=5000000",
        "--ingestion.max-traces-per-user=10000", "--query.max-concurrent=4", "--remote-write.interval=15s");
    assertThat(g.multitenancy()).isTrue();
    assertThat(g.toString()).doesNotContain("SECRET").contains("memoryBudgetBytes=1000");
    assertThat(g.traceLimiter()).isNotNull();
    assertThat(g.queryWorkerThreads()).isEqualTo(6);
    assertThat(GuardConfig.defaults().traceLimiter()).isNull();
    assertThat(GuardConfig.defaults().memoryBudget()).isNull();
    assertThat(ServerConfig.parse("--auth.ingest.bearer-token=x", "--multitenancy.enabled=true")).isNotNull();
    assertThatThrownBy(() -> GuardConfig.parse("--auth.ingest.bearer-tokn=x"))
        .hasMessageContaining("unknown flag: --auth.ingest.bearer-tokn");
    assertThatThrownBy(() -> GuardConfig.parse("--auth.query.basic-auth=nocolonSECRET"))
        .hasMessageNotContaining("SECRET");
    assertThatThrownBy(() -> GuardConfig.parse("--tls.cert-file=/x.pem"))
        .hasMessageContaining("--tls.cert-file and --tls.key-file go together");
    assertThatThrownBy(() -> GuardConfig.parse("--multitenancy.enabled=yes")).hasMessageContaining("true or false");
    GuardConfig tempo = GuardConfig.parse("--ingestion.limits=tempo", "--ingestion.max-attribute-bytes=100");
    assertThat(tempo.toString()).contains("rateLimitBytes=15000000").contains("burstSizeBytes=20000000")
        .contains("maxBytesPerTrace=5000000").contains("maxTracesPerUser=10000").contains("maxAttributeBytes=100");
    assertThatThrownBy(() -> GuardConfig.parse("--ingestion.limits=strict")).hasMessageContaining("tempo or off");
    assertThat(ServerConfig.usage()).contains("--auth.ingest.bearer-token=").contains("--query.max-trace-bytes=");
  }
}
