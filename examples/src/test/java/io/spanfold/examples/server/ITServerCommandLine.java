package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The jar's command line and lifecycle: --help, bad flags, data dir, graceful SIGTERM. */
@Timeout(120)
class ITServerCommandLine {
  @TempDir Path tmp;

  @Test
  void helpListsEveryFlagAndExitsZero() throws Exception {
    ServerProcess p = ServerProcess.launch(List.of("--help"));
    assertThat(p.awaitExit()).isZero();
    assertThat(p.output()).contains("--bind=", "--otlp.grpc.port=", "--otlp.http.port=", "--http.port=",
        "--data.dir=", "--otlp.grpc.max-recv-msg-size-mib=", "--otlp.http.max-body-bytes=");
  }

  @Test
  void unknownFlagAndBadValueExitTwoWithAMessage() throws Exception {
    ServerProcess unknown = ServerProcess.launch(List.of("--http.port=0", "--retention=7d"));
    assertThat(unknown.awaitExit()).isEqualTo(2);
    assertThat(unknown.output()).contains("unknown flag: --retention");

    ServerProcess bad = ServerProcess.launch(List.of("--otlp.grpc.port=abc"));
    assertThat(bad.awaitExit()).isEqualTo(2);
    assertThat(bad.output()).contains("invalid value for --otlp.grpc.port: \"abc\"");
  }

  @Test
  void sigtermStopsGracefullyAndReadyTurnsUnavailableFirst() throws Exception {
    Path data = tmp.resolve("data");
    ServerProcess p = ServerProcess.start(data);
    assertThat(Files.isDirectory(data)).as("data dir created").isTrue();
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> ready = client.send(HttpRequest.newBuilder(URI.create(p.httpUrl("/ready")))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ready.body()).isEqualTo("ready\n");

    int exit = p.stop();

    assertThat(exit).as("JVM exit code after SIGTERM (128+15); output:\n%s", p.output()).isEqualTo(143);
    String out = p.output();
    assertThat(out.indexOf("spanfold stopping")).isGreaterThan(out.indexOf("spanfold listening"));
    assertThat(out).contains("spanfold stopped").doesNotContain("Exception");
    assertThat(p.process.waitFor(1, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void portInUseExitsOneWithAMessage() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      ServerProcess p = ServerProcess.launch(List.of("--bind=127.0.0.1", "--otlp.grpc.port=0",
          "--otlp.http.port=0", "--http.port=" + taken.getLocalPort(), "--data.dir=" + tmp.resolve("d")));
      assertThat(p.awaitExit()).isEqualTo(1);
      assertThat(p.output()).contains("cannot start").contains(Integer.toString(taken.getLocalPort()));
    }
  }
}
