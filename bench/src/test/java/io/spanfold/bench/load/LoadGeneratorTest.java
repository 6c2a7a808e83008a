package io.spanfold.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the generator against {@link CountingOtlpServer}: these test the generator's counting, pacing, encodings and
 * trace check, not spanfold's server.
 */
@Timeout(60)
class LoadGeneratorTest {
  private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

  private static LoadOptions options(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "--pool=8";
    all[1] = "--progress=0";
    all[2] = "--timeout=5s";
    System.arraycopy(args, 0, all, 3, args.length);
    return LoadOptions.parse(all);
  }

  @Test
  void closedLoopHttpSendsExactlyTheRequestCountWithUniqueTraceIdsAndFindsThemAgain() throws Exception {
    try (CountingOtlpServer server = new CountingOtlpServer(n -> 200)) {
      LoadResult r = LoadGenerator.run(options("--port=" + server.httpPort(), "--query-port=" + server.httpPort(),
          "--requests=40", "--duration=20s", "--concurrency=4", "--check-traces=10"), log);
      assertThat(server.requests.get()).isEqualTo(40);
      assertThat(server.undecodable.get()).isZero();
      assertThat(server.spans.get()).isEqualTo(4000);
      assertThat(server.sharedTraceIds.get()).isZero();
      assertThat(r.requests()).isEqualTo(40);
      assertThat(r.count(Outcome.OK)).isEqualTo(40);
      assertThat(r.acceptedSpans()).isEqualTo(4000);
      assertThat(r.latencyMicros.getTotalCount()).isEqualTo(40);
      assertThat(r.bytesSent).isGreaterThan(40 * 100 * 100L);
      assertThat(r.acceptedSpansPerSecond()).isPositive();
      assertThat(r.check.checked()).isEqualTo(10);
      assertThat(r.check.found).isEqualTo(10);
      assertThat(r.check.latencyMicros.getTotalCount()).isEqualTo(10);
      assertThat(r.toText()).contains("accepted 4000", "found 10");
    }
  }

  @Test
  void looksAcceptedTracesUpWhileTheLoadRunsAtTheLookupRate() throws Exception {
    try (CountingOtlpServer server = new CountingOtlpServer(n -> 200)) {
      // 40 lookups/s over a 1.5 s window: about 60, one at a time, each of a trace already acknowledged (so every
      // one is found, though 8 requests are in flight and complete out of order)
      LoadResult r = LoadGenerator.run(options("--port=" + server.httpPort(), "--query-port=" + server.httpPort(),
          "--rate=20000", "--duration=1500ms", "--concurrency=8", "--lookup-rate=40", "--check-traces=7"), log);
      // the after-load check still looks up exactly --check-traces ids, though the reservoir is larger
      assertThat(r.check.checked()).isEqualTo(7);
      assertThat(r.check.found).isEqualTo(7);
      assertThat(r.duringLoad).isNotNull();
      assertThat(r.duringLoad.checked()).isBetween(30L, 61L);
      assertThat(r.duringLoad.found).isEqualTo(r.duringLoad.checked());
      assertThat(r.duringLoad.spans).isPositive();
      assertThat(r.duringLoad.latencyMicros.getTotalCount()).isEqualTo(r.duringLoad.checked());
      assertThat(r.toText()).contains("during the load checked " + r.duringLoad.checked());
      // the server's histogram, scraped before and after, counted exactly the lookups made during the load
      assertThat(r.duringLoad.server).isNotNull();
      assertThat(r.duringLoad.server.duration.count()).isEqualTo(r.duringLoad.checked());
      assertThat(r.toText()).contains("server    during the load (tempo_request_duration_seconds{route=\"api_v2_traces_traceid\"}) n="
          + r.duringLoad.checked());
    }
  }

  @Test
  void jdkLookupClientFindsTheSameTraces() throws Exception {
    try (CountingOtlpServer server = new CountingOtlpServer(n -> 200)) {
      LoadResult r = LoadGenerator.run(options("--port=" + server.httpPort(), "--query-port=" + server.httpPort(),
          "--rate=20000", "--duration=1s", "--concurrency=8", "--lookup-rate=20", "--lookup-client=jdk",
          "--check-traces=5"), log);
      assertThat(r.check.found).isEqualTo(5);
      assertThat(r.duringLoad.checked()).isPositive();
      assertThat(r.duringLoad.found).isEqualTo(r.duringLoad.checked());
      assertThat(r.duringLoad.server.duration.count()).isEqualTo(r.duringLoad.checked());
    }
  }

  @Test
  void withoutLookupRateNothingIsLookedUpDuringTheLoad() throws Exception {
    try (CountingOtlpServer server = new CountingOtlpServer(n -> 200)) {
      LoadResult r = LoadGenerator.run(options("--port=" + server.httpPort(), "--requests=10"), log);
      assertThat(r.duringLoad).isNull();
      assertThat(r.toText()).doesNotContain("during the load");
    }
  }

  @Test
  void jdkClientSendsTheSameRequests() throws Exception {
    try (CountingOtlpServer server = new CountingOtlpServer(n -> n % 3 == 0 ? 503 : 200)) {
      LoadResult r = LoadGenerator.run(options("--client=jdk", "--port=" + server.httpPort(), "--requests=30",
          "--concurrency=4"), log);
      assertThat(server.requests.get()).isEqualTo(30);
      assertThat(server.sharedTraceIds.get()).isZero();
      assertThat(r.count(Outcome.OK)).isEqualTo(20);
      assertThat(r.count(Outcome.UNAVAILABLE)).isEqualTo(10);
      assertThat(r.acceptedSpans()).isEqualTo(server.spans.get()).isEqualTo(2000);
    }
  }

  @Test
  void countsEachStatusAsTheServerAnsweredIt() throws Exception {
    try (CountingOtlpServer server = new CountingOtlpServer(
        n -> n % 4 == 0 ? 503 : n % 5 == 0 ? 429 : n % 7 == 0 ? 400 : n % 11 == 0 ? 500 : 200)) {
      LoadResult r = LoadGenerator.run(options("--port=" + server.httpPort(), "--requests=60", "--concurrency=3",
          "--check-traces=5", "--query-port=" + server.httpPort()), log);
      assertThat(r.requests()).isEqualTo(60);
      assertThat(r.count(Outcome.OK)).isEqualTo(server.status(200));
      assertThat(r.count(Outcome.UNAVAILABLE)).isEqualTo(server.status(503)).isEqualTo(15);
      assertThat(r.count(Outcome.RATE_LIMITED)).isEqualTo(server.status(429)).isEqualTo(9);
      assertThat(r.count(Outcome.CLIENT_ERROR)).isEqualTo(server.status(400)).isPositive();
      assertThat(r.count(Outcome.OTHER_STATUS)).isEqualTo(server.status(500)).isPositive();
      assertThat(r.details).containsEntry("HTTP 503", 15L).containsEntry("HTTP 429", 9L);
      assertThat(r.acceptedSpans()).isEqualTo(server.spans.get()).isEqualTo(100L * server.status(200));
      // only accepted requests are sampled for the check
      assertThat(r.check.found).isEqualTo(5);
    }
  }

  @Test
  void openLoopPacesRequestsAtTheRateAndAccountsForEveryDueRequest() throws Exception {
    try (CountingOtlpServer server = new CountingOtlpServer(n -> 200)) {
      // 10 000 spans/s in requests of 100 spans: one request due every 10 ms, 150 in 1.5 s
      long start = System.nanoTime();
      LoadResult r = LoadGenerator.run(options("--port=" + server.httpPort(), "--rate=10000", "--duration=1500ms",
          "--concurrency=16"), log);
      double seconds = (System.nanoTime() - start) / 1e9;
      assertThat(r.requests() + r.notSent).isEqualTo(150);
      assertThat(server.requests.get()).isEqualTo((int) r.requests());
      assertThat(seconds).isBetween(1.4, 10.0); // paced, not sent in a burst
      assertThat(r.toText()).contains("open loop at 10000 spans/s", "from intended send time");
    }
  }

  @Test
  void warmupRequestsAreSentButNotMeasured() throws Exception {
    try (CountingOtlpServer server = new CountingOtlpServer(n -> 200)) {
      LoadResult r = LoadGenerator.run(options("--port=" + server.httpPort(), "--rate=10000", "--warmup=500ms",
          "--duration=500ms"), log);
      assertThat(r.warmupRequests + r.requests() + r.notSent).isEqualTo(100);
      assertThat(r.requests()).isPositive(); // 50 are due after the warmup; a loaded machine may fail to send some
      assertThat(r.warmupRequests).isPositive();
      assertThat(server.requests.get()).isEqualTo((int) (r.warmupRequests + r.requests()));
      assertThat(r.latencyMicros.getTotalCount()).isEqualTo(r.requests());
    }
  }

  @Test
  void gzippedJsonArrivesDecodable() throws Exception {
    try (CountingOtlpServer server = new CountingOtlpServer(n -> 200)) {
      LoadResult r = LoadGenerator.run(options("--port=" + server.httpPort(), "--encoding=json", "--gzip",
          "--requests=20", "--batch=30"), log);
      assertThat(server.gzipped.get()).isEqualTo(20);
      assertThat(server.json.get()).isEqualTo(20);
      assertThat(server.undecodable.get()).isZero();
      assertThat(server.sharedTraceIds.get()).isZero();
      assertThat(server.spans.get()).isEqualTo(600);
      assertThat(r.acceptedSpans()).isEqualTo(600);
    }
  }

  @Test
  void grpcSpreadsOverChannelsAndMapsStatuses() throws Exception {
    try (CountingOtlpServer server = new CountingOtlpServer(n -> n % 10 == 0 ? 429 : n % 9 == 0 ? 503 : 200)) {
      LoadResult r = LoadGenerator.run(options("--protocol=grpc", "--port=" + server.grpcPort(), "--connections=2",
          "--gzip", "--requests=50", "--concurrency=6"), log);
      assertThat(server.requests.get()).isEqualTo(50);
      assertThat(server.undecodable.get()).isZero();
      assertThat(server.sharedTraceIds.get()).isZero();
      assertThat(r.count(Outcome.OK)).isEqualTo(server.status(200));
      assertThat(r.count(Outcome.RATE_LIMITED)).isEqualTo(5);
      assertThat(r.count(Outcome.UNAVAILABLE)).isEqualTo(server.status(503)).isPositive();
      assertThat(r.details).containsEntry("grpc RESOURCE_EXHAUSTED", 5L);
      assertThat(r.acceptedSpans()).isEqualTo(server.spans.get());
    }
  }

  @Test
  void refusedConnectionsAreErrors() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    LoadResult r = LoadGenerator.run(options("--port=" + port, "--requests=5", "--concurrency=1"), log);
    assertThat(r.requests()).isEqualTo(5);
    assertThat(r.count(Outcome.ERROR)).isEqualTo(5);
    assertThat(r.acceptedSpans()).isZero();
  }

  @Test
  void writesAJsonSummary(@TempDir Path dir) throws Exception {
    try (CountingOtlpServer server = new CountingOtlpServer(n -> 200)) {
      LoadResult r = LoadGenerator.run(options("--port=" + server.httpPort(), "--requests=10",
          "--duration=" + Duration.ofSeconds(10).toSeconds() + "s"), log);
      Path file = dir.resolve("sub/summary.json");
      r.writeJson(file);
      Map<String, String> top = new HashMap<>();
      try (JsonParser p = new JsonFactory().createParser(Files.readAllBytes(file))) {
        int depth = 0;
        String field = null;
        for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
          if (t == JsonToken.START_OBJECT) {
            depth++;
          } else if (t == JsonToken.END_OBJECT) {
            depth--;
          } else if (t == JsonToken.FIELD_NAME) {
            field = p.currentName();
          } else if (depth == 1 && t.isScalarValue()) {
            top.put(field, p.getText());
          }
        }
      }
      assertThat(top).containsEntry("requests", "10").containsEntry("acceptedSpans", "1000")
          .containsKeys("acceptedSpansPerSecond", "bytesSent", "windowSeconds", "loadAverageBefore");
      assertThat(Files.readString(file)).contains("\"latencyMillis\"", "\"p99_9\"", "\"200\" : 10");
    }
  }
}
