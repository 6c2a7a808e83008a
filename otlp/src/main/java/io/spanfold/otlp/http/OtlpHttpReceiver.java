package io.spanfold.otlp.http;

import io.spanfold.core.ingest.IngestResult;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.MalformedRequestException;
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

  public OtlpHttpReceiver(SpanIngest ingest) {
    this.ingest = Objects.requireNonNull(ingest, "ingest");
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
