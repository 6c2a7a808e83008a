package io.spanfold.bench.store;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.model.TraceIds;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.core.wire.OtlpProtoDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/** Pre-generated OTLP requests for the store benchmarks: realistic spans (≈ 230 bytes), decoded once in setup. */
final class StoreBenchData {
  static final String[] ROUTES = {"/api/cart", "/api/checkout", "/api/user/{id}", "/health", "/api/search"};

  private StoreBenchData() {}

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static KeyValue kv(String k, long v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build();
  }

  static ByteString bytes(long hi, long lo) {
    byte[] b = new byte[16];
    TraceIds.writeLong(hi, b, 0);
    TraceIds.writeLong(lo, b, 8);
    return ByteString.copyFrom(b);
  }

  static ByteString id(long v) {
    byte[] b = new byte[8];
    TraceIds.writeLong(v, b, 0);
    return ByteString.copyFrom(b);
  }

  /**
   * One request: {@code traces} traces × {@code spansPerTrace} spans, trace ids (hi, firstLow + i), span ids
   * {@code spanBase + s}, from one of 8 services.
   */
  static TracesData request(Random rnd, long hi, long firstLow, int traces, int spansPerTrace, int spanBase,
      long nowNanos) {
    TracesData.Builder td = TracesData.newBuilder();
    for (int t = 0; t < traces; t++) {
      int service = rnd.nextInt(8);
      ScopeSpans.Builder ss = ScopeSpans.newBuilder()
          .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.http").setVersion("1.40.0"));
      for (int s = 0; s < spansPerTrace; s++) {
        long sid = spanBase + s + 1;
        Span.Builder sp = Span.newBuilder()
            .setTraceId(bytes(hi, firstLow + t))
            .setSpanId(id(sid))
            .setName("GET " + ROUTES[rnd.nextInt(ROUTES.length)])
            .setKindValue(s == 0 ? 2 : 3)
            .setStartTimeUnixNano(nowNanos + s * 1000L)
            .setEndTimeUnixNano(nowNanos + s * 1000L + rnd.nextInt(5_000_000))
            .addAttributes(kv("http.request.method", "GET"))
            .addAttributes(kv("http.route", ROUTES[rnd.nextInt(ROUTES.length)]))
            .addAttributes(kv("http.response.status_code", 200))
            .addAttributes(kv("server.address", "backend-" + rnd.nextInt(20) + ".svc.cluster.local"));
        if (sid > 1) {
          sp.setParentSpanId(id(sid - 1));
        }
        ss.addSpans(sp);
      }
      td.addResourceSpans(ResourceSpans.newBuilder()
          .setResource(Resource.newBuilder()
              .addAttributes(kv("service.name", "service-" + service))
              .addAttributes(kv("service.version", "2.3." + service))
              .addAttributes(kv("host.name", "node-" + service)))
          .addScopeSpans(ss));
    }
    return td.build();
  }

  static SpanBatch decode(TracesData request) {
    byte[] b = request.toByteArray();
    SpanBatch batch = new SpanBatch();
    try {
      new OtlpProtoDecoder().decode(b, 0, b.length, batch);
    } catch (MalformedRequestException e) {
      throw new IllegalStateException(e);
    }
    return batch;
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long sizeOnDisk(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
