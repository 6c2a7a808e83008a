package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
  @Test
  void defaultsAreTemposPortsOnAllInterfaces() throws Exception {
    ServerConfig c = ServerConfig.parse();

    assertThat(c.bind()).isEqualTo("0.0.0.0");
    assertThat(c.otlpGrpcPort()).isEqualTo(4317);
    assertThat(c.otlpHttpPort()).isEqualTo(4318);
    assertThat(c.httpPort()).isEqualTo(3200);
    assertThat(c.dataDir()).isEqualTo(Paths.get("data"));
    assertThat(c.otlpGrpcMaxRecvMsgSizeMib()).isEqualTo(4);
    assertThat(c.otlpHttpMaxBodyBytes()).isEqualTo(20 * 1024 * 1024);
  }

  @Test
  void everyFlagSetsItsField() throws Exception {
    ServerConfig c = ServerConfig.parse("--bind=127.0.0.1", "--otlp.grpc.port=0", "--otlp.http.port=14318",
        "--http.port=13200", "--data.dir=/tmp/x", "--otlp.grpc.max-recv-msg-size-mib=16",
        "--otlp.http.max-body-bytes=1000");

    assertThat(c.bind()).isEqualTo("127.0.0.1");
    assertThat(c.otlpGrpcPort()).isZero();
    assertThat(c.otlpHttpPort()).isEqualTo(14318);
    assertThat(c.httpPort()).isEqualTo(13200);
    assertThat(c.dataDir()).isEqualTo(Paths.get("/tmp/x"));
    assertThat(c.otlpGrpcMaxRecvMsgSizeMib()).isEqualTo(16);
    assertThat(c.otlpHttpMaxBodyBytes()).isEqualTo(1000);
  }

  @Test
  void badCommandLinesSayWhatIsWrong() {
    assertThatThrownBy(() -> ServerConfig.parse("--nope=1")).hasMessage("unknown flag: --nope (see --help)");
    assertThatThrownBy(() -> ServerConfig.parse("--http.port")).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> ServerConfig.parse("--http.port=70000")).hasMessageContaining("0-65535");
    assertThatThrownBy(() -> ServerConfig.parse("--otlp.http.max-body-bytes=0")).hasMessageContaining("> 0");
    assertThatThrownBy(() -> ServerConfig.parse("positional")).hasMessageContaining("unexpected argument");
    assertThatThrownBy(() -> ServerConfig.builder().otlpGrpcMaxRecvMsgSizeMib(4096))
        .hasMessageContaining("otlpGrpcMaxRecvMsgSizeMib");
  }

  @Test
  void usageListsEveryFlag() {
    assertThat(ServerConfig.usage()).contains("--bind=", "--otlp.grpc.port=", "--otlp.http.port=", "--http.port=",
        "--data.dir=", "--otlp.grpc.max-recv-msg-size-mib=", "--otlp.http.max-body-bytes=", "--help");
  }
}
