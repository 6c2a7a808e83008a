package io.spanfold.otlp.json;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Writes the committed seed corpora of the Jazzer fuzz tests (core and otlp). Not a test: run it from the repository
 * root after changing it (README "Fuzzing"), then commit what it writes. Deterministic: same seeds every run.
 */
public final class FuzzSeeds {
  private FuzzSeeds() {}

  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : ".");
    Path coreDecode = root.resolve("core/src/test/resources/io/spanfold/core/wire/OtlpProtoDecoderFuzzTestInputs/decode");
    Path coreAttrs = root.resolve("core/src/test/resources/io/spanfold/core/wire/OtlpAttributesFuzzTestInputs/scan");
    Path fuzz = root.resolve("otlp/src/test/resources/io/spanfold/otlp/fuzz");
    Path json = fuzz.resolve("OtlpJsonDecoderFuzzTestInputs/decode");
    Path tempo = fuzz.resolve("TempoJsonFuzzTestInputs/write");
    Path traceId = fuzz.resolve("TraceIdParserFuzzTestInputs/parse");

    // ---- protobuf requests (core decoder; as TracesData also TempoJson's input)
    byte[] rich = richRequest().toByteArray();
    write(coreDecode, "rich_request", rich);
    write(tempo, "rich_trace", rich);
    Random r = new Random(42);
    for (int i = 0; i < 3; i++) {
      byte[] random = OtlpTestData.request(r).toByteArray();
      write(coreDecode, "random_request_" + i, random);
      write(tempo, "random_trace_" + i, random);
    }
    for (String fixture : new String[] {"otel-proto/trace.json", "jaeger/example_trace.json",
        "jaeger/link_attributes_trace.json"}) {
      String text = Files.readString(root.resolve("otlp/src/test/resources").resolve(fixture));
      ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
      JsonFormat.parser().ignoringUnknownFields().merge(text, b);
      String name = fixture.replace('/', '_').replace(".json", "");
      write(coreDecode, name, b.build().toByteArray());
      write(tempo, name, b.build().toByteArray());
      write(json, name, text.getBytes(StandardCharsets.UTF_8));
    }
    // a 2 GiB - 1 length prefix at the top and inside a span; an 11-byte varint; wire types 3, 4, 6, 7; truncation
    write(coreDecode, "huge_length_top", new byte[] {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07});
    write(coreDecode, "huge_length_in_span", wrap(1, wrap(2, concat(new byte[] {0x12, 0x08},
        new byte[] {0x2A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 1, 2}))));
    write(coreDecode, "varint_too_long", new byte[] {0x08, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0x01});
    write(coreDecode, "group_wire_type", new byte[] {0x0B, 0x0C});
    write(coreDecode, "truncated", Arrays.copyOf(rich, rich.length / 2));
    write(coreDecode, "bad_ids", badIdsRequest().toByteArray());
    write(coreDecode, "field_zero", new byte[] {0x02, 0x00});
    write(tempo, "huge_length_top", new byte[] {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07});
    write(tempo, "wrong_wire_type", new byte[] {0x08, 0x01});

    // ---- TempoJson: repeated singular messages (merged), deep AnyValue, invalid UTF-8, many resource spans
    byte[] kvA = {0x0A, 0x03, 0x0A, 0x01, 'a'};
    write(tempo, "repeated_resource", wrap(1, concat(wrap(1, kvA), wrap(1, kvA))));
    byte[] value = {0x0A, 0x01, 'x'};
    for (int i = 0; i < 120; i++) {
      value = wrap(5, wrap(1, value));
    }
    write(tempo, "deep_any_value", wrap(1, wrap(2, wrap(2, wrap(9, concat(new byte[] {0x0A, 0x01, 'k'},
        wrap(2, value)))))));
    write(tempo, "invalid_utf8_name", wrap(1, wrap(2, wrap(2, concat(new byte[] {0x2A, 0x05},
        new byte[] {(byte) 0xC3, 0x28, (byte) 0xF0, (byte) 0x9F, 0x00})))));

    // ---- OtlpAttributes: byte 0 = attributes field - 1, byte 1 = key index (0: service.name), then the message
    Resource resource = Resource.newBuilder().addAttributes(kv("host.name", AnyValue.newBuilder().setStringValue("h")))
        .addAttributes(kv("service.name", AnyValue.newBuilder().setStringValue("frigate"))).build();
    write(coreAttrs, "resource_service_name", concat(new byte[] {0, 0}, resource.toByteArray()));
    write(coreAttrs, "span_all_types", concat(new byte[] {8, 2}, allTypesSpan().toByteArray()));
    write(coreAttrs, "huge_length_in_key_value", new byte[] {0, 0, 0x0A, 0x06, 0x0A, (byte) 0xFF, (byte) 0xFF,
        (byte) 0xFF, (byte) 0xFF, 0x07});
    write(coreAttrs, "service_name_not_a_string", concat(new byte[] {0, 0}, Resource.newBuilder()
        .addAttributes(kv("service.name", AnyValue.newBuilder().setIntValue(7))).build().toByteArray()));

    // ---- OTLP/JSON
    ExportTraceServiceRequest req = OtlpTestData.request(new Random(7));
    write(json, "random_request", OtlpTestData.toOtlpJson(req, new Random(8)).getBytes(StandardCharsets.UTF_8));
    write(json, "huge_exponent", utf8(span("\"startTimeUnixNano\":\"1e99999999\",\"endTimeUnixNano\":1e-99999999")));
    write(json, "deep_nesting", utf8("{\"resourceSpans\":[{\"x\":" + "[".repeat(2000) + "]".repeat(2000) + "}]}"));
    write(json, "deep_any_value", utf8("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"k\",\"value\":"
        + "{\"arrayValue\":{\"values\":[".repeat(400) + "]}}".repeat(400) + "}]}}]}"));
    write(json, "edge_values", utf8(span("\"trace_id\":\"0102030405060708090A0B0C0D0E0F10\",\"spanId\":\"\","
        + "\"name\":\"\\ud800 lone \\u0000\",\"kind\":\"SPAN_KIND_SERVER\",\"status\":{\"code\":\"2\"},"
        + "\"attributes\":[{\"key\":\"d\",\"value\":{\"doubleValue\":\"NaN\"}},{\"key\":\"b\",\"value\":"
        + "{\"bytesValue\":\"-_8=\"}},{\"key\":\"i\",\"value\":{\"intValue\":\"-9223372036854775808\"}},"
        + "{\"key\":\"l\",\"value\":{\"kvlistValue\":{\"values\":[{\"key\":\"n\",\"value\":null}]}}}],"
        + "\"droppedAttributesCount\":4294967295,\"flags\":\"1.0e0\"")));

    // ---- TraceIdParser
    for (String id : new String[] {"0123456789abcdef0123456789ABCDEF", "1", "00" + "f".repeat(32), "1" + "0".repeat(32),
        "12x4", "\u00e9", "\u0663", "abc\ud83d\ude00"}) {
      write(traceId, "id_" + Integer.toHexString(id.hashCode()), utf8(id));
    }
  }

  private static ExportTraceServiceRequest richRequest() {
    Span span = allTypesSpan().toBuilder()
        .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
        .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
        .setParentSpanId(ByteString.copyFrom(new byte[] {8, 7, 6, 5, 4, 3, 2, 1})).setName("GET /a")
        .setKind(Span.SpanKind.SPAN_KIND_SERVER).setStartTimeUnixNano(1_700_000_000_000_000_000L)
        .setEndTimeUnixNano(1_700_000_000_100_000_000L)
        .addEvents(Span.Event.newBuilder().setName("e").setTimeUnixNano(1))
        .addLinks(Span.Link.newBuilder().setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.EMPTY))
        .setStatus(io.opentelemetry.proto.trace.v1.Status.newBuilder().setCodeValue(2).setMessage("boom"))
        .build();
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("service.name", AnyValue.newBuilder()
            .setStringValue("frigate"))))
        .setSchemaUrl("https://opentelemetry.io/schemas/1.21.0")
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span).addSpans(span.toBuilder().setName("child"))))
        .build();
  }

  private static ExportTraceServiceRequest badIdsRequest() {
    Span ok = Span.newBuilder().setTraceId(ByteString.copyFrom(new byte[15]))
        .setSpanId(ByteString.copyFrom(new byte[9])).setParentSpanId(ByteString.copyFrom(new byte[3]))
        .setStartTimeUnixNano(5).setEndTimeUnixNano(4).build();
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(ok).addSpans(Span.getDefaultInstance()))).build();
  }

  private static Span allTypesSpan() {
    return Span.newBuilder()
        .addAttributes(kv("s", AnyValue.newBuilder().setStringValue("v")))
        .addAttributes(kv("b", AnyValue.newBuilder().setBoolValue(true)))
        .addAttributes(kv("i", AnyValue.newBuilder().setIntValue(-1)))
        .addAttributes(kv("d", AnyValue.newBuilder().setDoubleValue(Double.NaN)))
        .addAttributes(kv("a", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
            .addValues(AnyValue.newBuilder().setStringValue("x")))))
        .addAttributes(kv("k", AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
            .addValues(kv("n", AnyValue.newBuilder().setIntValue(1))))))
        .addAttributes(kv("y", AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {0, -1}))))
        .addAttributes(KeyValue.newBuilder().setKey("empty"))
        .build();
  }

  private static KeyValue kv(String key, AnyValue.Builder value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static String span(String fields) {
    return "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{" + fields + "}]}]}]}";
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] wrap(int field, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 6);
    out.write(field << 3 | 2);
    int n = body.length;
    while ((n & ~0x7F) != 0) {
      out.write(n & 0x7F | 0x80);
      n >>>= 7;
    }
    out.write(n);
    out.write(body, 0, body.length);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p, 0, p.length);
    }
    return out.toByteArray();
  }

  private static void write(Path dir, String name, byte[] bytes) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve(name), bytes);
  }
}
