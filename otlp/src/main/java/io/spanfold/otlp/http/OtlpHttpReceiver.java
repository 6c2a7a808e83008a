package io.spanfold.otlp.http;

import io.spanfold.core.ingest.IngestResult;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.otlp.guard.IngestGuard;
import io.spanfold.otlp.internal.DecodeScratch;
import io.spanfold.otlp.internal.ExportResponses;
import java.util.Locale;
import java.util.Objects;

/**
 * The OTLP/HTTP trace receiver: {@code POST /v1/traces} with an {@code ExportTraceServiceRequest} as protobuf
 * ({@code application/x-protobuf}) or OTLP/JSON ({@code application/json}), answered as the OpenTelemetry Collector's
 * {@code otlpreceiver} (and so Tempo's distributor) answers:
 *
 * <ul>
 *   <li>another method: 405 {@code 405 method not allowed, supported: [POST]};
 *   <li>another media type (parameters are ignored): 415
 *       {@code 415 unsupported media type, supported: [application/json, application/x-protobuf]};
 *   <li>an undecodable body: 400 with a {@code google.rpc.Status} (code 3) in the request's encoding;
 *   <li>ingest failed (a consumer threw, e.g. the store could not write): 503 with a Status (code 14), so that the
 *       client retries;
 *   <li>otherwise 200 with an {@code ExportTraceServiceResponse} in the request's encoding (protobuf: empty body; JSON:
 *       {@code {"partialSuccess":{}}}), its {@code partialSuccess} filled when ingest dropped invalid spans.
 * </ul>
 *
 * <p>Transport-neutral: mount it at {@link #PATH} in {@link NettyHttpServer} (see {@link #routes()}) or in any server
 * that decompresses the body and caps its size. Thread-safe; decoders are per thread.
 */
public final class OtlpHttpReceiver implements HttpHandler {
  /** The OTLP/HTTP traces path. */
  public static final String PATH = "/v1/traces";

  static final String JSON = "application/json";
  static final String PROTOBUF = "application/x-protobuf";

  private static final System.Logger LOG = System.getLogger(OtlpHttpReceiver.class.getName());
  private static final String METHOD_NOT_ALLOWED = "405 method not allowed, supported: [POST]";
  private static final String UNSUPPORTED_MEDIA_TYPE =
      "415 unsupported media type, supported: [" + JSON + ", " + PROTOBUF + "]";

  private final SpanIngest ingest;
  private final IngestGuard guard;

  public OtlpHttpReceiver(SpanIngest ingest) {
    this(ingest, IngestGuard.NONE);
  }

  /**
   * A receiver that checks credentials and tenant ({@code X-Scope-OrgID}) of each request and applies the tenant's
   * rate limit (429 with {@code Retry-After}). The memory budget is applied by the transport: mount with
   * {@link NettyHttpServer.Builder#memoryBudget} and {@link #overloadResponse()}, and {@link #gate()} so that
   * refused requests are answered before their body is read.
   */
  public OtlpHttpReceiver(SpanIngest ingest, IngestGuard guard) {
    this.ingest = Objects.requireNonNull(ingest, "ingest");
    this.guard = Objects.requireNonNull(guard, "guard");
  }

  /** The credential and tenant check on a request head, for {@link NettyHttpServer.Builder#gate}. */
  public HttpGate gate() {
    return head -> {
      IngestGuard.Verdict v = guard.admit(head::header);
      return v.ok() ? null : refusal(head, v);
    };
  }

  /** The 429 for a request the memory budget cannot take, for {@link NettyHttpServer.Builder#memoryBudget}. */
  public java.util.function.Function<HttpRequest, HttpResponse> overloadResponse() {
    return head -> {
      guard.overloaded(-1);
      return tooMany(JSON.equals(mediaType(head.header("content-type"))), guard.overloadMessage());
    };
  }

  private HttpResponse refusal(HttpRequest request, IngestGuard.Verdict v) {
    boolean json = JSON.equals(mediaType(request.header("content-type")));
    int code;
    switch (v.kind()) {
      case UNAUTHENTICATED:
        code = ExportResponses.CODE_UNAUTHENTICATED;
        break;
      case PERMISSION_DENIED:
        code = ExportResponses.CODE_PERMISSION_DENIED;
        break;
      default:
        code = ExportResponses.CODE_INVALID_ARGUMENT;
    }
    HttpResponse r = status(v.kind().httpStatus(), json, code, v.message());
    String challenge = guard.challenge();
    if (v.kind() == IngestGuard.Verdict.Kind.UNAUTHENTICATED && challenge != null) {
      r.header("WWW-Authenticate", challenge);
    }
    return r;
  }

  private HttpResponse tooMany(boolean json, String message) {
    return status(429, json, ExportResponses.CODE_RESOURCE_EXHAUSTED, message)
        .header("Retry-After", Integer.toString(guard.retryAfterSeconds()));
  }

  /** Routes serving this receiver at {@link #PATH}, for {@link NettyHttpServer}. */
  public HttpRoutes routes() {
    return HttpRoutes.builder().route(PATH, this).build();
  }

  @Override
  public HttpResponse handle(HttpRequest request) {
    if (!"POST".equals(request.method())) {
      return HttpResponse.of(405, "text/plain", bytes(METHOD_NOT_ALLOWED));
    }
    String mediaType = mediaType(request.header("content-type"));
    boolean json;
    if (JSON.equals(mediaType)) {
      json = true;
    } else if (PROTOBUF.equals(mediaType)) {
      json = false;
    } else {
      return HttpResponse.of(415, "text/plain", bytes(UNSUPPORTED_MEDIA_TYPE));
    }
    IngestGuard.Verdict verdict = guard.admit(request::header);
    if (!verdict.ok()) {
      return refusal(request, verdict);
    }
    DecodeScratch scratch = DecodeScratch.current();
    SpanBatch batch = scratch.batch;
    byte[] body = request.body();
    try {
      try {
        if (json) {
          scratch.json.decode(body, 0, body.length, batch);
        } else {
          scratch.proto.decode(body, 0, body.length, batch);
        }
      } catch (MalformedRequestException e) {
        LOG.log(System.Logger.Level.DEBUG, "rejected undecodable OTLP/HTTP request ({0} bytes): {1}", body.length,
            e.getMessage());
        return status(400, json, ExportResponses.CODE_INVALID_ARGUMENT, e.getMessage());
      }
      String limited = guard.rateLimit(verdict.tenant(), body.length, batch.size());
      if (limited != null) {
        return tooMany(json, limited);
      }
      batch.tenant(verdict.tenant());
      IngestResult result;
      try {
        result = ingest.ingest(batch);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "ingest failed, answering 503", e);
        return status(503, json, ExportResponses.CODE_UNAVAILABLE, "ingest failed: " + e.getMessage());
      }
      return json
          ? HttpResponse.of(200, JSON, ExportResponses.json(result))
          : HttpResponse.of(200, PROTOBUF, ExportResponses.proto(result));
    } finally {
      batch.clear();
    }
  }

  private static HttpResponse status(int httpStatus, boolean json, int code, String message) {
    String m = message == null ? "" : message;
    return json
        ? HttpResponse.of(httpStatus, JSON, ExportResponses.statusJson(code, m))
        : HttpResponse.of(httpStatus, PROTOBUF, ExportResponses.statusProto(code, m));
  }

  /** The media type of a Content-Type header, lowercase, without parameters; {@code ""} when absent. */
  static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semi = contentType.indexOf(';');
    String t = semi < 0 ? contentType : contentType.substring(0, semi);
    return t.trim().toLowerCase(Locale.ROOT);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
