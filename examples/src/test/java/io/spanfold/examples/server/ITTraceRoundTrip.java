package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: spans exported by the real OTel SDK (gRPC and HTTP exporters) come back from the server jar's trace-by-id
 * API, v2 and v1, protobuf and JSON, with every field of every span, resource and scope as the SDK produced it. The
 * expectation is built from the SDK's own {@link SpanData}, captured by a second span processor in the same provider.
 * Checked twice: while the spans are in the head block, and again once every block has been completed.
 */
@Timeout(120)
class ITTraceRoundTrip {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;

  /** A span as placed in a trace response: its resource and scope (with their schema URLs) and the span itself. */
  record Placed(Resource resource, String resourceSchemaUrl, InstrumentationScope scope, String scopeSchemaUrl,
      io.opentelemetry.proto.trace.v1.Span span) {}

  @Test
  void sdkSpansComeBackIdenticalFromEveryTraceByIdFlavour() throws Exception {
    List<SpanData> captured = new CopyOnWriteArrayList<>();
    // One-second blocks: the trace is read back from the head block, then again once its block is completed.
    try (ServerProcess server = ServerProcess.start(dataDir, "--storage.block-duration=1s")) {
      SpanLimits limits = SpanLimits.builder().setMaxNumberOfAttributes(16).setMaxNumberOfEvents(3)
          .setMaxNumberOfLinks(2).build();
      SdkTracerProvider front = SdkTracerProvider.builder().setSpanLimits(limits)
          .setResource(io.opentelemetry.sdk.resources.Resource.create(Attributes.builder()
              .put("service.name", "roundtrip-frontend").put("service.instance.id", "f-1")
              .put("host.cpu.count", 2L).put("host.load", 0.75).put("container.privileged", false)
              .put(AttributeKey.stringArrayKey("process.command_args"), List.of("java", "-jar", "x.jar"))
              .put(AttributeKey.longArrayKey("it.ports"), List.of(80L, 443L))
              .put(AttributeKey.doubleArrayKey("it.ratios"), List.of(0.5, 1.5))
              .put(AttributeKey.booleanArrayKey("it.flags"), List.of(true, false)).build(),
              "https://opentelemetry.io/schemas/1.24.0"))
          .addSpanProcessor(SimpleSpanProcessor.create(capture(captured)))
          .addSpanProcessor(BatchSpanProcessor.builder(OtlpGrpcSpanExporter.builder()
              .setEndpoint("http://127.0.0.1:" + server.grpcPort).build()).build())
          .build();
      SdkTracerProvider back = SdkTracerProvider.builder().setSpanLimits(limits)
          .setResource(io.opentelemetry.sdk.resources.Resource.create(Attributes.builder()
              .put("service.name", "roundtrip-backend").put("deployment.environment", "it").build(),
              "https://opentelemetry.io/schemas/1.21.0"))
          .addSpanProcessor(SimpleSpanProcessor.create(capture(captured)))
          .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
              .setEndpoint(server.otlpHttpUrl("/v1/traces")).build()).build())
          .build();
      try {
        recordSpans(front, back);
      } finally {
        assertThat(front.shutdown().join(20, TimeUnit.SECONDS).isSuccess()).as("gRPC export").isTrue();
        assertThat(back.shutdown().join(20, TimeUnit.SECONDS).isSuccess()).as("HTTP export").isTrue();
      }
      assertThat(captured).hasSize(9);

      Map<String, Map<String, Placed>> expectedByTrace = new TreeMap<>();
      for (SpanData s : captured) {
        expectedByTrace.computeIfAbsent(s.getTraceId(), k -> new TreeMap<>()).put(s.getSpanId(), expected(s));
      }
      assertThat(expectedByTrace).hasSize(2);

      TraceApi api = new TraceApi(server);
      checkEveryFlavour(api, expectedByTrace);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!allBlocksCompleted() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertThat(allBlocksCompleted()).as("head block completed within 30 s").isTrue();
      checkEveryFlavour(api, expectedByTrace);

      HttpResponse<byte[]> unknown = api.get("/api/traces/0123456789abcdef0123456789abcdef", null);
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(TraceApi.spans(api.v2Proto(HexFormat.of().parseHex("0123456789abcdef0123456789abcdef"))))
          .isEmpty();
    }
  }

  private static void checkEveryFlavour(TraceApi api, Map<String, Map<String, Placed>> expectedByTrace)
      throws Exception {
    for (Map.Entry<String, Map<String, Placed>> e : expectedByTrace.entrySet()) {
      String id = e.getKey();
      Map<String, Placed> expected = e.getValue();

      TracesData v2Proto = api.v2Proto(HexFormat.of().parseHex(id));
      assertSameSpans("v2 protobuf " + id, v2Proto, expected);

      HttpResponse<byte[]> v2Json = api.get("/api/v2/traces/" + id, "application/json");
      assertThat(v2Json.statusCode()).isEqualTo(200);
      assertThat(v2Json.headers().firstValue("content-type")).hasValue("application/json");
      JsonNode v2 = JSON.readTree(v2Json.body());
      assertThat(v2.get("metrics").get("inspectedBytes").asText()).matches("[1-9][0-9]*");
      assertThat(v2.has("status")).as("a whole trace is not PARTIAL").isFalse();
      TracesData fromV2Json = parseOtlpJson(v2.get("trace"));
      assertSameSpans("v2 JSON " + id, fromV2Json, expected);
      assertThat(fromV2Json).as("v2 JSON and protobuf carry the same trace").isEqualTo(v2Proto);

      HttpResponse<byte[]> v1ProtoResp = api.get("/api/traces/" + id, TraceApi.PROTOBUF);
      assertThat(v1ProtoResp.statusCode()).isEqualTo(200);
      assertThat(v1ProtoResp.headers().firstValue("content-type")).hasValue(TraceApi.PROTOBUF);
      TracesData v1Proto = TracesData.parseFrom(v1ProtoResp.body());
      assertSameSpans("v1 protobuf " + id, v1Proto, expected);

      HttpResponse<byte[]> v1JsonResp = api.get("/api/traces/" + id, null);
      assertThat(v1JsonResp.statusCode()).isEqualTo(200);
      JsonNode v1 = JSON.readTree(v1JsonResp.body());
      assertThat(fieldNames(v1)).containsExactly("batches");
      ObjectNode asOtlp = JSON.createObjectNode();
      asOtlp.set("resourceSpans", v1.get("batches"));
      assertSameSpans("v1 JSON " + id, parseOtlpJson(asOtlp), expected);
    }
  }

  /** True once every block directory has been completed (committed {@code block.meta}): no head block is left. */
  private boolean allBlocksCompleted() throws java.io.IOException {
    Path tenant = dataDir.resolve("single-tenant");
    if (!java.nio.file.Files.isDirectory(tenant)) {
      return false;
    }
    try (java.util.stream.Stream<Path> blocks = java.nio.file.Files.list(tenant)) {
      List<Path> dirs = blocks.filter(java.nio.file.Files::isDirectory).toList();
      return !dirs.isEmpty() && dirs.stream().allMatch(d -> java.nio.file.Files.exists(d.resolve("block.meta")));
    }
  }

  /**
   * Two traces. Trace A continues a remote parent (with trace state) in the frontend: a SERVER span with attributes
   * of every type, events (one an exception), a link into trace B and an error status; an INTERNAL and a CLIENT
   * child; the CLIENT calls the backend (another provider, another transport), whose SERVER span has a PRODUCER and
   * a CONSUMER child under two scopes. Trace B: one backend root over the attribute, event and link limits.
   */
  private static void recordSpans(SdkTracerProvider front, SdkTracerProvider back) {
    Tracer frontTracer = front.tracerBuilder("io.spanfold.it.frontend").setInstrumentationVersion("1.2.3")
        .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0").build();
    Tracer backTracer = back.tracerBuilder("io.spanfold.it.backend").setInstrumentationVersion("4.5.6").build();
    Tracer queueTracer = back.get("io.spanfold.it.queue");
    long t0 = System.currentTimeMillis() * 1_000_000L - 5_000_000_000L;

    Span cron = backTracer.spanBuilder("cron").setNoParent().setStartTimestamp(t0, TimeUnit.NANOSECONDS).startSpan();
    for (int i = 0; i < 18; i++) {
      cron.setAttribute("attr." + i, i);
    }
    for (int i = 0; i < 4; i++) {
      cron.addEvent("tick " + i, Attributes.of(AttributeKey.longKey("i"), (long) i), t0 + i, TimeUnit.NANOSECONDS);
    }
    SpanContext cronContext = cron.getSpanContext();
    cron.end(t0 + 900_000_000L, TimeUnit.NANOSECONDS);

    SpanContext remoteParent = SpanContext.createFromRemoteParent("5b8efff798038103d269b633813fc60c",
        "eee19b7ec3c1b174", TraceFlags.getSampled(),
        TraceState.builder().put("congo", "t61rcWkgMzE").put("rojo", "00f067aa0ba902b7").build());
    Span server = frontTracer.spanBuilder("GET /checkout").setParent(Context.root().with(Span.wrap(remoteParent)))
        .setSpanKind(SpanKind.SERVER).setStartTimestamp(t0 + 1_000_000_000L, TimeUnit.NANOSECONDS)
        .setAttribute("http.request.method", "GET").setAttribute("http.response.status_code", 500L)
        .setAttribute("it.ratio", 0.25).setAttribute("it.cached", true)
        .setAttribute(AttributeKey.stringArrayKey("it.tags"), List.of("a", "", "ü"))
        .setAttribute(AttributeKey.longArrayKey("it.longs"), List.of(-1L, 0L, Long.MAX_VALUE))
        .setAttribute(AttributeKey.doubleArrayKey("it.doubles"), List.of(-0.5, 1e300))
        .setAttribute(AttributeKey.booleanArrayKey("it.bools"), List.of(false, true))
        .addLink(cronContext, Attributes.of(AttributeKey.stringKey("link.reason"), "scheduled"))
        .addLink(remoteParent)
        .startSpan();
    server.addEvent("cache miss", Attributes.of(AttributeKey.stringKey("cache.key"), "cart:42",
        AttributeKey.longKey("cache.size"), 7L), t0 + 1_100_000_000L, TimeUnit.NANOSECONDS);
    server.recordException(new IllegalStateException("payment declined"));
    server.setStatus(StatusCode.ERROR, "boom");
    Context serverCtx = Context.root().with(server);

    Span render = frontTracer.spanBuilder("render").setParent(serverCtx).setSpanKind(SpanKind.INTERNAL)
        .setStartTimestamp(t0 + 1_200_000_000L, TimeUnit.NANOSECONDS).startSpan();
    render.setStatus(StatusCode.OK);
    render.end(t0 + 1_300_000_000L, TimeUnit.NANOSECONDS);

    Span client = frontTracer.spanBuilder("POST /pay").setParent(serverCtx).setSpanKind(SpanKind.CLIENT)
        .setStartTimestamp(t0 + 1_300_000_000L, TimeUnit.NANOSECONDS).setAttribute("server.address", "backend")
        .startSpan();
    SpanContext propagated = SpanContext.createFromRemoteParent(client.getSpanContext().getTraceId(),
        client.getSpanContext().getSpanId(), client.getSpanContext().getTraceFlags(),
        client.getSpanContext().getTraceState());
    Span pay = backTracer.spanBuilder("POST /pay").setParent(Context.root().with(Span.wrap(propagated)))
        .setSpanKind(SpanKind.SERVER).setStartTimestamp(t0 + 1_310_000_000L, TimeUnit.NANOSECONDS).startSpan();
    Span publish = queueTracer.spanBuilder("payments publish").setParent(Context.root().with(pay))
        .setSpanKind(SpanKind.PRODUCER).setAttribute("messaging.system", "kafka")
        .setStartTimestamp(t0 + 1_320_000_000L, TimeUnit.NANOSECONDS).startSpan();
    publish.end(t0 + 1_330_000_000L, TimeUnit.NANOSECONDS);
    Span process = queueTracer.spanBuilder("payments process").setParent(Context.root().with(publish))
        .setSpanKind(SpanKind.CONSUMER).addLink(publish.getSpanContext())
        .setStartTimestamp(t0 + 1_340_000_000L, TimeUnit.NANOSECONDS).startSpan();
    process.end(t0 + 1_390_000_000L, TimeUnit.NANOSECONDS);
    pay.end(t0 + 1_395_000_000L, TimeUnit.NANOSECONDS);
    client.end(t0 + 1_400_000_000L, TimeUnit.NANOSECONDS);
    server.end(t0 + 1_500_000_000L, TimeUnit.NANOSECONDS);

    // Two more, with no kind set and with zero duration: nine spans in all.
    Span extra1 = frontTracer.spanBuilder("unset-kind").setParent(serverCtx)
        .setStartTimestamp(t0 + 1_410_000_000L, TimeUnit.NANOSECONDS).startSpan();
    extra1.end(t0 + 1_420_000_000L, TimeUnit.NANOSECONDS);
    Span extra2 = backTracer.spanBuilder("empty").setParent(Context.root().with(pay))
        .setStartTimestamp(t0 + 1_311_000_000L, TimeUnit.NANOSECONDS).startSpan();
    extra2.end(t0 + 1_311_000_000L, TimeUnit.NANOSECONDS);
  }

  private static SpanExporter capture(List<SpanData> into) {
    return new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        into.addAll(spans);
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
  }

  // ------------------------------------------------------------------ comparison

  private static void assertSameSpans(String what, TracesData actual, Map<String, Placed> expected) {
    Map<String, Placed> got = new TreeMap<>();
    for (ResourceSpans rs : actual.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
          Placed prev = got.put(HexFormat.of().formatHex(s.getSpanId().toByteArray()),
              new Placed(rs.getResource(), rs.getSchemaUrl(), ss.getScope(), ss.getSchemaUrl(), s));
          assertThat(prev).as("%s: span returned twice: %s", what, s).isNull();
        }
      }
    }
    assertThat(got.keySet()).as("%s: span ids", what).isEqualTo(expected.keySet());
    for (Map.Entry<String, Placed> e : expected.entrySet()) {
      assertThat(got.get(e.getKey())).as("%s: span %s", what, e.getKey()).isEqualTo(e.getValue());
    }
    // Spans of one resource and scope are grouped, not repeated under copies of them.
    Set<String> groups = new TreeSet<>();
    for (ResourceSpans rs : actual.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        assertThat(groups.add(rs.getResource() + "|" + ss.getScope())).as("%s: repeated group", what).isTrue();
      }
    }
  }

  private static TracesData parseOtlpJson(JsonNode traceNode) throws Exception {
    TracesData.Builder b = TracesData.newBuilder();
    JsonFormat.parser().merge(JSON.writeValueAsString(traceNode), b);
    return b.build();
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  // ------------------------------------------------------------------ the SDK's SpanData as OTLP, field by field

  private static Placed expected(SpanData s) {
    Resource resource = Resource.newBuilder().addAllAttributes(keyValues(s.getResource().getAttributes())).build();
    InstrumentationScopeInfo scopeInfo = s.getInstrumentationScopeInfo();
    InstrumentationScope.Builder scope = InstrumentationScope.newBuilder().setName(scopeInfo.getName())
        .addAllAttributes(keyValues(scopeInfo.getAttributes()));
    if (scopeInfo.getVersion() != null) {
      scope.setVersion(scopeInfo.getVersion());
    }
    io.opentelemetry.proto.trace.v1.Span.Builder span = io.opentelemetry.proto.trace.v1.Span.newBuilder()
        .setTraceId(bytes(s.getTraceId())).setSpanId(bytes(s.getSpanId()))
        .setTraceState(traceState(s.getSpanContext().getTraceState()))
        .setFlags(flags(s.getSpanContext().getTraceFlags(), s.getParentSpanContext().isRemote()))
        .setName(s.getName()).setKindValue(s.getKind().ordinal() + 1)
        .setStartTimeUnixNano(s.getStartEpochNanos()).setEndTimeUnixNano(s.getEndEpochNanos())
        .addAllAttributes(keyValues(s.getAttributes()))
        .setDroppedAttributesCount(s.getTotalAttributeCount() - s.getAttributes().size())
        .setDroppedEventsCount(s.getTotalRecordedEvents() - s.getEvents().size())
        .setDroppedLinksCount(s.getTotalRecordedLinks() - s.getLinks().size());
    if (s.getParentSpanContext().isValid()) {
      span.setParentSpanId(bytes(s.getParentSpanId()));
    }
    for (EventData ev : s.getEvents()) {
      span.addEvents(io.opentelemetry.proto.trace.v1.Span.Event.newBuilder().setTimeUnixNano(ev.getEpochNanos())
          .setName(ev.getName()).addAllAttributes(keyValues(ev.getAttributes()))
          .setDroppedAttributesCount(ev.getTotalAttributeCount() - ev.getAttributes().size()));
    }
    for (LinkData l : s.getLinks()) {
      span.addLinks(io.opentelemetry.proto.trace.v1.Span.Link.newBuilder()
          .setTraceId(bytes(l.getSpanContext().getTraceId())).setSpanId(bytes(l.getSpanContext().getSpanId()))
          .setTraceState(traceState(l.getSpanContext().getTraceState()))
          .setFlags(flags(l.getSpanContext().getTraceFlags(), l.getSpanContext().isRemote()))
          .addAllAttributes(keyValues(l.getAttributes()))
          .setDroppedAttributesCount(l.getTotalAttributeCount() - l.getAttributes().size()));
    }
    Status.Builder status = Status.newBuilder().setCodeValue(s.getStatus().getStatusCode().ordinal())
        .setMessage(s.getStatus().getDescription());
    span.setStatus(status);
    // the SDK's StatusCode enum is declared UNSET, OK, ERROR: the OTLP numbering
    assertThat(StatusCode.values()).containsExactly(StatusCode.UNSET, StatusCode.OK, StatusCode.ERROR);
    assertThat(SpanKind.values()).containsExactly(SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT,
        SpanKind.PRODUCER, SpanKind.CONSUMER);
    return new Placed(resource, nullToEmpty(s.getResource().getSchemaUrl()), scope.build(),
        nullToEmpty(scopeInfo.getSchemaUrl()), span.build());
  }

  /** OTLP span flags: the W3C trace flags, plus bit 8 "parent remoteness known" and bit 9 "parent is remote". */
  private static int flags(TraceFlags traceFlags, boolean remote) {
    return (traceFlags.asByte() & 0xff) | 0x100 | (remote ? 0x200 : 0);
  }

  private static String traceState(TraceState ts) {
    StringBuilder sb = new StringBuilder();
    ts.forEach((k, v) -> {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(k).append('=').append(v);
    });
    return sb.toString();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  private static ByteString bytes(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  private static List<KeyValue> keyValues(Attributes attributes) {
    List<KeyValue> out = new ArrayList<>();
    attributes.forEach((k, v) -> out.add(KeyValue.newBuilder().setKey(k.getKey()).setValue(any(k.getType(), v))
        .build()));
    return out;
  }

  private static AnyValue any(AttributeType type, Object v) {
    switch (type) {
      case STRING:
        return AnyValue.newBuilder().setStringValue((String) v).build();
      case BOOLEAN:
        return AnyValue.newBuilder().setBoolValue((Boolean) v).build();
      case LONG:
        return AnyValue.newBuilder().setIntValue((Long) v).build();
      case DOUBLE:
        return AnyValue.newBuilder().setDoubleValue((Double) v).build();
      case STRING_ARRAY:
        return array(AttributeType.STRING, (List<?>) v);
      case BOOLEAN_ARRAY:
        return array(AttributeType.BOOLEAN, (List<?>) v);
      case LONG_ARRAY:
        return array(AttributeType.LONG, (List<?>) v);
      case DOUBLE_ARRAY:
        return array(AttributeType.DOUBLE, (List<?>) v);
      default:
        throw new AssertionError("attribute type not covered: " + type);
    }
  }

  private static AnyValue array(AttributeType element, List<?> values) {
    ArrayValue.Builder a = ArrayValue.newBuilder();
    for (Object o : values) {
      a.addValues(any(element, o));
    }
    return AnyValue.newBuilder().setArrayValue(a).build();
  }
}
