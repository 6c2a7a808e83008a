package io.spanfold.core.wire;

import io.spanfold.core.model.SpanBatch;

/**
 * Decodes an OTLP {@code ExportTraceServiceRequest} (wire-identical to {@code TracesData}) straight from its protobuf
 * bytes into a {@link SpanBatch}, without building a generated object tree. Each span keeps a slice of the input as
 * its original bytes. Reusable, not thread-safe: one instance per receiving thread.
 */
public final class OtlpProtoDecoder {
  /**
   * Clears {@code into}, points it at {@code buf} and appends every span of the request.
   *
   * @throws MalformedRequestException when the bytes are not a valid request; the message says what and where
   */
  public void decode(byte[] buf, int offset, int length, SpanBatch into) throws MalformedRequestException {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
