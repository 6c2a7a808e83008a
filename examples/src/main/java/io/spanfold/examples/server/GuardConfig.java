package io.spanfold.examples.server;

import io.netty.handler.ssl.SslContext;
import io.spanfold.core.ingest.IngestLimiter;
import io.spanfold.core.ingest.IngestMetrics;
import io.spanfold.core.ingest.IngestRateLimiter;
import io.spanfold.core.ingest.TraceLimiter;
import io.spanfold.otlp.guard.Authenticator;
import io.spanfold.otlp.guard.IngestGuard;
import io.spanfold.otlp.guard.QueryGuard;
import io.spanfold.otlp.guard.TlsFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Security and limit settings of the server jar ({@code --ingestion.*}, {@code --auth.*}, {@code --tls.*},
 * {@code --multitenancy.enabled}, {@code --query.max-*}): every protection is off unless its flag is given, except the
 * query's max trace size (5 MB, Tempo's default). Secrets (tokens, passwords) never appear in {@link #toString()} or in
 * error messages.
 */
public final class GuardConfig {
  /** Flag namespaces owned by this class (ServerConfig lets them through). */
  static final String[] PREFIXES = {"ingestion.", "auth.", "tls.", "multitenancy.", "query."};

  long memoryBudgetBytes;
  int retryAfterSeconds = 1;
  long rateLimitBytes;
  long burstSizeBytes = 20_000_000;
  long maxBytesPerTrace;
  int maxTracesPerUser;
  Authenticator ingestAuth = Authenticator.NONE;
  Authenticator queryAuth = Authenticator.NONE;
  Set<String> openPaths = Set.of("/ready", "/metrics");
  boolean multitenancy;
  Path certFile;
  Path keyFile;
  Path clientCaFile;
  int queryMaxConcurrent;
  int queryMaxTraceBytes = 5_000_000;
  long queryTimeoutSeconds;
  int maxAttributeBytes;

  /** Nothing protected; what a server started without these flags runs with. */
  public static GuardConfig defaults() {
    return new GuardConfig();
  }

  private static final class Flag {
    final String help;
    final String defaultValue;
    final BiConsumer<GuardConfig, String> apply;

    Flag(String help, String defaultValue, BiConsumer<GuardConfig, String> apply) {
      this.help = help;
      this.defaultValue = defaultValue;
      this.apply = apply;
    }
  }

  private static final Map<String, Flag> FLAGS = new LinkedHashMap<>();

  static {
    FLAGS.put("ingestion.limits", new Flag(
        "tempo: turn on Tempo's default limits (rate 15000000 B/s, burst 20000000 B, 5000000 B per trace, 10000 live"
            + " traces, 2048 B attributes); the flags below override single values", "off",
        (c, v) -> {
          if (!v.equals("tempo") && !v.equals("off")) {
            throw new IllegalArgumentException("expected tempo or off");
          }
        }));
    FLAGS.put("ingestion.memory-budget-bytes", new Flag(
        "bytes of request bodies held at once by both receivers; beyond: 429 / RESOURCE_EXHAUSTED (0 = off)", "0",
        (c, v) -> c.memoryBudgetBytes = nonNegativeLong("ingestion.memory-budget-bytes", v)));
    FLAGS.put("ingestion.retry-after-seconds", new Flag("Retry-After / RetryInfo delay of overload refusals", "1",
        (c, v) -> c.retryAfterSeconds = (int) nonNegativeLong("ingestion.retry-after-seconds", v)));
    FLAGS.put("ingestion.rate-limit-bytes", new Flag(
        "per-tenant ingest rate in bytes/s, Tempo's ingestion_rate_limit_bytes (Tempo: 15000000; 0 = off)", "0",
        (c, v) -> c.rateLimitBytes = nonNegativeLong("ingestion.rate-limit-bytes", v)));
    FLAGS.put("ingestion.burst-size-bytes", new Flag("per-tenant burst, Tempo's ingestion_burst_size_bytes",
        "20000000", (c, v) -> c.burstSizeBytes = positiveLong("ingestion.burst-size-bytes", v)));
    FLAGS.put("ingestion.max-bytes-per-trace", new Flag(
        "spans beyond this many bytes per live trace are discarded as trace_too_large (Tempo: 5000000; 0 = off)",
        "0", (c, v) -> c.maxBytesPerTrace = nonNegativeLong("ingestion.max-bytes-per-trace", v)));
    FLAGS.put("ingestion.max-traces-per-user", new Flag(
        "live traces per tenant; new ones beyond are discarded as live_traces_exceeded (Tempo: 10000; 0 = off)", "0",
        (c, v) -> c.maxTracesPerUser = (int) nonNegativeLong("ingestion.max-traces-per-user", v)));
    FLAGS.put("ingestion.max-attribute-bytes", new Flag(
        "string attribute values/keys longer than this are cut, Tempo's max_attribute_bytes (Tempo: 2048; 0 = off)",
        "0", (c, v) -> c.maxAttributeBytes = (int) Math.min(Integer.MAX_VALUE,
            nonNegativeLong("ingestion.max-attribute-bytes", v))));
    FLAGS.put("auth.ingest.bearer-token", new Flag("bearer token required by both receivers", "none",
        (c, v) -> c.ingestAuth = Authenticator.bearerToken(v)));
    FLAGS.put("auth.ingest.bearer-token-file", new Flag("file holding the ingest bearer token", "none",
        (c, v) -> c.ingestAuth = Authenticator.bearerToken(secretFile("auth.ingest.bearer-token-file", v))));
    FLAGS.put("auth.ingest.basic-auth", new Flag("user:password required by both receivers", "none",
        (c, v) -> c.ingestAuth = Authenticator.parseBasic(v)));
    FLAGS.put("auth.query.bearer-token", new Flag("bearer token required on the query port", "none",
        (c, v) -> c.queryAuth = Authenticator.bearerToken(v)));
    FLAGS.put("auth.query.bearer-token-file", new Flag("file holding the query bearer token", "none",
        (c, v) -> c.queryAuth = Authenticator.bearerToken(secretFile("auth.query.bearer-token-file", v))));
    FLAGS.put("auth.query.basic-auth", new Flag("user:password required on the query port", "none",
        (c, v) -> c.queryAuth = Authenticator.parseBasic(v)));
    FLAGS.put("auth.query.open-paths", new Flag("query-port paths served without credentials (comma list)",
        "/ready,/metrics", (c, v) -> c.openPaths = paths(v)));
    FLAGS.put("tls.cert-file", new Flag("PEM certificate chain: serve TLS on all three ports", "none",
        (c, v) -> c.certFile = Paths.get(v)));
    FLAGS.put("tls.key-file", new Flag("PEM (PKCS#8) private key of --tls.cert-file", "none",
        (c, v) -> c.keyFile = Paths.get(v)));
    FLAGS.put("tls.client-ca-file", new Flag("PEM CA: require client certificates signed by it (mutual TLS)",
        "none", (c, v) -> c.clientCaFile = Paths.get(v)));
    FLAGS.put("multitenancy.enabled", new Flag(
        "require X-Scope-OrgID (gRPC x-scope-orgid) on ingest and queries; data and queries per tenant", "false",
        (c, v) -> c.multitenancy = bool("multitenancy.enabled", v)));
    FLAGS.put("query.max-concurrent", new Flag("queries running at once; beyond: 429 (0 = no cap)", "0",
        (c, v) -> c.queryMaxConcurrent = (int) nonNegativeLong("query.max-concurrent", v)));
    FLAGS.put("query.timeout-seconds", new Flag("time budget of one query; beyond: 504 (0 = none)", "0",
        (c, v) -> c.queryTimeoutSeconds = nonNegativeLong("query.timeout-seconds", v)));
    FLAGS.put("query.max-trace-bytes", new Flag(
        "largest trace returned whole: v1 422, v2 PARTIAL beyond (0 = no limit)", "5000000",
        (c, v) -> c.queryMaxTraceBytes = (int) Math.min(Integer.MAX_VALUE,
            nonNegativeLong("query.max-trace-bytes", v))));
  }

  /** Whether {@code name} (without {@code --}) is one of this class's flags or namespaces. */
  static boolean owns(String name) {
    for (String p : PREFIXES) {
      if (name.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads this class's flags from a command line; flags of other namespaces, and names {@code ServerConfig} itself
   * declares, are left to their owners.
   *
   * @throws ServerConfig.UsageException for an unknown name in these namespaces or a bad value
   */
  public static GuardConfig parse(String... args) throws ServerConfig.UsageException {
    GuardConfig c = new GuardConfig();
    for (String arg : args) {
      if (arg.equals("--ingestion.limits=tempo")) {
        c.rateLimitBytes = 15_000_000;
        c.burstSizeBytes = 20_000_000;
        c.maxBytesPerTrace = 5_000_000;
        c.maxTracesPerUser = 10_000;
        c.maxAttributeBytes = 2048;
      }
    }
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        continue;
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
      if (!owns(name) || ServerConfig.declares(name)) {
        continue;
      }
      Flag flag = FLAGS.get(name);
      if (flag == null) {
        throw new ServerConfig.UsageException("unknown flag: --" + name + " (see --help)");
      }
      if (eq < 0) {
        throw new ServerConfig.UsageException("flag --" + name + " needs a value");
      }
      try {
        flag.apply.accept(c, arg.substring(eq + 1));
      } catch (IllegalArgumentException e) {
        throw new ServerConfig.UsageException("invalid value for --" + name + ": " + e.getMessage());
      }
    }
    if ((c.certFile == null) != (c.keyFile == null)) {
      throw new ServerConfig.UsageException("--tls.cert-file and --tls.key-file go together");
    }
    if (c.clientCaFile != null && c.certFile == null) {
      throw new ServerConfig.UsageException("--tls.client-ca-file needs --tls.cert-file and --tls.key-file");
    }
    return c;
  }

  /** The --help lines of these flags. */
  static String usage() {
    StringBuilder sb = new StringBuilder("\nsecurity and limits (all off by default):\n");
    for (Map.Entry<String, Flag> e : FLAGS.entrySet()) {
      sb.append(String.format("  --%-34s %s (default %s)%n", e.getKey() + "=", e.getValue().help,
          e.getValue().defaultValue));
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- what the server builds from it

  /** The memory budget shared by both receivers, or {@code null}. */
  IngestLimiter memoryBudget() {
    return memoryBudgetBytes > 0 ? IngestLimiter.ofBytes(memoryBudgetBytes) : null;
  }

  IngestGuard ingestGuard(IngestLimiter budget, IngestMetrics metrics) {
    IngestGuard.Builder b = IngestGuard.builder().authenticator(ingestAuth).multitenancy(multitenancy)
        .retryAfterSeconds(retryAfterSeconds).metrics(metrics);
    if (budget != null) {
      b.memoryBudget(budget);
    }
    if (rateLimitBytes > 0) {
      b.rateLimiter(IngestRateLimiter.builder().bytesPerSecond(rateLimitBytes).burstBytes(burstSizeBytes).build());
    }
    return b.build();
  }

  /** Per-trace limits, or {@code null} when both are off. */
  TraceLimiter traceLimiter() {
    if (maxBytesPerTrace <= 0 && maxTracesPerUser <= 0) {
      return null;
    }
    return TraceLimiter.builder()
        .maxBytesPerTrace(maxBytesPerTrace > 0 ? maxBytesPerTrace : Long.MAX_VALUE)
        .maxLiveTraces(maxTracesPerUser > 0 ? maxTracesPerUser : 1 << 28)
        .build();
  }

  /** Longest attribute string kept whole ({@code SpanIngest.Builder#maxAttributeBytes}); 0 = no limit. */
  int maxAttributeBytes() {
    return maxAttributeBytes;
  }

  QueryGuard queryGuard() {
    QueryGuard.Builder b = QueryGuard.builder().authenticator(queryAuth).multitenancy(multitenancy)
        .openPaths(openPaths).maxConcurrent(queryMaxConcurrent);
    if (queryTimeoutSeconds > 0) {
      b.timeout(java.time.Duration.ofSeconds(queryTimeoutSeconds));
    }
    return b.build();
  }

  /**
   * Worker threads of the query port: with a cap, two more than it, so that a query beyond the cap reaches the cap
   * check at once (and gets 429) instead of waiting in the pool's queue, and /ready and /metrics stay answered;
   * 0 keeps the server's default.
   */
  int queryWorkerThreads() {
    return queryMaxConcurrent > 0 ? queryMaxConcurrent + 2 : 0;
  }

  boolean tls() {
    return certFile != null;
  }

  SslContext httpTls() throws IOException {
    return tls() ? TlsFiles.httpServer(certFile, keyFile, clientCaFile) : null;
  }

  SslContext grpcTls() throws IOException {
    return tls() ? TlsFiles.grpcServer(certFile, keyFile, clientCaFile) : null;
  }

  public boolean multitenancy() {
    return multitenancy;
  }

  /** The largest trace the trace-by-id API returns whole ({@code TraceByIdHandler.Builder#maxTraceBytes}). */
  public int queryMaxTraceBytes() {
    return queryMaxTraceBytes;
  }

  @Override
  public String toString() {
    return "GuardConfig{memoryBudgetBytes=" + memoryBudgetBytes + ", retryAfterSeconds=" + retryAfterSeconds
        + ", rateLimitBytes=" + rateLimitBytes + ", burstSizeBytes=" + burstSizeBytes + ", maxBytesPerTrace="
        + maxBytesPerTrace + ", maxTracesPerUser=" + maxTracesPerUser + ", maxAttributeBytes=" + maxAttributeBytes
        + ", ingestAuth=" + ingestAuth
        + ", queryAuth=" + queryAuth + ", openPaths=" + openPaths + ", multitenancy=" + multitenancy + ", tls="
        + tls() + ", clientCa=" + (clientCaFile != null) + ", queryMaxConcurrent=" + queryMaxConcurrent
        + ", queryMaxTraceBytes=" + queryMaxTraceBytes + ", queryTimeoutSeconds=" + queryTimeoutSeconds + "}";
  }

  private static String secretFile(String flag, String path) {
    try {
      return Files.readString(Paths.get(path), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + path + ": " + e.getMessage());
    }
  }

  private static Set<String> paths(String v) {
    Set<String> out = new LinkedHashSet<>();
    for (String p : v.split(",")) {
      if (!p.isBlank()) {
        out.add(p.trim());
      }
    }
    return out;
  }

  private static boolean bool(String flag, String v) {
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException("expected true or false");
  }

  private static long positiveLong(String flag, String v) {
    long n = nonNegativeLong(flag, v);
    if (n == 0) {
      throw new IllegalArgumentException("expected a number > 0");
    }
    return n;
  }

  private static long nonNegativeLong(String flag, String v) {
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + v + "\" (expected a number)");
    }
    if (n < 0) {
      throw new IllegalArgumentException("\"" + v + "\" (expected a number >= 0)");
    }
    return n;
  }
}
