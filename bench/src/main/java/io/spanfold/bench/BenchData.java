package io.spanfold.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pre-generated, realistic trace data shared by the benchmarks: what Grafana Beyla sends for a small home-lab of
 * services (frigate, ntfy, ollama, immich, paperless, home-assistant…) and their postgres/redis calls. HTTP server and
 * client spans with ~10 attributes each, traces of 1–50 spans, services and routes picked with a Zipf (skewed)
 * popularity. Deterministic for a given seed.
 */
public final class BenchData {
  private BenchData() {}

  static final String[] SERVICES = {
    "frigate", "immich-server", "ntfy", "ollama", "home-assistant", "paperless-ngx", "jellyfin", "nextcloud",
    "vaultwarden", "gitea", "grafana", "prometheus"
  };
  static final String[][] ROUTES = {
    {"/api/events", "/api/stats", "/api/config", "/api/review", "/api/events/{id}/snapshot.jpg", "/api/recordings"},
    {"/api/assets", "/api/assets/{id}/thumbnail", "/api/search/metadata", "/api/timeline/buckets", "/api/users/me"},
    {"/{topic}/json", "/{topic}", "/v1/health", "/{topic}/sse", "/v1/account"},
    {"/api/generate", "/api/chat", "/api/tags", "/api/embeddings", "/api/ps"},
    {"/api/states", "/api/services/{domain}/{service}", "/api/history/period", "/api/websocket", "/auth/token"},
    {"/api/documents/", "/api/documents/{id}/preview/", "/api/tasks/", "/api/search/", "/api/ui_settings/"},
    {"/Items", "/Users/{id}/Items/Resume", "/Videos/{id}/stream", "/Sessions/Playing/Progress", "/System/Info"},
    {"/remote.php/dav/files/{user}", "/ocs/v2.php/apps/notifications/api/v2/notifications", "/status.php"},
    {"/api/sync", "/identity/connect/token", "/api/ciphers", "/notifications/hub", "/alive"},
    {"/api/v1/repos/{owner}/{repo}", "/{owner}/{repo}/info/refs", "/api/v1/user", "/user/events"},
    {"/api/ds/query", "/api/dashboards/uid/{uid}", "/api/search", "/api/annotations", "/api/health"},
    {"/api/v1/query_range", "/api/v1/query", "/api/v1/write", "/-/ready", "/api/v1/labels"}
  };
  static final String[] METHODS = {"GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE"};
  static final String[] AGENTS = {
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Go-http-client/1.1", "python-requests/2.32.3", "okhttp/4.12.0", "curl/8.5.0", "Immich_Android_1.120.2"
  };
  static final String[] DB_OPS = {"SELECT", "SELECT", "SELECT", "INSERT", "UPDATE", "DELETE"};
  static final String[] DB_TABLES = {"assets", "events", "users", "documents", "sessions", "recordings", "tags"};

  /** Zipf-distributed index in [0, n): index 0 is the most popular. */
  static int zipf(SplittableRandom r, int n, double s) {
    double norm = 0;
    for (int i = 1; i <= n; i++) {
      norm += 1 / Math.pow(i, s);
    }
    double u = r.nextDouble() * norm;
    for (int i = 1; i <= n; i++) {
      u -= 1 / Math.pow(i, s);
      if (u <= 0) {
        return i - 1;
      }
    }
    return n - 1;
  }

  static KeyValue str(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static KeyValue num(String k, long v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build();
  }

  static ByteString bytes(long... longs) {
    ByteBuffer b = ByteBuffer.allocate(longs.length * 8);
    for (long l : longs) {
      b.putLong(l);
    }
    return ByteString.copyFrom(b.array());
  }

  static Resource resource(String service) {
    return Resource.newBuilder()
        .addAttributes(str("service.name", service))
        .addAttributes(str("service.namespace", "homelab"))
        .addAttributes(str("service.instance.id", "nas-01:" + service))
        .addAttributes(str("host.name", "nas-01"))
        .addAttributes(str("telemetry.sdk.language", "go"))
        .addAttributes(str("telemetry.sdk.name", "beyla"))
        .addAttributes(str("telemetry.sdk.version", "2.0.4"))
        .addAttributes(str("os.type", "linux"))
        .build();
  }

  private static Span.Builder base(SplittableRandom r, long traceHi, long traceLo, long parent, String name,
      Span.SpanKind kind, long start, long duration) {
    Span.Builder s = Span.newBuilder()
        .setTraceId(bytes(traceHi, traceLo))
        .setSpanId(bytes(r.nextLong() | 1))
        .setName(name)
        .setKind(kind)
        .setStartTimeUnixNano(start)
        .setEndTimeUnixNano(start + duration)
        .setFlags(0x301);
    if (parent != 0) {
      s.setParentSpanId(bytes(parent));
    }
    return s;
  }

  /**
   * Appends one trace (1–50 spans, skewed to small, or exactly {@code fixedSize} when that is positive) to {@code
   * out}, keyed by service; stops at {@code budget} spans.
   */
  private static int trace(SplittableRandom r, Map<String, List<Span>> out, int budget, long now, int fixedSize) {
    long hi = r.nextLong();
    long lo = r.nextLong();
    int size = fixedSize > 0 ? Math.min(budget, fixedSize) : Math.min(budget, 1 + zipf(r, 50, 1.1));
    int svc = zipf(r, SERVICES.length, 1.0);
    String[] routes = ROUTES[svc];
    String route = routes[zipf(r, routes.length, 1.2)];
    String method = METHODS[r.nextInt(METHODS.length)];
    int status = r.nextInt(100) < 4 ? 500 : r.nextInt(100) < 8 ? 404 : 200;
    long start = now - r.nextLong(60_000_000_000L);
    long duration = 200_000 + (long) (r.nextDouble() * r.nextDouble() * 900_000_000);
    Span.Builder root = base(r, hi, lo, 0, method + " " + route, Span.SpanKind.SPAN_KIND_SERVER, start, duration)
        .addAttributes(str("http.request.method", method))
        .addAttributes(str("url.path", route.replace("{id}", Long.toHexString(r.nextLong() >>> 40))))
        .addAttributes(str("http.route", route))
        .addAttributes(num("http.response.status_code", status))
        .addAttributes(str("server.address", SERVICES[svc] + ".homelab.lan"))
        .addAttributes(num("server.port", 8000 + svc))
        .addAttributes(str("network.peer.address", "192.168.1." + (2 + r.nextInt(60))))
        .addAttributes(str("client.address", "192.168.1." + (2 + r.nextInt(60))))
        .addAttributes(str("network.protocol.version", "1.1"))
        .addAttributes(str("user_agent.original", AGENTS[zipf(r, AGENTS.length, 1.0)]))
        .addAttributes(num("http.request.body.size", r.nextInt(4096)));
    if (status >= 500) {
      root.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
    }
    Span rootSpan = root.build();
    out.computeIfAbsent(SERVICES[svc], k -> new ArrayList<>()).add(rootSpan);
    long parent = rootSpan.getSpanId().asReadOnlyByteBuffer().getLong();
    for (int i = 1; i < size; i++) {
      long childStart = start + r.nextLong(Math.max(1, duration / 2));
      long childDuration = Math.max(20_000, (long) (r.nextDouble() * duration / 4));
      if (r.nextInt(3) == 0) {
        String op = DB_OPS[r.nextInt(DB_OPS.length)];
        String table = DB_TABLES[zipf(r, DB_TABLES.length, 1.0)];
        Span db = base(r, hi, lo, parent, op + " " + table, Span.SpanKind.SPAN_KIND_CLIENT, childStart, childDuration)
            .addAttributes(str("db.system", "postgresql"))
            .addAttributes(str("db.operation.name", op))
            .addAttributes(str("db.collection.name", table))
            .addAttributes(str("db.query.text", op + " * FROM " + table + " WHERE id = $1"))
            .addAttributes(str("server.address", "postgres.homelab.lan"))
            .addAttributes(num("server.port", 5432))
            .addAttributes(str("network.peer.address", "192.168.1.10"))
            .addAttributes(num("network.peer.port", 5432))
            .addAttributes(str("db.namespace", SERVICES[svc]))
            .addAttributes(str("network.transport", "tcp"))
            .build();
        out.get(SERVICES[svc]).add(db);
      } else {
        int callee = zipf(r, SERVICES.length, 1.0);
        String calleeRoute = ROUTES[callee][zipf(r, ROUTES[callee].length, 1.2)];
        Span client = base(r, hi, lo, parent, "GET " + calleeRoute, Span.SpanKind.SPAN_KIND_CLIENT, childStart,
                childDuration)
            .addAttributes(str("http.request.method", "GET"))
            .addAttributes(str("url.full", "http://" + SERVICES[callee] + ".homelab.lan" + calleeRoute))
            .addAttributes(num("http.response.status_code", 200))
            .addAttributes(str("server.address", SERVICES[callee] + ".homelab.lan"))
            .addAttributes(num("server.port", 8000 + callee))
            .addAttributes(str("network.peer.address", "192.168.1." + (100 + callee)))
            .addAttributes(str("network.protocol.version", "1.1"))
            .addAttributes(str("user_agent.original", "Go-http-client/1.1"))
            .addAttributes(num("http.request.body.size", 0))
            .addAttributes(num("http.response.body.size", r.nextInt(65536)))
            .build();
        out.get(SERVICES[svc]).add(client);
        if (++i < size) {
          Span server = base(r, hi, lo, client.getSpanId().asReadOnlyByteBuffer().getLong(), "GET " + calleeRoute,
                  Span.SpanKind.SPAN_KIND_SERVER, childStart + 10_000, childDuration - 15_000)
              .addAttributes(str("http.request.method", "GET"))
              .addAttributes(str("url.path", calleeRoute))
              .addAttributes(str("http.route", calleeRoute))
              .addAttributes(num("http.response.status_code", 200))
              .addAttributes(str("server.address", SERVICES[callee] + ".homelab.lan"))
              .addAttributes(num("server.port", 8000 + callee))
              .addAttributes(str("network.peer.address", "192.168.1.50"))
              .addAttributes(str("client.address", "192.168.1.50"))
              .addAttributes(str("network.protocol.version", "1.1"))
              .addAttributes(str("user_agent.original", "Go-http-client/1.1"))
              .build();
          out.computeIfAbsent(SERVICES[callee], k -> new ArrayList<>()).add(server);
        }
      }
    }
    return size;
  }

  /** A request of exactly {@code spans} spans, grouped per service as Beyla sends them. */
  public static ExportTraceServiceRequest request(int spans, long seed) {
    return request(spans, seed, 0);
  }

  /**
   * As {@link #request(int, long)}, but every trace has exactly {@code traceSpans} spans (the last one of the request
   * fewer when {@code spans} is not a multiple); {@code traceSpans} 0 keeps the skewed 1–50 mix.
   */
  public static ExportTraceServiceRequest request(int spans, long seed, int traceSpans) {
    if (traceSpans < 0) {
      throw new IllegalArgumentException("traceSpans must be >= 0, got " + traceSpans);
    }
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, List<Span>> byService = new LinkedHashMap<>();
    long now = 1_764_000_000_000_000_000L + (seed & 0xFFFF) * 1_000_000_000L;
    int n = 0;
    while (n < spans) {
      n += trace(r, byService, spans - n, now, traceSpans);
    }
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    InstrumentationScope scope = InstrumentationScope.newBuilder().setName("github.com/grafana/beyla").build();
    for (Map.Entry<String, List<Span>> e : byService.entrySet()) {
      req.addResourceSpans(ResourceSpans.newBuilder()
          .setResource(resource(e.getKey()))
          .setSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
          .addScopeSpans(ScopeSpans.newBuilder().setScope(scope).addAllSpans(e.getValue())));
    }
    return req.build();
  }

  /** The protobuf bytes of {@link #request}. */
  public static byte[] protobuf(int spans, long seed) {
    return request(spans, seed).toByteArray();
  }

  private static final Pattern BASE64_ID = Pattern.compile("\"(traceId|spanId|parentSpanId)\": \"([A-Za-z0-9+/=]*)\"");

  /** OTLP/JSON of a request as SDKs send it: lowerCamelCase, hex ids, int64 as strings, enums as numbers. */
  public static String json(ExportTraceServiceRequest request) {
    try {
      String json = JsonFormat.printer().printingEnumsAsInts().print(request);
      Matcher m = BASE64_ID.matcher(json);
      StringBuilder sb = new StringBuilder(json.length());
      while (m.find()) {
        m.appendReplacement(sb, "\"" + m.group(1) + "\": \""
            + HexFormat.of().formatHex(Base64.getDecoder().decode(m.group(2))) + "\"");
      }
      m.appendTail(sb);
      return sb.toString();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** UTF-8 bytes of {@link #json(ExportTraceServiceRequest)} for {@link #request}. */
  public static byte[] jsonBytes(int spans, long seed) {
    return json(request(spans, seed)).getBytes(StandardCharsets.UTF_8);
  }
}
