package io.spanfold.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.otlp.grpc.OtlpGrpcReceiver;
import io.spanfold.otlp.http.NettyHttpServer;
import io.spanfold.otlp.http.OtlpHttpReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The real OpenTelemetry Java SDK exporters (gRPC and HTTP/protobuf, plain and gzip) send spans to both receivers in
 * this JVM; every span must reach the consumer with the same ids, parent, name, kind, times, status and attributes.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReceiversExportTest {
  private final CapturingConsumer consumer = new CapturingConsumer();
  private OtlpGrpcReceiver grpc;
  private NettyHttpServer http;

  @BeforeAll
  void start() throws Exception {
    SpanIngest ingest = SpanIngest.builder().consumer(consumer).build();
    grpc = OtlpGrpcReceiver.builder().ingest(ingest).host("127.0.0.1").port(0).start();
    http = NettyHttpServer.builder().name("otlp-http").host("127.0.0.1").port(0)
        .routes(new OtlpHttpReceiver(ingest).routes()).start();
  }

  @AfterAll
  void stop() {
    grpc.close();
    http.close();
  }

  @BeforeEach
  void reset() {
    consumer.clear();
  }

  @Test
  void grpcExporter() {
    exportAndCompare(OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + grpc.port())
        .setTimeout(Duration.ofSeconds(10)).build());
  }

  @Test
  void grpcExporterWithGzip() {
    exportAndCompare(OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + grpc.port())
        .setCompression("gzip").setTimeout(Duration.ofSeconds(10)).build());
  }

  @Test
  void httpProtobufExporter() {
    exportAndCompare(OtlpHttpSpanExporter.builder()
        .setEndpoint("http://127.0.0.1:" + http.port() + "/v1/traces").setTimeout(Duration.ofSeconds(10)).build());
  }

  @Test
  void httpProtobufExporterWithGzip() {
    exportAndCompare(OtlpHttpSpanExporter.builder()
        .setEndpoint("http://127.0.0.1:" + http.port() + "/v1/traces").setCompression("gzip")
        .setTimeout(Duration.ofSeconds(10)).build());
  }

  @Test
  void manySpansInOneRequestOverBoth() {
    List<SpanData> spans = new ArrayList<>();
    for (int round = 0; round < 10; round++) {
      spans.addAll(sampleSpans("bulk-" + round));
    }
    SpanExporter g = OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + grpc.port()).build();
    SpanExporter h = OtlpHttpSpanExporter.builder()
        .setEndpoint("http://127.0.0.1:" + http.port() + "/v1/traces").build();
    try {
      assertThat(g.export(spans).join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
      assertThat(h.export(spans).join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
    } finally {
      g.shutdown().join(5, TimeUnit.SECONDS);
      h.shutdown().join(5, TimeUnit.SECONDS);
    }
    List<CapturingConsumer.Captured> got = consumer.spans();
    assertThat(got).hasSize(2 * spans.size());
    compare(spans, got.subList(0, spans.size()));
    compare(spans, got.subList(spans.size(), got.size()));
  }

  private void exportAndCompare(SpanExporter exporter) {
    List<SpanData> spans = sampleSpans("run");
    try {
      CompletableResultCode result = exporter.export(spans).join(20, TimeUnit.SECONDS);
      assertThat(result.isSuccess()).as("export succeeded").isTrue();
    } finally {
      exporter.shutdown().join(5, TimeUnit.SECONDS);
    }
    compare(spans, consumer.spans());
  }

  private static void compare(List<SpanData> expected, List<CapturingConsumer.Captured> got) {
    assertThat(got).hasSameSizeAs(expected);
    Map<String, CapturingConsumer.Captured> bySpanId = new HashMap<>();
    for (CapturingConsumer.Captured c : got) {
      bySpanId.put(String.format("%016x", c.spanId()), c);
    }
    for (SpanData e : expected) {
      CapturingConsumer.Captured c = bySpanId.get(e.getSpanId());
      assertThat(c).as("span %s received", e.getName()).isNotNull();
      String traceHex = String.format("%016x%016x", c.traceIdHigh(), c.traceIdLow());
      assertThat(traceHex).isEqualTo(e.getTraceId());
      String parent = e.getParentSpanContext().isValid() ? e.getParentSpanId() : "0000000000000000";
      assertThat(String.format("%016x", c.parentSpanId())).as("parent of %s", e.getName()).isEqualTo(parent);
      assertThat(c.name()).isEqualTo(e.getName());
      assertThat(c.kind()).as("kind of %s", e.getName()).isEqualTo(otlpKind(e.getKind()));
      assertThat(c.startNanos()).isEqualTo(e.getStartEpochNanos());
      assertThat(c.endNanos()).isEqualTo(e.getEndEpochNanos());
      assertThat(c.statusCode()).isEqualTo(otlpStatus(e.getStatus().getStatusCode()));
      assertThat(c.statusMessage()).isEqualTo(e.getStatus().getDescription());
      assertThat(c.service()).isEqualTo("checkout");
      io.opentelemetry.proto.trace.v1.Span proto;
      try {
        proto = io.opentelemetry.proto.trace.v1.Span.parseFrom(c.spanBytes());
      } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
        throw new AssertionError("span bytes of " + e.getName() + " do not parse", ex);
      }
      assertThat(proto.getName()).isEqualTo(e.getName());
      assertThat(attributes(proto.getAttributesList())).as("attributes of %s", e.getName())
          .isEqualTo(attributes(e.getAttributes()));
      assertThat(proto.getEventsCount()).isEqualTo(e.getEvents().size());
      assertThat(proto.getLinksCount()).isEqualTo(e.getLinks().size());
    }
  }

  private static int otlpKind(SpanKind kind) {
    switch (kind) {
      case INTERNAL:
        return 1;
      case SERVER:
        return 2;
      case CLIENT:
        return 3;
      case PRODUCER:
        return 4;
      default:
        return 5;
    }
  }

  private static int otlpStatus(StatusCode code) {
    return code == StatusCode.UNSET ? 0 : code == StatusCode.OK ? 1 : 2;
  }

  private static Map<String, Object> attributes(Attributes attributes) {
    Map<String, Object> out = new HashMap<>();
    attributes.forEach((k, v) -> out.put(k.getKey(), v));
    return out;
  }

  private static Map<String, Object> attributes(List<KeyValue> kvs) {
    Map<String, Object> out = new HashMap<>();
    for (KeyValue kv : kvs) {
      out.put(kv.getKey(), value(kv.getValue()));
    }
    return out;
  }

  private static Object value(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case BOOL_VALUE:
        return v.getBoolValue();
      case INT_VALUE:
        return v.getIntValue();
      case DOUBLE_VALUE:
        return v.getDoubleValue();
      case ARRAY_VALUE:
        List<Object> list = new ArrayList<>();
        for (AnyValue e : v.getArrayValue().getValuesList()) {
          list.add(value(e));
        }
        return list;
      default:
        throw new AssertionError("unexpected attribute value " + v);
    }
  }

  /** A small trace with every kind, status and attribute type, recorded by a real SDK tracer. */
  private static List<SpanData> sampleSpans(String prefix) {
    List<SpanData> ended = new CopyOnWriteArrayList<>();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
            AttributeKey.stringKey("service.name"), "checkout"))))
        .addSpanProcessor(new SpanProcessor() {
          @Override
          public void onStart(Context parentContext, ReadWriteSpan span) {}

          @Override
          public boolean isStartRequired() {
            return false;
          }

          @Override
          public void onEnd(ReadableSpan span) {
            ended.add(span.toSpanData());
          }

          @Override
          public boolean isEndRequired() {
            return true;
          }
        })
        .build();
    Tracer tracer = provider.get("receiver-test", "1.0");
    Span root = tracer.spanBuilder(prefix + " GET /cart").setSpanKind(SpanKind.SERVER)
        .setAttribute("http.request.method", "GET")
        .setAttribute("http.response.status_code", 200L)
        .setAttribute("cache.hit", true)
        .setAttribute("ratio", 0.25)
        .setAttribute(AttributeKey.stringArrayKey("tags"), List.of("a", "b"))
        .setAttribute(AttributeKey.longArrayKey("ports"), List.of(80L, 443L))
        .setAttribute(AttributeKey.booleanArrayKey("flags"), List.of(true, false))
        .setAttribute(AttributeKey.doubleArrayKey("weights"), List.of(1.5, -2.0))
        .setAttribute("unicode", "ünïcødé ✓")
        .startSpan();
    Scope scope = root.makeCurrent();
    try {
      Span db = tracer.spanBuilder(prefix + " SELECT cart").setSpanKind(SpanKind.CLIENT)
          .setAttribute("db.system", "postgresql").startSpan();
      db.addEvent("retry", Attributes.of(AttributeKey.longKey("attempt"), 2L));
      db.setStatus(StatusCode.ERROR, "connection reset");
      db.end();
      Span internal = tracer.spanBuilder(prefix + " compute").startSpan();
      internal.setStatus(StatusCode.OK);
      internal.end();
      Span produce = tracer.spanBuilder(prefix + " publish").setSpanKind(SpanKind.PRODUCER).startSpan();
      produce.end();
      Span consume = tracer.spanBuilder(prefix + " process").setSpanKind(SpanKind.CONSUMER).setNoParent()
          .addLink(produce.getSpanContext()).startSpan();
      consume.end();
    } finally {
      scope.close();
      root.end();
    }
    provider.shutdown().join(5, TimeUnit.SECONDS);
    assertThat(ended).hasSize(5);
    return new ArrayList<>(ended);
  }
}
