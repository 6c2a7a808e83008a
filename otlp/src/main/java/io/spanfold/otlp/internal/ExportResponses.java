package io.spanfold.otlp.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.spanfold.core.ingest.IngestResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Internal, unstable. Encodes OTLP {@code ExportTraceServiceResponse} and {@code google.rpc.Status} bodies for the
 * receivers. The common answer (nothing rejected) is a shared constant; the rest is a cold path and uses the generated
 * message classes and jackson-core.
 */
public final class ExportResponses {
  /** {@code google.rpc.Code} numbers the receivers answer with. */
  public static final int CODE_INTERNAL = 13;

  public static final int CODE_INVALID_ARGUMENT = 3;
  public static final int CODE_UNAVAILABLE = 14;
  public static final int CODE_RESOURCE_EXHAUSTED = 8;
  public static final int CODE_PERMISSION_DENIED = 7;
  public static final int CODE_UNAUTHENTICATED = 16;

  private static final byte[] EMPTY_PROTO = new byte[0];
  private static final byte[] EMPTY_JSON = "{\"partialSuccess\":{}}".getBytes(StandardCharsets.UTF_8);
  private static final JsonFactory JSON = new JsonFactory();

  private ExportResponses() {}

  /**
   * The protobuf response: empty when nothing was rejected, else with {@code partial_success} (rejected_spans and
   * error_message). Returns a shared array for the empty case: do not modify.
   */
  public static byte[] proto(IngestResult result) {
    if (result.rejected() == 0 && result.message().isEmpty()) {
      return EMPTY_PROTO;
    }
    return ExportTraceServiceResponse.newBuilder()
        .setPartialSuccess(ExportTracePartialSuccess.newBuilder()
            .setRejectedSpans(result.rejected())
            .setErrorMessage(result.message()))
        .build()
        .toByteArray();
  }

  /**
   * The OTLP/JSON response as the OTel Collector writes it: {@code {"partialSuccess":{}}} when nothing was rejected,
   * else {@code rejectedSpans} (an int64, so a string) and {@code errorMessage}.
   */
  public static byte[] json(IngestResult result) {
    if (result.rejected() == 0 && result.message().isEmpty()) {
      return EMPTY_JSON.clone();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(128 + result.message().length());
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeObjectFieldStart("partialSuccess");
      g.writeStringField("rejectedSpans", Long.toString(result.rejected()));
      if (!result.message().isEmpty()) {
        g.writeStringField("errorMessage", result.message());
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A {@code google.rpc.Status} as protobuf bytes. */
  public static byte[] statusProto(int code, String message) {
    return com.google.rpc.Status.newBuilder().setCode(code).setMessage(message).build().toByteArray();
  }

  /** A {@code google.rpc.Status} as JSON: {@code {"code":3,"message":"..."}}. */
  public static byte[] statusJson(int code, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(32 + message.length());
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("code", code);
      if (!message.isEmpty()) {
        g.writeStringField("message", message);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
