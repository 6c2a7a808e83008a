package io.spanfold.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoadOptionsTest {

  @Test
  void defaults() {
    LoadOptions o = LoadOptions.parse();
    assertThat(o.protocol()).isEqualTo("http");
    assertThat(o.host()).isEqualTo("127.0.0.1");
    assertThat(o.port()).isEqualTo(4318);
    assertThat(o.json()).isFalse();
    assertThat(o.gzip()).isFalse();
    assertThat(o.openLoop()).isFalse();
    assertThat(o.concurrency()).isEqualTo(8);
    assertThat(o.batch()).isEqualTo(100);
    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.warmup()).isEqualTo(Duration.ZERO);
    assertThat(o.requests()).isEqualTo(100_000_000L);
    assertThat(o.checkTraces()).isZero();
    assertThat(o.lookupRate()).isZero();
    assertThat(o.traceSpans()).isZero();
    assertThat(o.queryPort()).isEqualTo(3200);
    assertThat(o.jsonOut()).isNull();
  }

  @Test
  void grpcDefaultsToPort4317() {
    assertThat(LoadOptions.parse("--protocol=grpc").port()).isEqualTo(4317);
  }

  @Test
  void parsesEveryFlagInBothForms() {
    LoadOptions o = LoadOptions.parse("--protocol", "http", "--host=localhost", "--port=14318", "--encoding=json",
        "--gzip", "--rate=100_000", "--concurrency", "16", "--connections=2", "--batch=512", "--pool=8",
        "--duration=1500ms", "--warmup=2s", "--requests=1000", "--timeout=1m", "--seed=7", "--id-salt=-3",
        "--check-traces=50", "--lookup-rate=20", "--trace-spans=10", "--query-port=13200", "--json=out/x.json", "--progress=0");
    assertThat(o.host()).isEqualTo("localhost");
    assertThat(o.port()).isEqualTo(14318);
    assertThat(o.json()).isTrue();
    assertThat(o.gzip()).isTrue();
    assertThat(o.rate()).isEqualTo(100_000);
    assertThat(o.openLoop()).isTrue();
    assertThat(o.concurrency()).isEqualTo(16);
    assertThat(o.connections()).isEqualTo(2);
    assertThat(o.batch()).isEqualTo(512);
    assertThat(o.pool()).isEqualTo(8);
    assertThat(o.duration()).isEqualTo(Duration.ofMillis(1500));
    assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(2));
    assertThat(o.requests()).isEqualTo(1000);
    assertThat(o.timeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(o.seed()).isEqualTo(7);
    assertThat(o.idSalt()).isEqualTo(-3);
    assertThat(o.checkTraces()).isEqualTo(50);
    assertThat(o.lookupRate()).isEqualTo(20);
    assertThat(o.traceSpans()).isEqualTo(10);
    assertThat(o.queryPort()).isEqualTo(13200);
    assertThat(o.jsonOut()).isEqualTo(Path.of("out/x.json"));
    assertThat(o.progress()).isEqualTo(Duration.ZERO);
  }

  @Test
  void helpReturnsNull() {
    assertThat(LoadOptions.parse("--port=1", "--help")).isNull();
  }

  @Test
  void idSaltIsRandomPerRunUnlessGiven() {
    assertThat(LoadOptions.parse().idSalt()).isNotEqualTo(LoadOptions.parse().idSalt());
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "localhost", "LOCALHOST", "::1", "[::1]"})
  void acceptsThisMachine(String host) {
    assertThat(LoadOptions.parse("--host=" + host).host()).isIn("127.0.0.1", "localhost", "::1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "10.0.0.1", "192.168.1.10", "0.0.0.0", "127.0.0.2", "localhost.example.com",
      "8.8.8.8", "::ffff:8.8.8.8", ""})
  void refusesEveryOtherHost(String host) {
    assertThatThrownBy(() -> LoadOptions.parse("--host=" + host))
        .isInstanceOf(LoadOptions.UsageException.class)
        .hasMessageContaining("refusing to send load to host '" + host + "'")
        .hasMessageContaining("only 127.0.0.1, localhost or ::1");
  }

  @Test
  void ipv6HostIsBracketedInUris() {
    assertThat(LoadOptions.parse("--host=::1").uriHost()).isEqualTo("[::1]");
    assertThat(LoadOptions.parse("--host=[::1]").uriHost()).isEqualTo("[::1]");
    assertThat(LoadOptions.parse().uriHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void errorsNameTheFlag() {
    assertThatThrownBy(() -> LoadOptions.parse("--bogus=1")).hasMessage("unknown flag --bogus (see --help)");
    assertThatThrownBy(() -> LoadOptions.parse("--rate=fast")).hasMessage("--rate must be an integer, not 'fast'");
    assertThatThrownBy(() -> LoadOptions.parse("--concurrency=0"))
        .hasMessage("--concurrency must be in [1, 10000], not 0");
    assertThatThrownBy(() -> LoadOptions.parse("--port=70000")).hasMessageStartingWith("--port must be in [1, 65535]");
    assertThatThrownBy(() -> LoadOptions.parse("--duration=soon"))
        .hasMessage("--duration must be a duration like 500ms, 10s, 2m or 1h, not 'soon'");
    assertThatThrownBy(() -> LoadOptions.parse("--duration=0s")).hasMessage("--duration must be > 0");
    assertThatThrownBy(() -> LoadOptions.parse("--duration=2h")).hasMessageContaining("at most 60 minutes");
    assertThatThrownBy(() -> LoadOptions.parse("--protocol=udp")).hasMessage("--protocol must be http or grpc, not 'udp'");
    assertThatThrownBy(() -> LoadOptions.parse("--protocol=grpc", "--encoding=json"))
        .hasMessageContaining("--encoding=json is for --protocol=http only");
    assertThatThrownBy(() -> LoadOptions.parse("--rate")).hasMessage("--rate needs a value");
    assertThatThrownBy(() -> LoadOptions.parse("--rate=1", "--rate=2")).hasMessage("--rate given twice");
    assertThatThrownBy(() -> LoadOptions.parse("rate=1")).hasMessageContaining("unexpected argument 'rate=1'");
    assertThatThrownBy(() -> LoadOptions.parse("--gzip=maybe")).hasMessage("--gzip takes true or false, not 'maybe'");
  }
}
