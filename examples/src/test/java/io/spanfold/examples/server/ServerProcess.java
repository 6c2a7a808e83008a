package io.spanfold.examples.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real server jar in its own JVM, as a user runs it; ports are 0 and read back from its log line. */
final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile(
      "spanfold listening: otlp-grpc=([\\d.]+):(\\d+) otlp-http=([\\d.]+):(\\d+) http=([\\d.]+):(\\d+)");

  final Process process;
  private final Thread reader;
  private final List<String> output = new ArrayList<>();
  private final CompletableFuture<Matcher> listening = new CompletableFuture<>();
  int grpcPort;
  int otlpHttpPort;
  int httpPort;
  private String scheme = "http";
  private HttpClient readyClient;

  private ServerProcess(Process process) {
    this.process = process;
    reader = new Thread(this::pump, "server-output");
    reader.setDaemon(true);
    reader.start();
  }

  static Path jar() {
    String jar = System.getProperty("spanfold.server.jar");
    if (jar == null) {
      throw new IllegalStateException("system property spanfold.server.jar not set (run through failsafe)");
    }
    return Paths.get(jar);
  }

  /** Runs the jar with {@code args} and does not wait for anything. */
  static ServerProcess launch(List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-Dchronicle.analytics.disable=true");
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(args);
    return new ServerProcess(new ProcessBuilder(cmd).redirectErrorStream(true).start());
  }

  /** Starts the server on loopback, free ports, {@code dataDir}, plus {@code extra} flags, and waits for /ready. */
  static ServerProcess start(Path dataDir, String... extra) throws Exception {
    return start(dataDir, null, extra);
  }

  /** As {@link #start(Path, String...)}, with the query port over HTTPS checked by {@code tlsClient} (null: HTTP). */
  static ServerProcess start(Path dataDir, HttpClient tlsClient, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("--bind=127.0.0.1", "--otlp.grpc.port=0", "--otlp.http.port=0",
        "--http.port=0", "--data.dir=" + dataDir));
    args.addAll(List.of(extra));
    ServerProcess p = launch(args);
    if (tlsClient != null) {
      p.scheme = "https";
      p.readyClient = tlsClient;
    }
    try {
      Matcher m = p.listening.get(60, TimeUnit.SECONDS);
      p.grpcPort = Integer.parseInt(m.group(2));
      p.otlpHttpPort = Integer.parseInt(m.group(4));
      p.httpPort = Integer.parseInt(m.group(6));
      p.awaitReady();
    } catch (Exception e) {
      p.process.destroyForcibly();
      throw new IllegalStateException("server did not start; output:\n" + p.output(), e);
    }
    return p;
  }

  private void awaitReady() throws Exception {
    HttpClient client = readyClient != null ? readyClient : HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(httpUrl("/ready")))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("/ready never answered 200");
  }

  String httpUrl(String path) {
    return scheme + "://127.0.0.1:" + httpPort + path;
  }

  String otlpHttpUrl(String path) {
    return scheme + "://127.0.0.1:" + otlpHttpPort + path;
  }

  private void pump() {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        synchronized (output) {
          output.add(line);
        }
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          listening.complete(m);
        }
      }
    } catch (IOException e) {
      // process gone
    }
    listening.completeExceptionally(new IllegalStateException("server output ended"));
  }

  String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  /** SIGTERM, then waits for the exit code. */
  int stop() throws InterruptedException {
    // ProcessHandle.destroy sends the same SIGTERM as Process.destroy but, unlike it, does not close our end of the
    // output pipe, so what the server prints while stopping can still be read.
    process.toHandle().destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("server did not stop within 60 s; output:\n" + output());
    }
    reader.join(5000);
    return process.exitValue();
  }

  /** Waits for the process to end by itself. */
  int awaitExit() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("process did not exit; output:\n" + output());
    }
    reader.join(5000);
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }
}
