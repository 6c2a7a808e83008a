package io.spanfold.bench.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The load generator's settings, parsed from {@code --name=value} (or {@code --name value}) arguments. Every value is
 * validated here, with a message that names the flag; the target host must be this machine.
 *
 * @param protocol {@code http} (OTLP/HTTP, {@code POST /v1/traces}) or {@code grpc} (OTLP/gRPC {@code Export})
 * @param host target host: only {@code 127.0.0.1}, {@code localhost} or {@code ::1}
 * @param port OTLP port (default 4318 for HTTP, 4317 for gRPC)
 * @param json OTLP/HTTP body as OTLP/JSON instead of protobuf
 * @param gzip compress request bodies (HTTP {@code Content-Encoding: gzip}, gRPC message compression)
 * @param rate target spans/s (open loop, latency from the intended send time); 0 = closed loop, as fast as accepted
 * @param concurrency requests in flight at most
 * @param connections gRPC channels (connections) the requests are spread over; HTTP opens one keep-alive connection
 *     per request in flight
 * @param batch spans per request
 * @param traceSpans spans per trace, exactly ({@code 0}: BenchData's skewed 1–50 mix)
 * @param pool distinct pre-generated requests (trace ids are made unique per request on top of them)
 * @param duration load duration after the warmup
 * @param warmup load before the measurement (not counted)
 * @param requests stop after this many requests (warmup included), whichever of this and the duration comes first
 * @param timeout per request
 * @param seed seed of the generated data (trace ids are salted per run unless {@code --id-salt} is given)
 * @param idSalt XORed into every trace id, so that two runs never send the same trace ids
 * @param checkTraces after the load, look up this many sampled trace ids on the query port (0 = no check)
 * @param lookupRate during the measured window, look up this many already accepted trace ids per second, one at a
 *     time, on the query port (0 = none)
 * @param queryPort the server's query (Tempo API) port
 * @param jsonOut where to write a JSON summary, or {@code null}
 * @param progress print a progress line every this often ({@link Duration#ZERO} = never)
 * @param jdkClient send OTLP/HTTP with the JDK's {@code HttpClient} instead of the (cheaper) Netty client
 * @param lookupClient how trace lookups are sent: {@code socket} (blocking HTTP/1.1 on a kept-alive socket, the
 *     default) or {@code jdk} (the JDK's {@code HttpClient}; the default with {@code --client=jdk})
 */
public record LoadOptions(
    String protocol,
    String host,
    int port,
    boolean json,
    boolean gzip,
    long rate,
    int concurrency,
    int connections,
    int batch,
    int traceSpans,
    int pool,
    Duration duration,
    Duration warmup,
    long requests,
    Duration timeout,
    long seed,
    long idSalt,
    int checkTraces,
    int lookupRate,
    int queryPort,
    Path jsonOut,
    Duration progress,
    boolean jdkClient,
    String lookupClient) {

  /** The hosts the load generator may send to: this machine only (the workplace forbids traffic elsewhere). */
  public static final Set<String> ALLOWED_HOSTS = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

  static final Duration MAX_DURATION = Duration.ofHours(1);

  /** Usage text for {@code --help}. */
  public static final String USAGE = String.join("\n",
      "Usage: java -cp bench/target/benchmarks.jar io.spanfold.bench.load.LoadGenerator [options]",
      "",
      "Sends OTLP trace export requests built from BenchData (Beyla-like spans) to a spanfold server on this machine",
      "and reports accepted spans/s, request latency percentiles, status counts and bytes sent.",
      "",
      "Target",
      "  --protocol=http|grpc     OTLP/HTTP POST /v1/traces or OTLP/gRPC TraceService/Export (default http)",
      "  --host=HOST              127.0.0.1 (default), localhost or ::1 only; other hosts are refused",
      "  --port=N                 OTLP port (default 4318 for http, 4317 for grpc)",
      "  --encoding=protobuf|json HTTP body encoding (default protobuf; gRPC is always protobuf)",
      "  --gzip                   compress request bodies",
      "  --client=netty|jdk       OTLP/HTTP client: Netty (default, ~5x less CPU) or the JDK's HttpClient",
      "Load",
      "  --rate=SPANS_PER_S       open loop at this many spans/s, latency measured from the intended send time",
      "                           (coordinated-omission correct); 0 = closed loop, as fast as the server accepts",
      "                           (default 0)",
      "  --concurrency=N          requests in flight at most (default 8)",
      "  --connections=N          gRPC channels to spread requests over (default 1); HTTP uses one keep-alive",
      "                           connection per request in flight",
      "  --batch=B                spans per request (default 100)",
      "  --trace-spans=T          every trace has exactly T spans (default 0: Beyla-like mix of 1-50, ~9 on average)",
      "  --pool=P                 distinct pre-generated requests; each request sent gets unique trace ids (default 64)",
      "  --duration=D             measured load duration, e.g. 30s, 500ms, 2m (default 10s, at most 1h)",
      "  --warmup=D               unmeasured load before it (default 0s)",
      "  --requests=N             stop after N requests, warmup included (default 100000000); whichever of",
      "                           --duration and --requests comes first ends the run",
      "  --timeout=D              per request (default 10s)",
      "  --seed=S                 data seed (default 1)",
      "  --id-salt=S              XORed into trace ids (default: random, so runs never repeat trace ids)",
      "Checks and output",
      "  --check-traces=N         afterwards GET /api/v2/traces/{id} (Accept: application/protobuf) for N sampled",
      "                           accepted trace ids on the query port; report found/missing and lookup latency",
      "  --lookup-rate=N          while the load is measured, also GET /api/v2/traces/{id} of N already accepted",
      "                           trace ids per second (a uniform pick among those acknowledged so far, one at a",
      "                           time, at most 1000/s) and report their latency separately (default 0 = none)",
      "  --lookup-client=socket|jdk  client of the lookups: HTTP/1.1 on a kept-alive socket, read by the looking-up",
      "                           thread (default), or the JDK's HttpClient (default with --client=jdk); either way",
      "                           the server's own timing (tempo_request_duration_seconds, scraped from /metrics",
      "                           before and after) is reported beside the client's",
      "  --query-port=N           the query API port (default 3200)",
      "  --json=PATH              also write a JSON summary to PATH",
      "  --progress=D             print progress every D (default 5s; 0 = never)",
      "  --help                   this text");

  /** Thrown for a bad argument; the message names the flag. */
  public static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /**
   * Parses arguments. Returns {@code null} when {@code --help} was asked for.
   *
   * @throws UsageException on an unknown flag, a malformed value or a refused host
   */
  public static LoadOptions parse(String... args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new UsageException("unexpected argument '" + a + "' (flags look like --name=value)");
      }
      String name;
      String value;
      int eq = a.indexOf('=');
      if (eq >= 0) {
        name = a.substring(2, eq);
        value = a.substring(eq + 1);
      } else {
        name = a.substring(2);
        if (name.equals("help") || name.equals("gzip")) {
          value = "true";
        } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
          value = args[++i];
        } else {
          throw new UsageException("--" + name + " needs a value");
        }
      }
      if (!KNOWN.contains(name)) {
        throw new UsageException("unknown flag --" + name + " (see --help)");
      }
      if (values.put(name, value) != null) {
        throw new UsageException("--" + name + " given twice");
      }
    }
    if (bool(values, "help")) {
      return null;
    }
    String protocol = values.getOrDefault("protocol", "http").toLowerCase(Locale.ROOT);
    if (!protocol.equals("http") && !protocol.equals("grpc")) {
      throw new UsageException("--protocol must be http or grpc, not '" + protocol + "'");
    }
    String host = checkHost(values.getOrDefault("host", "127.0.0.1"));
    int port = (int) number(values, "port", protocol.equals("http") ? 4318 : 4317, 1, 65535);
    String encoding = values.getOrDefault("encoding", "protobuf").toLowerCase(Locale.ROOT);
    if (!encoding.equals("protobuf") && !encoding.equals("json")) {
      throw new UsageException("--encoding must be protobuf or json, not '" + encoding + "'");
    }
    boolean json = encoding.equals("json");
    String client = values.getOrDefault("client", "netty").toLowerCase(Locale.ROOT);
    if (!client.equals("netty") && !client.equals("jdk")) {
      throw new UsageException("--client must be netty or jdk, not '" + client + "'");
    }
    String lookupClient = values.getOrDefault("lookup-client", client.equals("jdk") ? "jdk" : "socket")
        .toLowerCase(Locale.ROOT);
    if (!lookupClient.equals("socket") && !lookupClient.equals("jdk")) {
      throw new UsageException("--lookup-client must be socket or jdk, not '" + lookupClient + "'");
    }
    if (json && protocol.equals("grpc")) {
      throw new UsageException("--encoding=json is for --protocol=http only (OTLP/gRPC is protobuf)");
    }
    Duration duration = duration(values, "duration", Duration.ofSeconds(10));
    if (duration.isZero()) {
      throw new UsageException("--duration must be > 0");
    }
    Duration warmup = duration(values, "warmup", Duration.ZERO);
    if (duration.plus(warmup).compareTo(MAX_DURATION) > 0) {
      throw new UsageException("--duration plus --warmup must be at most " + MAX_DURATION.toMinutes() + " minutes");
    }
    Duration timeout = duration(values, "timeout", Duration.ofSeconds(10));
    if (timeout.isZero()) {
      throw new UsageException("--timeout must be > 0");
    }
    String jsonPath = values.get("json");
    if (jsonPath != null && jsonPath.isEmpty()) {
      throw new UsageException("--json needs a path");
    }
    long idSalt = values.containsKey("id-salt")
        ? number(values, "id-salt", 0, Long.MIN_VALUE, Long.MAX_VALUE)
        : new java.security.SecureRandom().nextLong();
    return new LoadOptions(
        protocol,
        host,
        port,
        json,
        bool(values, "gzip"),
        number(values, "rate", 0, 0, 1_000_000_000L),
        (int) number(values, "concurrency", 8, 1, 10_000),
        (int) number(values, "connections", 1, 1, 1_000),
        (int) number(values, "batch", 100, 1, 100_000),
        (int) number(values, "trace-spans", 0, 0, 100_000),
        (int) number(values, "pool", 64, 1, 100_000),
        duration,
        warmup,
        number(values, "requests", 100_000_000L, 1, Long.MAX_VALUE),
        timeout,
        number(values, "seed", 1, Long.MIN_VALUE, Long.MAX_VALUE),
        idSalt,
        (int) number(values, "check-traces", 0, 0, 1_000_000),
        (int) number(values, "lookup-rate", 0, 0, 1_000),
        (int) number(values, "query-port", 3200, 1, 65535),
        jsonPath == null ? null : Path.of(jsonPath),
        duration(values, "progress", Duration.ofSeconds(5)),
        client.equals("jdk"),
        lookupClient);
  }

  private static final Set<String> KNOWN = Set.of("protocol", "host", "port", "encoding", "gzip", "rate",
      "concurrency", "connections", "batch", "trace-spans", "pool", "duration", "warmup", "requests", "timeout", "seed",
      "id-salt",
      "check-traces", "lookup-rate", "lookup-client", "query-port", "json", "progress", "client", "help");

  /**
   * Returns the host if it is this machine's loopback name or address, else throws: the load generator must never
   * send traffic to another machine.
   */
  public static String checkHost(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (!ALLOWED_HOSTS.contains(h)) {
      throw new UsageException("refusing to send load to host '" + host + "': only 127.0.0.1, localhost or ::1 are"
          + " allowed (load must stay on this machine)");
    }
    return h.equals("[::1]") ? "::1" : h;
  }

  /** Whether this is an open-loop (fixed-rate) run. */
  public boolean openLoop() {
    return rate > 0;
  }

  /** Host as it appears in a URI authority. */
  public String uriHost() {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  private static boolean bool(Map<String, String> values, String name) {
    String v = values.get(name);
    if (v == null) {
      return false;
    }
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw new UsageException("--" + name + " takes true or false, not '" + v + "'");
  }

  private static long number(Map<String, String> values, String name, long dflt, long min, long max) {
    String v = values.get(name);
    if (v == null) {
      return dflt;
    }
    long n;
    try {
      n = Long.parseLong(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be an integer, not '" + v + "'");
    }
    if (n < min || n > max) {
      throw new UsageException("--" + name + " must be in [" + min + ", " + max + "], not " + n);
    }
    return n;
  }

  /** Parses {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, or a bare number of seconds. */
  static Duration duration(Map<String, String> values, String name, Duration dflt) {
    String v = values.get(name);
    if (v == null) {
      return dflt;
    }
    String s = v.trim().toLowerCase(Locale.ROOT);
    try {
      Duration d;
      if (s.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      } else if (s.endsWith("s")) {
        d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
      } else if (s.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
      } else if (s.endsWith("h")) {
        d = Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
      } else {
        d = Duration.ofSeconds(Long.parseLong(s));
      }
      if (d.isNegative()) {
        throw new UsageException("--" + name + " must not be negative, not '" + v + "'");
      }
      return d;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a duration like 500ms, 10s, 2m or 1h, not '" + v + "'");
    }
  }
}
