package io.spanfold.otlp.internal;

import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.OtlpProtoDecoder;
import io.spanfold.otlp.json.OtlpJsonDecoder;

/**
 * Internal, unstable. The reusable decoding state of one receiving thread: both decoders and the batch they fill.
 * Receivers keep one per thread ({@link #current()}) so that decoding allocates no decoder or batch per request.
 */
public final class DecodeScratch {
  private static final ThreadLocal<DecodeScratch> PER_THREAD = ThreadLocal.withInitial(DecodeScratch::new);

  public final OtlpProtoDecoder proto = new OtlpProtoDecoder();
  public final OtlpJsonDecoder json = new OtlpJsonDecoder();
  public final SpanBatch batch = new SpanBatch();

  private DecodeScratch() {}

  /** This thread's scratch. Clear the batch when done so it does not pin the request's bytes. */
  public static DecodeScratch current() {
    return PER_THREAD.get();
  }
}
