package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Debian's real Prometheus ({@code /usr/bin/prometheus}) on a loopback port with its storage in a temp directory,
 * remote-write receiver and lifecycle API on; as redmetrics' {@code PrometheusIT} runs it.
 */
final class PrometheusProcess implements AutoCloseable {
  static final File PROMETHEUS = new File("/usr/bin/prometheus");
  private static final ObjectMapper JSON = new ObjectMapper();

  final int port;
  private final Path dir;
  private final Process process;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private PrometheusProcess(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** A loopback port free right now (Prometheus can't be told to pick one and report it). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static PrometheusProcess start(Path dir, int port, String config, String... extra) throws Exception {
    assertThat(PROMETHEUS.canExecute()).as("/usr/bin/prometheus is required (Debian package prometheus)").isTrue();
    Files.writeString(dir.resolve("prometheus.yml"), config);
    List<String> cmd = new ArrayList<>(List.of(PROMETHEUS.getPath(),
        "--config.file=" + dir.resolve("prometheus.yml"), "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port, "--web.enable-remote-write-receiver", "--web.enable-lifecycle"));
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    PrometheusProcess prom = new PrometheusProcess(dir, port, p);
    try {
      prom.poll("/-/ready", body -> true);
    } catch (AssertionError | Exception e) {
      prom.close();
      throw new AssertionError("prometheus did not become ready:\n" + prom.log(), e);
    }
    return prom;
  }

  /** Replaces the configuration and reloads it. */
  void reload(String config) throws Exception {
    Files.writeString(dir.resolve("prometheus.yml"), config);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(url("/-/reload"))
        .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("reload: %s\n%s", r.body(), log()).isEqualTo(200);
  }

  String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private URI url(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  /** GETs {@code pathAndQuery} until it answers 200 with a body {@code ok} accepts (30 s at most). */
  String poll(String pathAndQuery, Predicate<String> ok) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String last = "";
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(url(pathAndQuery)).timeout(Duration.ofSeconds(10))
            .build(), HttpResponse.BodyHandlers.ofString());
        last = r.statusCode() + " " + r.body();
        if (r.statusCode() == 200 && ok.test(r.body())) {
          return r.body();
        }
      } catch (IOException notYet) {
        last = notYet.toString();
      }
      Thread.sleep(250);
    }
    throw new AssertionError("timed out waiting on " + pathAndQuery + ", last answer: " + last);
  }

  /** The instant-query result vector of {@code promql} once {@code ok} accepts it. */
  JsonNode query(String promql, Predicate<JsonNode> ok) throws Exception {
    String body = poll("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8), s -> {
      try {
        return ok.test(JSON.readTree(s).get("data").get("result"));
      } catch (IOException e) {
        return false;
      }
    });
    return JSON.readTree(body).get("data").get("result");
  }

  /** The value of the single series {@code promql} returns, once it equals {@code expected}. */
  double awaitValue(String promql, double expected) throws Exception {
    try {
      JsonNode r = query(promql, v -> v.size() == 1 && value(v.get(0)) == expected);
      return value(r.get(0));
    } catch (AssertionError e) {
      throw new AssertionError(promql + " never came to " + expected + ": " + e.getMessage(), e);
    }
  }

  static double value(JsonNode sample) {
    return Double.parseDouble(sample.get("value").get(1).asText());
  }

  JsonNode exemplars(String promql) throws Exception {
    long now = System.currentTimeMillis() / 1000;
    String body = poll("/api/v1/query_exemplars?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
        + "&start=" + (now - 600) + "&end=" + (now + 600), s -> s.contains("\"exemplars\""));
    return JSON.readTree(body).get("data");
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
