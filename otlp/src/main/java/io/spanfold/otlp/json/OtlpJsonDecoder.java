package io.spanfold.otlp.json;

import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.MalformedRequestException;

/**
 * Decodes an OTLP/JSON {@code ExportTraceServiceRequest} (hex ids, enums as numbers or names, 64-bit integers as
 * strings or numbers, unknown fields ignored) into a {@link SpanBatch}. It transcodes the JSON into OTLP protobuf
 * bytes held in a buffer it owns, so every span carries protobuf bytes like spans that arrived as protobuf; the
 * batch points into that buffer until the next {@code decode}. Reusable, not thread-safe.
 */
public final class OtlpJsonDecoder {
  public void decode(byte[] json, int offset, int length, SpanBatch into) throws MalformedRequestException {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
