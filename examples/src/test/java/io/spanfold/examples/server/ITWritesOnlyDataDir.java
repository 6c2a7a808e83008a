package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: the server writes nowhere but its data directory. The jar runs with its home, temp directory and working
 * directory pointed at empty directories of a temp tree; after ingest, queries and a stop, every file and directory
 * created anywhere in that tree is under {@code data/}.
 */
@Timeout(120)
class ITWritesOnlyDataDir {
  private static final Pattern LISTENING =
      Pattern.compile("spanfold listening: otlp-grpc=[\\d.]+:(\\d+) otlp-http=[\\d.]+:(\\d+) http=[\\d.]+:(\\d+)");

  @TempDir Path root;
  @TempDir Path logs;

  @Test
  void onlyTheDataDirectoryHasContent() throws Exception {
    Path home = Files.createDirectory(root.resolve("home"));
    Path tmp = Files.createDirectory(root.resolve("tmp"));
    Path cwd = Files.createDirectory(root.resolve("cwd"));
    Path data = root.resolve("data");
    Path log = logs.resolve("server.log");
    Process p = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-Duser.home=" + home, "-Djava.io.tmpdir=" + tmp, "-jar", ServerProcess.jar().toString(),
        "--bind=127.0.0.1", "--otlp.grpc.port=0", "--otlp.http.port=0", "--http.port=0", "--data.dir=" + data)
        .directory(cwd.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Matcher m = awaitListening(p, log);
      int otlpHttp = Integer.parseInt(m.group(2));
      int http = Integer.parseInt(m.group(3));
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      long run = 42;
      HttpResponse<Void> post = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + otlpHttp + "/v1/traces")).header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(TraceApi.request(run, 0, 50, 4))).build(),
          HttpResponse.BodyHandlers.discarding());
      assertThat(post.statusCode()).isEqualTo(200);
      HttpResponse<byte[]> trace = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http
          + "/api/v2/traces/" + java.util.HexFormat.of().formatHex(TraceApi.traceId(run, 7))))
          .header("Accept", TraceApi.PROTOBUF).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(TraceApi.spans(TraceApi.traceOfV2(trace.body()))).hasSize(4);
      assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body()).contains("tempo_distributor_spans_received_total");

      p.toHandle().destroy();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(Files.readString(log)).isEqualTo(143);
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }

    List<Path> created;
    try (Stream<Path> all = Files.walk(root)) {
      created = all.filter(f -> !f.equals(root) && !f.equals(home) && !f.equals(tmp) && !f.equals(cwd))
          .sorted().collect(Collectors.toList());
    }
    System.out.println("ITWritesOnlyDataDir: created under " + root + ":\n  "
        + created.stream().map(f -> root.relativize(f).toString()).collect(Collectors.joining("\n  ")));
    assertThat(created).as("the server wrote its data").anyMatch(f -> f.startsWith(data) && Files.isRegularFile(f));
    assertThat(created).as("files and directories created outside %s", data).allMatch(f -> f.startsWith(data));
  }

  private static Matcher awaitListening(Process p, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && p.isAlive()) {
      Matcher m = LISTENING.matcher(Files.readString(log));
      if (m.find()) {
        return m;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("server did not start; output:\n" + Files.readString(log));
  }
}
