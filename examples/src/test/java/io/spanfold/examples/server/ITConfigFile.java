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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The jar with {@code --config.file}: warnings and the banner at startup, exit 2 for typos and bad values. */
@Timeout(120)
class ITConfigFile {
  @TempDir Path tmp;

  @Test
  void startsFromATempoStyleFileWithFlagsOverridingIt() throws Exception {
    Path data = tmp.resolve("from-file");
    Path file = tmp.resolve("spanfold.yaml");
    Files.writeString(file, String.join("\n",
        "server:",
        "  http_listen_port: 3200",
        "  log_level: info",
        "memberlist:",
        "  join_members: [tempo:7946]",
        "storage:",
        "  trace:",
        "    backend: local",
        "    local:",
        "      path: " + data,
        "compactor:",
        "  compaction:",
        "    block_retention: 48h",
        ""));
    // ServerProcess.start adds --data.dir etc. on the command line; these must win over the file
    ServerProcess p = ServerProcess.start(tmp.resolve("from-flag"), "--config.file=" + file);
    try {
      HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(p.httpUrl("/ready"))).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ready.body()).isEqualTo("ready\n");
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!p.output().contains(" started: ports") && System.nanoTime() < deadline) {
        Thread.sleep(50); // the banner follows the listening line
      }
      String out = p.output();
      assertThat(out).contains("config: server.log_level: ignored")
          .contains("config: memberlist: ignored")
          .contains("spanfold ")
          .contains(" started: ports otlp-grpc=")
          .contains("retention=2d")
          .contains("data=" + tmp.resolve("from-flag").toAbsolutePath())
          .contains("config=" + file);
      assertThat(Files.isDirectory(tmp.resolve("from-flag"))).isTrue();
      assertThat(Files.exists(data)).as("the file's data dir was overridden").isFalse();
    } finally {
      p.stop();
    }
  }

  @Test
  void typosAndBadValuesExitTwoNamingTheKey() throws Exception {
    Path typo = tmp.resolve("typo.yaml");
    Files.writeString(typo, "compactor:\n  compaction:\n    block_retension: 48h\n");
    ServerProcess p = ServerProcess.launch(List.of("--config.file=" + typo));
    assertThat(p.awaitExit()).isEqualTo(2);
    assertThat(p.output()).contains("compactor.compaction.block_retension: unknown key (did you mean block_retention?)");

    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(bad, "compactor:\n  compaction:\n    block_retention: 7x\n");
    ServerProcess q = ServerProcess.launch(List.of("--config.file=" + bad));
    assertThat(q.awaitExit()).isEqualTo(2);
    assertThat(q.output()).contains("compactor.compaction.block_retention: invalid duration \"7x\"");

    ServerProcess missing = ServerProcess.launch(List.of("--config.file=" + tmp.resolve("nope.yaml")));
    assertThat(missing.awaitExit()).isEqualTo(2);
    assertThat(missing.output()).contains("cannot read");
  }
}
