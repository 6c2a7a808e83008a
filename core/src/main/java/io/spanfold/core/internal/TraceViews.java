package io.spanfold.core.internal;

import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.query.traceql.OtlpTraceView;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.core.wire.OtlpProtoDecoder;

/** Internal, unstable. Trace ids from hex, and {@link OtlpTraceView}s over stored {@code TracesData} bytes. */
public final class TraceViews {
  private TraceViews() {}

  /**
   * Parses a hex trace id of 1 to 32 digits (left-padded with zeros) into {high, low}.
   *
   * @throws IllegalArgumentException naming the first bad character, or a too long id
   */
  public static long[] parseTraceId(String hex) {
    if (hex == null || hex.isEmpty() || hex.length() > 32) {
      throw new IllegalArgumentException("traceId must be 1 to 32 hex digits: \"" + hex + "\"");
    }
    long hi = 0;
    long lo = 0;
    int pad = 32 - hex.length();
    for (int i = 0; i < hex.length(); i++) {
      int d = Character.digit(hex.charAt(i), 16);
      if (d < 0) {
        throw new IllegalArgumentException(
            "traceId: invalid character '" + hex.charAt(i) + "' at position " + i + " in \"" + hex + "\"");
      }
      int nibble = pad + i;
      if (nibble < 16) {
        hi |= (long) d << (4 * (15 - nibble));
      } else {
        lo |= (long) d << (4 * (31 - nibble));
      }
    }
    return new long[] {hi, lo};
  }

  /** A view of every span in {@code tracesData} (OTLP {@code TracesData} protobuf bytes, as the store returns). */
  public static OtlpTraceView of(byte[] tracesData) {
    SpanBatch b = new SpanBatch();
    try {
      new OtlpProtoDecoder().decode(tracesData, 0, tracesData.length, b);
    } catch (MalformedRequestException e) {
      throw new IllegalStateException("stored trace is not valid TracesData: " + e.getMessage(), e);
    }
    OtlpTraceView.Builder v = OtlpTraceView.builder();
    for (int i = 0; i < b.size(); i++) {
      int r = b.resourceIndex(i);
      int resOff = b.resourceOffset(r);
      int resLen = b.resourceLength(r);
      if (resOff < 0 || resLen < 0) {
        resOff = 0;
        resLen = 0;
      }
      v.addSpan(tracesData, b.spanOffset(i), b.spanLength(i), tracesData, resOff, resLen);
    }
    return v.build();
  }

}
