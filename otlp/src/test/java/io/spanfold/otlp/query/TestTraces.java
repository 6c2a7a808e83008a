package io.spanfold.otlp.query;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.Base64;

/** Handcrafted traces shared by the query tests. */
final class TestTraces {
  private TestTraces() {}

  static final byte[] TRACE_ID = Base64.getDecoder().decode("W47/95gDgQPSabYzgT/HAA==");
  static final String TRACE_ID_HEX = "5b8efff798038103d269b633813fc700";

  static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  /** The example of TEMPO-API.md section 1.1. */
  static TracesData tempoDocExample() {
    Span span =
        Span.newBuilder()
            .setTraceId(ByteString.copyFrom(TRACE_ID))
            .setSpanId(ByteString.copyFrom(Base64.getDecoder().decode("7uGbfsPBsQA=")))
            .setName("GET /x")
            .setKind(Span.SpanKind.SPAN_KIND_SERVER)
            .setStartTimeUnixNano(1689969302000000000L)
            .setEndTimeUnixNano(1689969302100000000L)
            .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR))
            .build();
    return TracesData.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", str("api"))))
                .addScopeSpans(
                    ScopeSpans.newBuilder().setScope(InstrumentationScope.getDefaultInstance()).addSpans(span)))
        .build();
  }

  /** A trace touching every field Tempo prints. */
  static TracesData everyField() {
    ByteString traceId = ByteString.copyFrom(TRACE_ID);
    Span root =
        Span.newBuilder()
            .setTraceId(traceId)
            .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, 1}))
            .setTraceState("k=v")
            .setParentSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
            .setFlags(0x301)
            .setName("<db> & \"query\"")
            .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
            .setStartTimeUnixNano(-1L) // 2^64-1 as uint64
            .setEndTimeUnixNano(1)
            .addAttributes(kv("s", str("")))
            .addAttributes(kv("b", AnyValue.newBuilder().setBoolValue(false).build()))
            .addAttributes(kv("i", AnyValue.newBuilder().setIntValue(-42).build()))
            .addAttributes(kv("d", AnyValue.newBuilder().setDoubleValue(0.5).build()))
            .addAttributes(kv("nan", AnyValue.newBuilder().setDoubleValue(Double.NaN).build()))
            .addAttributes(kv("inf", AnyValue.newBuilder().setDoubleValue(Double.NEGATIVE_INFINITY).build()))
            .addAttributes(kv("big", AnyValue.newBuilder().setDoubleValue(1e21).build()))
            .addAttributes(kv("bytes", AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {-1, 0})).build()))
            .addAttributes(
                kv(
                    "arr",
                    AnyValue.newBuilder()
                        .setArrayValue(ArrayValue.newBuilder().addValues(str("x")).addValues(AnyValue.newBuilder().setIntValue(7)))
                        .build()))
            .addAttributes(
                kv(
                    "kvl",
                    AnyValue.newBuilder()
                        .setKvlistValue(KeyValueList.newBuilder().addValues(kv("inner", str("\u00e9\n"))))
                        .build()))
            .addAttributes(kv("emptyarr", AnyValue.newBuilder().setArrayValue(ArrayValue.getDefaultInstance()).build()))
            .addAttributes(KeyValue.newBuilder().setKey("novalue").build())
            .addAttributes(kv("emptyvalue", AnyValue.getDefaultInstance()))
            .setDroppedAttributesCount(3)
            .addEvents(
                Span.Event.newBuilder()
                    .setTimeUnixNano(1689969302050000000L)
                    .setName("exception")
                    .addAttributes(kv("exception.message", str("boom")))
                    .setDroppedAttributesCount(1))
            .addEvents(Span.Event.getDefaultInstance())
            .setDroppedEventsCount(4)
            .addLinks(
                Span.Link.newBuilder()
                    .setTraceId(traceId)
                    .setSpanId(ByteString.copyFrom(new byte[] {9, 9, 9, 9, 9, 9, 9, 9}))
                    .setTraceState("a=b")
                    .addAttributes(kv("link", str("l")))
                    .setDroppedAttributesCount(2)
                    .setFlags(1))
            .setDroppedLinksCount(5)
            .setStatus(Status.newBuilder().setMessage("failed").setCode(Status.StatusCode.STATUS_CODE_ERROR))
            .build();
    Span unknownKind =
        Span.newBuilder().setTraceId(traceId).setKindValue(9).setStatus(Status.getDefaultInstance()).build();
    return TracesData.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(
                    Resource.newBuilder().addAttributes(kv("service.name", str("shop"))).setDroppedAttributesCount(1))
                .addScopeSpans(
                    ScopeSpans.newBuilder()
                        .setScope(
                            InstrumentationScope.newBuilder()
                                .setName("io.opentelemetry.jdbc")
                                .setVersion("1.0")
                                .addAttributes(kv("scope.attr", str("v")))
                                .setDroppedAttributesCount(6))
                        .addSpans(root)
                        .addSpans(unknownKind)
                        .setSchemaUrl("https://opentelemetry.io/schemas/1.21.0"))
                .setSchemaUrl("https://opentelemetry.io/schemas/1.20.0"))
        .addResourceSpans(ResourceSpans.getDefaultInstance())
        .build();
  }
}
