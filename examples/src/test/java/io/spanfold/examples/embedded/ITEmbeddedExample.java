package io.spanfold.examples.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the embedding example as the README says ({@code java @examples/target/chronicle.args -cp
 * examples/target/spanfold-server.jar io.spanfold.examples.embedded.EmbeddedExample}), calls its service, and finds the
 * request's trace through the Tempo API it serves; then restarts it and finds the trace again.
 */
@Timeout(180)
class ITEmbeddedExample {
  private static final Pattern LISTENING = Pattern.compile("listening on http://([\\d.]+):(\\d+)");

  @TempDir Path tmp;

  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The example process with its output collected. */
  static final class Example implements AutoCloseable {
    final Process process;
    final StringBuffer output = new StringBuffer();
    final CompletableFuture<Integer> port = new CompletableFuture<>();

    Example(Path dataDir) throws Exception {
      Path jar = Paths.get(System.getProperty("spanfold.server.jar"));
      Path argFile = jar.resolveSibling("chronicle.args");
      assertThat(argFile).exists();
      List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "@" + argFile, "-cp", jar.toString(), "io.spanfold.examples.embedded.EmbeddedExample",
          "--port=0", "--data.dir=" + dataDir));
      process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            output.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
              port.complete(Integer.parseInt(m.group(2)));
            }
          }
        } catch (java.io.IOException e) {
          // process gone
        }
        port.completeExceptionally(new IllegalStateException("example ended:\n" + output));
      }, "example-output");
      reader.setDaemon(true);
      reader.start();
    }

    String url(String path) throws Exception {
      return "http://127.0.0.1:" + port.get(60, TimeUnit.SECONDS) + path;
    }

    /** SIGTERM, as a service manager stops it; the shutdown hook flushes and closes spanfold. */
    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  HttpResponse<String> get(String url) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Polls until the trace is served (the SDK's batch processor exports every 200 ms). */
  HttpResponse<String> awaitTrace(Example e, String traceId) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    HttpResponse<String> r;
    do {
      r = get(e.url("/api/traces/" + traceId));
      // the SERVER span ends after the response is written: it may come in the next export batch
      if (r.statusCode() == 200 && r.body().contains("compose greeting") && r.body().contains("GET /hello")) {
        return r;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return r;
  }

  @Test
  void startsWithTheReadmeCommandAndAnswersATraceQuery() throws Exception {
    Path data = tmp.resolve("data");
    String traceId;
    try (Example e = new Example(data)) {
      HttpResponse<String> hello = get(e.url("/hello?name=it"));
      assertThat(hello.statusCode()).isEqualTo(200);
      assertThat(hello.body()).startsWith("hello, it\ntrace ");
      traceId = hello.headers().firstValue("X-Trace-Id").orElseThrow();
      assertThat(hello.body()).contains(traceId);

      HttpResponse<String> trace = awaitTrace(e, traceId);
      assertThat(trace.statusCode()).as("output:\n%s", e.output).isEqualTo(200);
      assertThat(trace.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(trace.body()).startsWith("{\"batches\":[")
          .contains("\"stringValue\":\"embedded-example\"")
          .contains("\"name\":\"GET /hello\"", "\"kind\":\"SPAN_KIND_SERVER\"")
          .contains("\"name\":\"compose greeting\"")
          .contains("\"name\":\"SELECT greetings\"", "\"kind\":\"SPAN_KIND_CLIENT\"");
      HttpResponse<String> v2 = get(e.url("/api/v2/traces/" + traceId));
      assertThat(v2.body()).startsWith("{\"trace\":{\"resourceSpans\":[");
      assertThat(get(e.url("/api/traces/0123456789abcdef0123456789abcdef")).statusCode()).isEqualTo(404);

      String metrics = get(e.url("/metrics")).body();
      assertThat(metrics).contains("traces_spanmetrics_calls_total{service=\"embedded-example\",span_name=\"GET /hello\","
          + "span_kind=\"SPAN_KIND_SERVER\",status_code=\"STATUS_CODE_UNSET\",} 1.0");
      assertThat(get(e.url("/api/service-graph")).statusCode()).isEqualTo(200);
      assertThat(get(e.url("/ready")).body()).isEqualTo("ready\n");
      assertThat(get(e.url("/api/nothing")).statusCode()).isEqualTo(404);
    }
    // The store is durable: a restart recovers the head block and serves the same trace.
    try (Example e = new Example(data)) {
      HttpResponse<String> again = get(e.url("/api/traces/" + traceId));
      assertThat(again.statusCode()).as("output:\n%s", e.output).isEqualTo(200);
      assertThat(again.body()).contains("\"name\":\"GET /hello\"");
      assertThat(e.output.toString()).contains("recovered head block");
    }
    assertThat(Files.isDirectory(data.resolve("single-tenant"))).isTrue();
  }
}
