package io.spanfold.bench.redmetrics;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.spanfold.core.model.SpanBatch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** Pre-generated span batches for the red-metrics benchmarks: {@code services x names} distinct series. */
final class BenchBatches {
  private BenchBatches() {}

  static final long NOW_MS = 1_700_000_000_000L;

  static SpanBatch[] create(int batches, int spansPerBatch, int services, int names, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    SpanBatch[] out = new SpanBatch[batches];
    long now = NOW_MS * 1_000_000L;
    for (int b = 0; b < batches; b++) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      SpanBatch batch = new SpanBatch();
      int[] res = new int[services];
      for (int s = 0; s < services; s++) {
        Resource r = Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue("service-" + s))).build();
        int off = buf.size();
        buf.writeBytes(r.toByteArray());
        res[s] = batch.addResource(off, r.getSerializedSize(), -1, -1, "service-" + s);
      }
      batch.addScope(-1, -1, -1, -1);
      for (int i = 0; i < spansPerBatch; i++) {
        int s = rnd.nextInt(services);
        String name = "operation-" + rnd.nextInt(names);
        long dur = (long) (Math.exp(rnd.nextDouble() * 20) * 1000); // 1 us .. ~8 min, log-uniform
        Span span = Span.newBuilder().setTraceId(ByteString.copyFrom(new byte[16])).setName(name)
            .setKindValue(2).setStartTimeUnixNano(now - dur).setEndTimeUnixNano(now)
            .addAttributes(KeyValue.newBuilder().setKey("http.method")
                .setValue(AnyValue.newBuilder().setStringValue("GET"))).build();
        int spanOff = buf.size();
        byte[] bytes = span.toByteArray();
        buf.writeBytes(bytes);
        byte[] nm = name.getBytes(StandardCharsets.UTF_8);
        int nameOff = buf.size();
        buf.writeBytes(nm);
        batch.addSpan(res[s], 0, rnd.nextLong(), rnd.nextLong(), 16, rnd.nextLong(), 8, 0, 0, 2, i % 7 == 0 ? 2 : 0,
            now - dur, now, spanOff, bytes.length, nameOff, nm.length, 0, 0);
      }
      byte[] all = buf.toByteArray();
      batch.buffer(all, all.length);
      out[b] = batch;
    }
    return out;
  }
}
