package io.spanfold.otlp.query;

import com.google.protobuf.CodedOutputStream;
import io.spanfold.core.store.TraceLookup;
import io.spanfold.otlp.http.HttpHandler;
import io.spanfold.otlp.http.HttpRequest;
import io.spanfold.otlp.http.HttpResponse;
import io.spanfold.otlp.query.internal.GoJson;
import io.spanfold.otlp.query.internal.TraceTruncator;
import java.io.IOException;

/**
 * Tempo's trace-by-id API: {@code GET /api/traces/{traceID}} (v1) and {@code GET /api/v2/traces/{traceID}} (v2), both
 * served by one handler that tells them apart by path, as Tempo 2.10 answers them.
 *
 * <ul>
 *   <li>{@code start}, {@code end}: unix seconds bounding the blocks searched; both non-zero and {@code end <= start}
 *       is a 400.
 *   <li>{@code Accept} containing {@code application/protobuf} gets protobuf, anything else JSON; Content-Type says
 *       which.
 *   <li>v1: protobuf {@code tempopb.Trace} (wire-identical to OTLP {@code TracesData}) or {@code {"batches":[…]}};
 *       unknown trace 404 with an empty body; a trace over the size limit 422.
 *   <li>v2: {@code TraceByIDResponse}; unknown trace 200 with an empty trace; over the size limit the spans that fit
 *       with status {@code PARTIAL}.
 *   <li>Errors are plain text with Tempo's messages.
 * </ul>
 *
 * <p>Thread-safe when its {@link TraceLookup} is.
 */
public final class TraceByIdHandler implements HttpHandler {
  /** Path prefix of the v1 API. */
  public static final String V1_PREFIX = "/api/traces/";
  /** Path prefix of the v2 API. */
  public static final String V2_PREFIX = "/api/v2/traces/";

  static final String PROTOBUF = "application/protobuf";
  static final String JSON = "application/json";
  private static final String NOT_FOUND_ROUTE = "404 page not found\n";

  private final TraceLookup lookup;
  private final int maxTraceBytes;
  private final java.util.function.Function<HttpRequest, String> tenant;

  private TraceByIdHandler(Builder b) {
    this.lookup = b.lookup;
    this.maxTraceBytes = b.maxTraceBytes;
    this.tenant = b.tenant;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link TraceByIdHandler}. */
  public static final class Builder {
    private TraceLookup lookup;
    private int maxTraceBytes;
    private java.util.function.Function<HttpRequest, String> tenant =
        r -> io.spanfold.core.model.SpanBatch.DEFAULT_TENANT;

    private Builder() {}

    /**
     * Which tenant's traces a request may read (default: the single tenant); with multi-tenancy use
     * {@code QueryGuard.tenantResolver()}, which reads {@code X-Scope-OrgID}.
     */
    public Builder tenant(java.util.function.Function<HttpRequest, String> tenant) {
      this.tenant = java.util.Objects.requireNonNull(tenant, "tenant");
      return this;
    }

    /** Where traces come from (required). */
    public Builder lookup(TraceLookup lookup) {
      this.lookup = lookup;
      return this;
    }

    /**
     * The largest trace returned whole, in protobuf bytes (Tempo's {@code max_bytes_per_trace}); 0 (the default)
     * for no limit.
     */
    public Builder maxTraceBytes(int maxTraceBytes) {
      if (maxTraceBytes < 0) {
        throw new IllegalArgumentException("maxTraceBytes < 0: " + maxTraceBytes);
      }
      this.maxTraceBytes = maxTraceBytes;
      return this;
    }

    public TraceByIdHandler build() {
      if (lookup == null) {
        throw new IllegalArgumentException("lookup == null");
      }
      return new TraceByIdHandler(this);
    }
  }

  @Override
  public HttpResponse handle(HttpRequest request) throws IOException {
    String path = request.path();
    boolean v2;
    String id;
    if (path.startsWith(V2_PREFIX)) {
      v2 = true;
      id = path.substring(V2_PREFIX.length());
    } else if (path.startsWith(V1_PREFIX)) {
      v2 = false;
      id = path.substring(V1_PREFIX.length());
    } else {
      return HttpResponse.text(404, NOT_FOUND_ROUTE);
    }
    // Tempo's router matches {traceID} as one non-empty path segment; anything else is no route at all.
    if (id.isEmpty() || id.indexOf('/') >= 0) {
      return HttpResponse.text(404, NOT_FOUND_ROUTE);
    }

    TraceIdParser.TraceId traceId;
    try {
      traceId = TraceIdParser.parse(id);
    } catch (TraceIdParser.InvalidTraceIdException e) {
      return HttpResponse.text(400, e.getMessage());
    }
    long start;
    long end;
    try {
      start = seconds(request, "start");
      end = seconds(request, "end");
    } catch (IllegalArgumentException e) {
      return HttpResponse.text(400, e.getMessage());
    }
    if (start != 0 && end != 0 && end <= start) {
      return HttpResponse.text(
          400, "http parameter start must be before end. received start=" + start + " end=" + end);
    }
    boolean proto = wantsProtobuf(request.header("accept"));

    byte[] trace = lookup.findTrace(tenant.apply(request), traceId.high(), traceId.low(), toNanos(start), toNanos(end));
    if (trace != null && trace.length == 0) {
      trace = null;
    }
    return v2 ? v2(trace, proto) : v1(trace, proto);
  }

  private HttpResponse v1(byte[] trace, boolean proto) {
    if (trace == null) {
      return HttpResponse.empty(404);
    }
    if (maxTraceBytes > 0 && trace.length > maxTraceBytes) {
      return HttpResponse.text(422, "trace exceeds max size (max bytes: " + maxTraceBytes + ")");
    }
    return proto ? HttpResponse.of(200, PROTOBUF, trace) : HttpResponse.of(200, JSON, TempoJson.traceV1(trace));
  }

  private HttpResponse v2(byte[] found, boolean proto) throws IOException {
    long inspected = found == null ? 0 : found.length;
    byte[] trace = found;
    String message = "";
    boolean partial = false;
    if (trace != null && maxTraceBytes > 0 && trace.length > maxTraceBytes) {
      trace = TraceTruncator.truncate(trace, maxTraceBytes);
      partial = true;
      message = "Trace exceeds maximum size of " + maxTraceBytes + " bytes, a partial trace is returned";
    }
    if (proto) {
      return HttpResponse.of(200, PROTOBUF, encodeV2(trace, inspected, partial, message));
    }
    return HttpResponse.of(200, JSON, TempoJson.traceByIdResponse(trace, inspected, partial, message));
  }

  /**
   * {@code TraceByIDResponse{Trace trace = 1; TraceByIDMetrics metrics = 2; PartialStatus status = 3; string message =
   * 4}} with {@code TraceByIDMetrics{uint64 inspectedBytes = 1}}. Tempo always sets trace and metrics, so both are
   * written even when empty.
   */
  static byte[] encodeV2(byte[] trace, long inspectedBytes, boolean partial, String message) throws IOException {
    int traceLen = trace == null ? 0 : trace.length;
    int metricsLen = inspectedBytes == 0 ? 0 : 1 + CodedOutputStream.computeUInt64SizeNoTag(inspectedBytes);
    int size =
        1 + CodedOutputStream.computeUInt32SizeNoTag(traceLen) + traceLen
            + 1 + CodedOutputStream.computeUInt32SizeNoTag(metricsLen) + metricsLen
            + (partial ? CodedOutputStream.computeEnumSize(3, 1) : 0)
            + (message.isEmpty() ? 0 : CodedOutputStream.computeStringSize(4, message));
    byte[] out = new byte[size];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    cos.writeTag(1, 2);
    cos.writeUInt32NoTag(traceLen);
    if (traceLen > 0) {
      cos.writeRawBytes(trace);
    }
    cos.writeTag(2, 2);
    cos.writeUInt32NoTag(metricsLen);
    if (inspectedBytes != 0) {
      cos.writeUInt64(1, inspectedBytes);
    }
    if (partial) {
      cos.writeEnum(3, 1);
    }
    if (!message.isEmpty()) {
      cos.writeString(4, message);
    }
    cos.checkNoSpaceLeft();
    return out;
  }

  static boolean wantsProtobuf(String accept) {
    // Tempo checks the formats by substring in this order: protobuf, then JSON; anything else is JSON.
    return accept != null && accept.contains(PROTOBUF);
  }

  /** Go's {@code strconv.ParseInt(s, 10, 64)} with Tempo's error wording; absent or empty is 0. */
  private static long seconds(HttpRequest request, String name) {
    String s = request.queryParam(name);
    if (s == null || s.isEmpty()) {
      return 0;
    }
    int i = (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
    if (i == s.length()) {
      throw invalid(name, s, "invalid syntax");
    }
    for (int k = i; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c < '0' || c > '9') {
        throw invalid(name, s, "invalid syntax");
      }
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw invalid(name, s, "value out of range");
    }
  }

  private static IllegalArgumentException invalid(String name, String value, String why) {
    return new IllegalArgumentException(
        "invalid " + name + ": strconv.ParseInt: parsing " + GoJson.goQuote(value) + ": " + why);
  }

  /** Unix seconds to nanos; 0 or less means no bound, far-future values saturate. */
  private static long toNanos(long seconds) {
    if (seconds <= 0) {
      return 0;
    }
    return seconds > Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE : seconds * 1_000_000_000L;
  }
}
