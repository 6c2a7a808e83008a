package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanfold.redmetrics.RedMetricsWiring;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
  @TempDir Path tmp;

  /** examples/config/spanfold.yaml, from the module directory surefire runs in. */
  static Path exampleFile() {
    Path p = Paths.get("config", "spanfold.yaml");
    return Files.exists(p) ? p : Paths.get("examples", "config", "spanfold.yaml");
  }

  static ConfigFile parse(String yaml) throws ConfigFile.ConfigException {
    return ConfigFile.parse(yaml, "test.yaml");
  }

  @Test
  void theShippedExampleParsesWithoutWarningsIntoTheServersSettings() throws Exception {
    ConfigFile f = ConfigFile.load(exampleFile());
    assertThat(f.warnings()).isEmpty();
    assertThat(f.args()).contains("--bind=0.0.0.0", "--http.port=3200", "--otlp.grpc.port=4317",
        "--otlp.http.port=4318", "--otlp.grpc.max-recv-msg-size-mib=4", "--data.dir=./data",
        "--storage.retention=604800000ms", "--storage.block-duration=3600000ms",
        "--span-metrics.dimensions=http.method,http.status_code",
        "--span-metrics.intrinsic-dimension=status_message=false", "--remote-write.interval=15000ms",
        "--remote-write.external-label=source=spanfold", "--remote-write.url=http://prometheus:9090/api/v1/write",
        "--remote-write.send-exemplars=true", "--remote-write.header=X-Scope-OrgID=homelab",
        "--service-graph.max-items=10000", "--service-graph.wait=10000ms",
        "--service-graph.peer-attributes=peer.service,db.name,db.system", "--span-metrics.ingestion-slack=30000ms",
        "--span-metrics.max-active-series=0");
    String[] args = f.args().toArray(new String[0]);
    ServerConfig c = ServerConfig.parse(args);
    assertThat(c.httpPort()).isEqualTo(3200);
    assertThat(c.otlpGrpcPort()).isEqualTo(4317);
    assertThat(c.otlpHttpPort()).isEqualTo(4318);
    assertThat(c.bind()).isEqualTo("0.0.0.0");
    assertThat(c.dataDir()).isEqualTo(Paths.get("./data"));
    assertThat(c.retention()).isEqualTo(Duration.ofDays(7));
    assertThat(c.blockDuration()).isEqualTo(Duration.ofHours(1));
    try (RedMetricsWiring red = RedMetricsWiring.fromArgs(args)) { // builds the writer, does not start it
      assertThat(red.remoteWriteEnabled()).isTrue();
    }
    ServiceGraphConfig g = ServiceGraphConfig.parse(args);
    assertThat(g.maxItems).isEqualTo(10000);
    assertThat(g.wait).isEqualTo(Duration.ofSeconds(10));
    assertThat(g.staleDuration).isEqualTo(Duration.ofMinutes(15));
    assertThat(g.histogramBuckets).containsExactly(0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8);
    assertThat(g.metrics()).isNotNull();
  }

  @Test
  void aTypoIsAnErrorWithThePathAndASuggestion() {
    assertThatThrownBy(() -> parse("server:\n  http_listen_prot: 3200\n"))
        .isInstanceOf(ConfigFile.ConfigException.class)
        .hasMessage("config file test.yaml: server.http_listen_prot: unknown key (did you mean http_listen_port?)");
    assertThatThrownBy(() -> parse("compacter:\n  compaction:\n    block_retention: 1h\n"))
        .hasMessage("config file test.yaml: compacter: unknown key (did you mean compactor?)");
    assertThatThrownBy(() -> parse("metrics_generator:\n  processor:\n    span_metrics:\n      dimension: [a]\n"))
        .hasMessageContaining("metrics_generator.processor.span_metrics.dimension: unknown key (did you mean "
            + "dimensions?)");
    assertThatThrownBy(() -> parse("completely_unrelated_thing: 1\n"))
        .hasMessage("config file test.yaml: completely_unrelated_thing: unknown key");
    assertThatThrownBy(() -> parse("metrics_generator:\n  storage:\n    remote_write:\n      - url: http://p/w\n"
        + "        send_exemplar: true\n"))
        .hasMessageContaining("metrics_generator.storage.remote_write[0].send_exemplar: unknown key (did you mean "
            + "send_exemplars?)");
  }

  @Test
  void knownButUnsupportedTempoKeysAreWarnings() throws Exception {
    ConfigFile f = parse(String.join("\n",
        "stream_over_http_enabled: true",
        "server:",
        "  http_listen_port: 3200",
        "  log_level: info",
        "query_frontend:",
        "  search:",
        "    duration_slo: 5s",
        "querier: {}",
        "memberlist:",
        "  join_members: [tempo:7946]",
        "distributor:",
        "  receivers:",
        "    jaeger:",
        "      protocols:",
        "        thrift_http:",
        "    otlp:",
        "      protocols:",
        "        http:",
        "        grpc:",
        "ingester:",
        "  max_block_duration: 5m",
        "  lifecycler:",
        "    ring:",
        "      replication_factor: 1",
        "compactor:",
        "  ring:",
        "    kvstore:",
        "      store: inmemory",
        "  compaction:",
        "    block_retention: 1h",
        "storage:",
        "  trace:",
        "    backend: s3",
        "    s3:",
        "      bucket: tempo",
        "    wal:",
        "      path: /var/tempo/wal",
        "    local:",
        "      path: /var/tempo/blocks",
        "metrics_generator:",
        "  storage:",
        "    path: /var/tempo/generator/wal",
        "  traces_storage:",
        "    path: /var/tempo/generator/traces",
        "overrides:",
        "  defaults:",
        "    metrics_generator:",
        "      processors: [service-graphs, span-metrics, local-blocks]",
        "      generate_native_histograms: both",
        ""));
    assertThat(f.warnings()).anyMatch(w -> w.startsWith("stream_over_http_enabled: ignored"))
        .anyMatch(w -> w.startsWith("server.log_level: ignored"))
        .anyMatch(w -> w.startsWith("query_frontend: ignored"))
        .anyMatch(w -> w.startsWith("querier: ignored"))
        .anyMatch(w -> w.startsWith("memberlist: ignored"))
        .anyMatch(w -> w.startsWith("distributor.receivers.jaeger: ignored: spanfold receives OTLP only"))
        .anyMatch(w -> w.startsWith("ingester.lifecycler: ignored"))
        .anyMatch(w -> w.startsWith("compactor.ring: ignored"))
        .anyMatch(w -> w.equals("storage.trace.backend: ignored: backend \"s3\" is not supported: spanfold stores"
            + " blocks on the local disk (storage.trace.local.path)"))
        .anyMatch(w -> w.startsWith("storage.trace.s3: ignored"))
        .anyMatch(w -> w.startsWith("storage.trace.wal.path: ignored: spanfold keeps its write-ahead log"))
        .anyMatch(w -> w.startsWith("metrics_generator.storage.path: ignored"))
        .anyMatch(w -> w.startsWith("metrics_generator.traces_storage: ignored"))
        .anyMatch(w -> w.contains("local-blocks: TraceQL metrics are not supported"))
        .anyMatch(w -> w.startsWith("overrides.defaults.metrics_generator.generate_native_histograms: ignored"));
    assertThat(f.warnings()).hasSize(15);
    // what is supported still maps
    assertThat(f.args()).containsExactly("--http.port=3200", "--storage.block-duration=300000ms",
        "--storage.retention=3600000ms", "--data.dir=/var/tempo/blocks");
  }

  @Test
  void invalidValuesFailWithTheKeysPath() {
    assertThatThrownBy(() -> parse("compactor:\n  compaction:\n    block_retention: 7x\n"))
        .hasMessage("config file test.yaml: compactor.compaction.block_retention: invalid duration \"7x\""
            + " (expected e.g. 30s, 15m, 336h)");
    assertThatThrownBy(() -> parse("server:\n  http_listen_port: 70000\n"))
        .hasMessageEndingWith("server.http_listen_port: invalid port 70000 (expected 0-65535)");
    assertThatThrownBy(() -> parse("server:\n  http_listen_port: abc\n"))
        .hasMessageEndingWith("server.http_listen_port: invalid number \"abc\"");
    assertThatThrownBy(() -> parse(
        "distributor:\n  receivers:\n    otlp:\n      protocols:\n        grpc:\n          endpoint: localhost\n"))
        .hasMessageEndingWith("distributor.receivers.otlp.protocols.grpc.endpoint: invalid endpoint \"localhost\""
            + " (expected host:port)");
    assertThatThrownBy(() -> parse("metrics_generator:\n  storage:\n    remote_write:\n      - url: prom:9090\n"))
        .hasMessageEndingWith("metrics_generator.storage.remote_write[0].url: invalid URL \"prom:9090\""
            + " (expected http:// or https://)");
    assertThatThrownBy(() -> parse("metrics_generator:\n  processor:\n    service_graphs:\n      max_items: 0\n"))
        .hasMessageEndingWith("metrics_generator.processor.service_graphs.max_items: invalid value 0"
            + " (expected a number > 0)");
    assertThatThrownBy(() -> parse(
        "metrics_generator:\n  processor:\n    span_metrics:\n      histogram_buckets: [1, 0.5]\n"))
        .hasMessageEndingWith("metrics_generator.processor.span_metrics.histogram_buckets[1]: buckets must be"
            + " finite and increasing");
    assertThatThrownBy(() -> parse(
        "metrics_generator:\n  processor:\n    span_metrics:\n      intrinsic_dimensions:\n        status_mesage: x\n"))
        .hasMessageEndingWith("intrinsic_dimensions.status_mesage: unknown intrinsic dimension (did you mean"
            + " status_message?)");
    assertThatThrownBy(() -> parse("overrides:\n  defaults:\n    metrics_generator:\n      processors: [span-metric]\n"))
        .hasMessageEndingWith("overrides.defaults.metrics_generator.processors: unknown processor \"span-metric\""
            + " (did you mean span-metrics?)");
    assertThatThrownBy(() -> parse("server: [1, 2]\n")).hasMessageEndingWith("server: expected a mapping");
    assertThatThrownBy(() -> parse("server:\n  http_listen_port: 1\n bad-indent\n"))
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void commandLineFlagsOverrideTheFile() throws Exception {
    Path file = tmp.resolve("spanfold.yaml");
    Files.writeString(file, "server:\n  http_listen_port: 3200\ncompactor:\n  compaction:\n    block_retention: 48h\n"
        + "metrics_generator:\n  processor:\n    service_graphs:\n      wait: 10s\n");
    String[] cli = {"--config.file=" + file, "--http.port=3201", "--service-graph.wait=3s"};
    ConfigFile f = SpanfoldServer.configFile(cli);
    String[] all = SpanfoldServer.concat(f.args(), cli);
    ServerConfig c = ServerConfig.parse(all);
    assertThat(c.httpPort()).isEqualTo(3201);
    assertThat(c.retention()).isEqualTo(Duration.ofHours(48)); // from the file, no flag
    assertThat(ServiceGraphConfig.parse(all).wait).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void limitsAndTenancyMapToTheGuardFlags() throws Exception {
    ConfigFile f = parse("multitenancy_enabled: true\noverrides:\n  defaults:\n    ingestion:\n"
        + "      rate_limit_bytes: 15000000\n      burst_size_bytes: 20000000\n      max_traces_per_user: 10000\n"
        + "      rate_strategy: local\n    global:\n      max_bytes_per_trace: 5000000\n");
    assertThat(f.args()).containsExactly("--multitenancy.enabled=true", "--ingestion.rate-limit-bytes=15000000",
        "--ingestion.burst-size-bytes=20000000", "--ingestion.max-traces-per-user=10000",
        "--ingestion.max-bytes-per-trace=5000000");
    assertThat(f.warnings()).containsExactly(
        "overrides.defaults.ingestion.rate_strategy: ignored: not implemented by spanfold");
    GuardConfig g = GuardConfig.parse(f.args().toArray(new String[0]));
    assertThat(g.multitenancy()).isTrue();
    assertThat(g.rateLimitBytes).isEqualTo(15_000_000L);
    assertThat(g.maxBytesPerTrace).isEqualTo(5_000_000L);
    assertThatThrownBy(() -> parse("overrides:\n  defaults:\n    ingestion:\n      rate_limit_bytes: -1\n"))
        .hasMessageEndingWith("overrides.defaults.ingestion.rate_limit_bytes: invalid value -1 (expected a number >= 0)");
  }

  @Test
  void anEmptyFileMeansTheDefaults() throws Exception {
    assertThat(parse("").args()).isEmpty();
    assertThat(parse("# nothing\n").warnings()).isEmpty();
  }

  @Test
  void goDurations() {
    assertThat(ConfigFile.GoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(ConfigFile.GoDuration.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(ConfigFile.GoDuration.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(ConfigFile.GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(ConfigFile.GoDuration.parse("7x")).isNull();
    assertThat(ConfigFile.GoDuration.parse("h")).isNull();
    assertThat(List.of("", " ")).allMatch(s -> ConfigFile.GoDuration.parse(s) == null);
  }
}
