package io.spanfold.redmetrics.testing;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.model.TraceIds;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds {@link SpanBatch}es from protobuf-java messages (the oracle types): resource and span bytes are the real
 * serialized messages; names and status messages are slices of the same buffer, as a decoder would produce.
 */
public final class Batches {
  private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
  private final SpanBatch batch = new SpanBatch();

  public static Batches create() {
    return new Batches();
  }

  public static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  public static KeyValue attr(String k, long v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build();
  }

  public static KeyValue attr(String k, boolean v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setBoolValue(v)).build();
  }

  public static Resource resource(String service, KeyValue... more) {
    Resource.Builder r = Resource.newBuilder();
    if (service != null) {
      r.addAttributes(attr("service.name", service));
    }
    for (KeyValue kv : more) {
      r.addAttributes(kv);
    }
    return r.build();
  }

  /** A span; times in epoch nanos; {@code kind}/{@code status} as OTLP numbers. */
  public static Span span(
      long traceHi, long traceLo, long spanId, String name, int kind, int status, String statusMessage,
      long startNanos, long endNanos, KeyValue... attrs) {
    byte[] tid = new byte[16];
    TraceIds.writeLong(traceHi, tid, 0);
    TraceIds.writeLong(traceLo, tid, 8);
    byte[] sid = new byte[8];
    TraceIds.writeLong(spanId, sid, 0);
    Span.Builder s =
        Span.newBuilder()
            .setTraceId(ByteString.copyFrom(tid))
            .setSpanId(ByteString.copyFrom(sid))
            .setName(name)
            .setKindValue(kind)
            .setStartTimeUnixNano(startNanos)
            .setEndTimeUnixNano(endNanos)
            .setStatus(Status.newBuilder().setCodeValue(status).setMessage(statusMessage));
    for (KeyValue kv : attrs) {
      s.addAttributes(kv);
    }
    return s.build();
  }

  public int resource(Resource r) {
    String service = "";
    for (KeyValue kv : r.getAttributesList()) {
      if (kv.getKey().equals("service.name")) {
        service = kv.getValue().getStringValue();
      }
    }
    int off = append(r.toByteArray());
    return batch.addResource(off, r.getSerializedSize(), -1, -1, service);
  }

  public Batches span(int resource, Span s) {
    int scope = batch.scopeCount() == 0 ? batch.addScope(-1, -1, -1, -1) : 0;
    byte[] bytes = s.toByteArray();
    int spanOff = append(bytes);
    byte[] name = s.getName().getBytes(StandardCharsets.UTF_8);
    int nameOff = append(name);
    byte[] msg = s.getStatus().getMessage().getBytes(StandardCharsets.UTF_8);
    int msgOff = append(msg);
    byte[] tid = s.getTraceId().toByteArray();
    batch.addSpan(
        resource, scope,
        TraceIds.readLong(tid, 0), TraceIds.readLong(tid, 8), 16,
        TraceIds.readLong(s.getSpanId().toByteArray(), 0), 8,
        0, 0,
        s.getKindValue(), s.getStatus().getCodeValue(),
        s.getStartTimeUnixNano(), s.getEndTimeUnixNano(),
        spanOff, bytes.length, nameOff, name.length, msgOff, msg.length);
    return this;
  }

  private int append(byte[] b) {
    int off = buf.size();
    buf.write(b, 0, b.length);
    return off;
  }

  public SpanBatch build() {
    byte[] all = buf.toByteArray();
    batch.buffer(all, all.length);
    return batch;
  }
}
