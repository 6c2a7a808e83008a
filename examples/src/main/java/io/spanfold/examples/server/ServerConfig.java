package io.spanfold.examples.server;

import io.spanfold.core.store.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Settings of the server jar, from command-line flags in Tempo's naming ({@code --otlp.grpc.port=4317}). Defaults:
 * receivers on {@code 0.0.0.0:4317} (gRPC) and {@code :4318} (HTTP), query API on {@code :3200}, data in
 * {@code ./data}. Port 0 picks a free port (the server logs the ones it got).
 *
 * <p>To add a flag, add one {@link #FLAGS} entry and a field with its builder setter.
 */
public final class ServerConfig {
  private final String bind;
  private final int otlpGrpcPort;
  private final int otlpHttpPort;
  private final int httpPort;
  private final Path dataDir;
  private final int otlpGrpcMaxRecvMsgSizeMib;
  private final int otlpHttpMaxBodyBytes;
  private final Duration retention;
  private final long storageMaxBytes;
  private final Duration blockDuration;
  private final FsyncPolicy fsyncPolicy;

  private ServerConfig(Builder b) {
    this.bind = b.bind;
    this.otlpGrpcPort = b.otlpGrpcPort;
    this.otlpHttpPort = b.otlpHttpPort;
    this.httpPort = b.httpPort;
    this.dataDir = b.dataDir;
    this.otlpGrpcMaxRecvMsgSizeMib = b.otlpGrpcMaxRecvMsgSizeMib;
    this.otlpHttpMaxBodyBytes = b.otlpHttpMaxBodyBytes;
    this.retention = b.retention;
    this.storageMaxBytes = b.storageMaxBytes;
    this.blockDuration = b.blockDuration;
    this.fsyncPolicy = b.fsyncPolicy;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The defaults: what {@code java -jar spanfold-server.jar} runs with. */
  public static ServerConfig defaults() {
    return builder().build();
  }

  /** The interface every port binds. */
  public String bind() {
    return bind;
  }

  public int otlpGrpcPort() {
    return otlpGrpcPort;
  }

  public int otlpHttpPort() {
    return otlpHttpPort;
  }

  /** The query API and /metrics port (Tempo's {@code server.http_listen_port}). */
  public int httpPort() {
    return httpPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  public int otlpGrpcMaxRecvMsgSizeMib() {
    return otlpGrpcMaxRecvMsgSizeMib;
  }

  public int otlpHttpMaxBodyBytes() {
    return otlpHttpMaxBodyBytes;
  }

  /** How long traces are kept (Tempo's {@code compactor.compaction.block_retention}). */
  public Duration retention() {
    return retention;
  }

  /** Cap on the bytes the store keeps on disk, oldest blocks deleted first; 0 for no cap. */
  public long storageMaxBytes() {
    return storageMaxBytes;
  }

  /** How long the head block takes writes before it is completed. */
  public Duration blockDuration() {
    return blockDuration;
  }

  public FsyncPolicy fsyncPolicy() {
    return fsyncPolicy;
  }

  @Override
  public String toString() {
    return "ServerConfig{retention=" + retention + ", storageMaxBytes=" + storageMaxBytes + ", blockDuration="
        + blockDuration + ", fsyncPolicy=" + fsyncPolicy + ", bind=" + bind + ", otlpGrpcPort=" + otlpGrpcPort + ", otlpHttpPort=" + otlpHttpPort
        + ", httpPort=" + httpPort + ", dataDir=" + dataDir + ", otlpGrpcMaxRecvMsgSizeMib="
        + otlpGrpcMaxRecvMsgSizeMib + ", otlpHttpMaxBodyBytes=" + otlpHttpMaxBodyBytes + "}";
  }

  /** A flag: its description, default (for --help) and how it sets the builder. */
  private static final class Flag {
    final String help;
    final String defaultValue;
    final BiConsumer<Builder, String> apply;

    Flag(String help, String defaultValue, BiConsumer<Builder, String> apply) {
      this.help = help;
      this.defaultValue = defaultValue;
      this.apply = apply;
    }
  }

  private static final Map<String, Flag> FLAGS = new LinkedHashMap<>();

  static {
    FLAGS.put("bind", new Flag("interface every port binds (127.0.0.1 for local only)", "0.0.0.0",
        (b, v) -> b.bind(v)));
    FLAGS.put("otlp.grpc.port", new Flag("OTLP/gRPC receiver port (0 = any free port)", "4317",
        (b, v) -> b.otlpGrpcPort(port("otlp.grpc.port", v))));
    FLAGS.put("otlp.http.port", new Flag("OTLP/HTTP receiver port (0 = any free port)", "4318",
        (b, v) -> b.otlpHttpPort(port("otlp.http.port", v))));
    FLAGS.put("http.port", new Flag("query API and /metrics port (0 = any free port)", "3200",
        (b, v) -> b.httpPort(port("http.port", v))));
    FLAGS.put("data.dir", new Flag("data directory", "./data", (b, v) -> b.dataDir(Paths.get(v))));
    FLAGS.put("otlp.grpc.max-recv-msg-size-mib", new Flag("largest OTLP/gRPC message in MiB", "4",
        (b, v) -> b.otlpGrpcMaxRecvMsgSizeMib(positive("otlp.grpc.max-recv-msg-size-mib", v))));
    FLAGS.put("otlp.http.max-body-bytes", new Flag("largest OTLP/HTTP body in bytes, after decompression",
        Integer.toString(20 * 1024 * 1024),
        (b, v) -> b.otlpHttpMaxBodyBytes(positive("otlp.http.max-body-bytes", v))));
    FLAGS.put("storage.retention", new Flag("how long traces are kept (e.g. 168h, 7d)", "168h",
        (b, v) -> b.retention(duration("storage.retention", v))));
    FLAGS.put("storage.max-bytes", new Flag("cap on stored bytes, oldest blocks deleted first (0 = no cap)", "0",
        (b, v) -> b.storageMaxBytes(nonNegativeLong("storage.max-bytes", v))));
    FLAGS.put("storage.block-duration", new Flag("how long the head block takes writes before completion", "1h",
        (b, v) -> b.blockDuration(duration("storage.block-duration", v))));
    FLAGS.put("config.file", new Flag("Tempo-style YAML config file; flags given on the command line win over it",
        "none", (b, v) -> { }));
    FLAGS.put("storage.fsync", new Flag("when the span log is fsynced: none, interval (1 s) or every-batch",
        "interval", (b, v) -> b.fsyncPolicy(fsync("storage.fsync", v))));
  }

  /** Go-style durations as Tempo's config uses them, plus days: {@code 500ms}, {@code 30s}, {@code 15m}, {@code 168h}, {@code 7d}. */
  static Duration duration(String flag, String v) {
    String s = v.trim();
    try {
      if (s.endsWith("ms")) {
        return positive(flag, v, Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2))));
      }
      long n = Long.parseLong(s.substring(0, s.length() - 1));
      switch (s.charAt(s.length() - 1)) {
        case 's':
          return positive(flag, v, Duration.ofSeconds(n));
        case 'm':
          return positive(flag, v, Duration.ofMinutes(n));
        case 'h':
          return positive(flag, v, Duration.ofHours(n));
        case 'd':
          return positive(flag, v, Duration.ofDays(n));
        default:
          break;
      }
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("invalid value for --" + flag + ": \"" + v
        + "\" (expected a duration such as 30s, 15m, 168h or 7d)");
  }

  private static Duration positive(String flag, String v, Duration d) {
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("invalid value for --" + flag + ": \"" + v + "\" (expected a duration > 0)");
    }
    return d;
  }

  private static long nonNegativeLong(String flag, String v) {
    try {
      long n = Long.parseLong(v.trim());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("invalid value for --" + flag + ": \"" + v + "\" (expected a number >= 0)");
  }

  private static FsyncPolicy fsync(String flag, String v) {
    switch (v.trim()) {
      case "none":
        return FsyncPolicy.NONE;
      case "interval":
        return FsyncPolicy.INTERVAL;
      case "every-batch":
        return FsyncPolicy.EVERY_BATCH;
      default:
        throw new IllegalArgumentException("invalid value for --" + flag + ": \"" + v
            + "\" (expected none, interval or every-batch)");
    }
  }

  /** Thrown for a command line that can't be run; the message is for the user. */
  public static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /**
   * Flag namespaces parsed by the module that owns them (redmetrics' {@code RedMetricsWiring}); this parser lets them
   * through and that module rejects unknown names in its namespace.
   */
  static final String[] DELEGATED_PREFIXES = {"remote-write.", "span-metrics.", "service-graph."};

  /** Whether {@code name} is one of this class's own flags. */
  static boolean declares(String name) {
    return FLAGS.containsKey(name);
  }

  private static boolean delegated(String name) {
    if (GuardConfig.owns(name)) {
      return true;
    }
    for (String p : DELEGATED_PREFIXES) {
      if (name.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Parses {@code --name=value} flags.
   *
   * @throws UsageException for an unknown flag, a missing {@code =value} or a bad value
   */
  public static ServerConfig parse(String... args) throws UsageException {
    Builder b = builder();
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument: " + arg + " (flags look like --name=value; see --help)");
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
      Flag flag = FLAGS.get(name);
      if (flag == null && delegated(name)) {
        continue;
      }
      if (flag == null) {
        throw new UsageException("unknown flag: --" + name + " (see --help)");
      }
      if (eq < 0) {
        throw new UsageException("flag --" + name + " needs a value: --" + name + "=" + flag.defaultValue);
      }
      try {
        flag.apply.accept(b, arg.substring(eq + 1));
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    return b.build();
  }

  /** The --help text. */
  public static String usage() {
    StringBuilder sb = new StringBuilder("usage: java -jar spanfold-server.jar [--flag=value ...]\n\nflags:\n");
    for (Map.Entry<String, Flag> e : FLAGS.entrySet()) {
      sb.append(String.format("  --%-34s %s (default %s)%n", e.getKey() + "=", e.getValue().help,
          e.getValue().defaultValue));
    }
    sb.append(String.format("  --%-34s %s%n", "help", "print this and exit"));
    sb.append("\nspan-metrics and remote write (off unless --remote-write.url is set):\n");
    for (String line : new String[] {
        "--remote-write.url=URL               Prometheus remote-write endpoint, e.g. http://127.0.0.1:9090/api/v1/write",
        "--remote-write.interval=15s          collection and send interval",
        "--remote-write.external-label=k=v    extra label on every series (repeatable)",
        "--remote-write.instance-label=true   add __metrics_gen_instance=<hostname>",
        "--remote-write.bearer-token=TOKEN    or --remote-write.basic-auth=user:password",
        "--span-metrics.dimensions=a,b        extra attribute dimensions",
        "--span-metrics.max-active-series=0   series limit (0 = unlimited)",
        "--span-metrics.stale-duration=15m    drop series not updated for this long",
        "--span-metrics.ingestion-slack=30s   ignore spans ending further from now than this",
        "--span-metrics.status-message=false  add the status_message label",
        "--span-metrics.histogram-buckets=a,b latency buckets in seconds (default Tempo's)",
        "--span-metrics.intrinsic-dimension=status_message=true  toggle an intrinsic label (repeatable)",
        "--remote-write.header=Name=value     extra request header (repeatable)",
        "--remote-write.send-exemplars=true   send exemplars (trace ids) with the samples"}) {
      sb.append("  ").append(line).append('\n');
    }
    sb.append(ServiceGraphConfig.usage());
    sb.append(GuardConfig.usage());
    return sb.toString();
  }

  private static int port(String flag, String v) {
    int p = integer(flag, v);
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException("invalid value for --" + flag + ": \"" + v + "\" (expected a port 0-65535)");
    }
    return p;
  }

  private static int positive(String flag, String v) {
    int n = integer(flag, v);
    if (n <= 0) {
      throw new IllegalArgumentException("invalid value for --" + flag + ": \"" + v + "\" (expected a number > 0)");
    }
    return n;
  }

  private static int integer(String flag, String v) {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid value for --" + flag + ": \"" + v + "\" (expected a number)");
    }
  }

  /** Settings with validation; the setters name the field they reject. */
  public static final class Builder {
    private String bind = "0.0.0.0";
    private int otlpGrpcPort = 4317;
    private int otlpHttpPort = 4318;
    private int httpPort = 3200;
    private Path dataDir = Paths.get("data");
    private int otlpGrpcMaxRecvMsgSizeMib = 4;
    private int otlpHttpMaxBodyBytes = 20 * 1024 * 1024;
    private Duration retention = Duration.ofDays(7);
    private long storageMaxBytes;
    private Duration blockDuration = Duration.ofHours(1);
    private FsyncPolicy fsyncPolicy = FsyncPolicy.INTERVAL;

    private Builder() {}

    public Builder retention(Duration retention) {
      this.retention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    public Builder storageMaxBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("storageMaxBytes < 0: " + bytes);
      }
      this.storageMaxBytes = bytes;
      return this;
    }

    public Builder blockDuration(Duration blockDuration) {
      this.blockDuration = Objects.requireNonNull(blockDuration, "blockDuration");
      return this;
    }

    public Builder fsyncPolicy(FsyncPolicy fsyncPolicy) {
      this.fsyncPolicy = Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
      return this;
    }

    public Builder bind(String bind) {
      Objects.requireNonNull(bind, "bind");
      if (bind.isBlank()) {
        throw new IllegalArgumentException("bind is empty");
      }
      this.bind = bind.trim();
      return this;
    }

    public Builder otlpGrpcPort(int port) {
      this.otlpGrpcPort = checkPort("otlpGrpcPort", port);
      return this;
    }

    public Builder otlpHttpPort(int port) {
      this.otlpHttpPort = checkPort("otlpHttpPort", port);
      return this;
    }

    public Builder httpPort(int port) {
      this.httpPort = checkPort("httpPort", port);
      return this;
    }

    public Builder dataDir(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    public Builder otlpGrpcMaxRecvMsgSizeMib(int mib) {
      if (mib <= 0 || mib > 2047) {
        throw new IllegalArgumentException("otlpGrpcMaxRecvMsgSizeMib out of range 1-2047: " + mib);
      }
      this.otlpGrpcMaxRecvMsgSizeMib = mib;
      return this;
    }

    public Builder otlpHttpMaxBodyBytes(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("otlpHttpMaxBodyBytes <= 0: " + bytes);
      }
      this.otlpHttpMaxBodyBytes = bytes;
      return this;
    }

    private static int checkPort(String field, int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(field + " out of range 0-65535: " + port);
      }
      return port;
    }

    public ServerConfig build() {
      return new ServerConfig(this);
    }
  }
}
