package io.spanfold.otlp.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TempoJsonTest {
  @Test
  void tempoDocumentationExampleByteForByte() {
    String expected =
        "{\"batches\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"api\"}}]},"
            + "\"scopeSpans\":[{\"scope\":{},\"spans\":[{\"traceId\":\"W47/95gDgQPSabYzgT/HAA==\",\"spanId\":\"7uGbfsPBsQA=\","
            + "\"name\":\"GET /x\",\"kind\":\"SPAN_KIND_SERVER\",\"startTimeUnixNano\":\"1689969302000000000\","
            + "\"endTimeUnixNano\":\"1689969302100000000\",\"status\":{\"code\":\"STATUS_CODE_ERROR\"}}]}]}]}";
    assertThat(json(TempoJson.traceV1(TestTraces.tempoDocExample().toByteArray()))).isEqualTo(expected);
  }

  @Test
  void everyFieldGolden() {
    String expected =
        "{\"resourceSpans\":["
            + "{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"shop\"}}],\"droppedAttributesCount\":1},"
            + "\"scopeSpans\":[{\"scope\":{\"name\":\"io.opentelemetry.jdbc\",\"version\":\"1.0\","
            + "\"attributes\":[{\"key\":\"scope.attr\",\"value\":{\"stringValue\":\"v\"}}],\"droppedAttributesCount\":6},"
            + "\"spans\":[{\"traceId\":\"W47/95gDgQPSabYzgT/HAA==\",\"spanId\":\"AAAAAAAAAAE=\",\"traceState\":\"k=v\","
            + "\"parentSpanId\":\"AQIDBAUGBwg=\",\"flags\":769,\"name\":\"\\u003cdb\\u003e \\u0026 \\\"query\\\"\","
            + "\"kind\":\"SPAN_KIND_CLIENT\",\"startTimeUnixNano\":\"18446744073709551615\",\"endTimeUnixNano\":\"1\","
            + "\"attributes\":["
            + "{\"key\":\"s\",\"value\":{\"stringValue\":\"\"}},"
            + "{\"key\":\"b\",\"value\":{\"boolValue\":false}},"
            + "{\"key\":\"i\",\"value\":{\"intValue\":\"-42\"}},"
            + "{\"key\":\"d\",\"value\":{\"doubleValue\":0.5}},"
            + "{\"key\":\"nan\",\"value\":{\"doubleValue\":\"NaN\"}},"
            + "{\"key\":\"inf\",\"value\":{\"doubleValue\":\"-Infinity\"}},"
            + "{\"key\":\"big\",\"value\":{\"doubleValue\":1e+21}},"
            + "{\"key\":\"bytes\",\"value\":{\"bytesValue\":\"/wA=\"}},"
            + "{\"key\":\"arr\",\"value\":{\"arrayValue\":{\"values\":[{\"stringValue\":\"x\"},{\"intValue\":\"7\"}]}}},"
            + "{\"key\":\"kvl\",\"value\":{\"kvlistValue\":{\"values\":[{\"key\":\"inner\",\"value\":{\"stringValue\":\"\u00e9\\n\"}}]}}},"
            + "{\"key\":\"emptyarr\",\"value\":{\"arrayValue\":{}}},"
            + "{\"key\":\"novalue\"},"
            + "{\"key\":\"emptyvalue\",\"value\":{}}],"
            + "\"droppedAttributesCount\":3,"
            + "\"events\":[{\"timeUnixNano\":\"1689969302050000000\",\"name\":\"exception\","
            + "\"attributes\":[{\"key\":\"exception.message\",\"value\":{\"stringValue\":\"boom\"}}],\"droppedAttributesCount\":1},{}],"
            + "\"droppedEventsCount\":4,"
            + "\"links\":[{\"traceId\":\"W47/95gDgQPSabYzgT/HAA==\",\"spanId\":\"CQkJCQkJCQk=\",\"traceState\":\"a=b\","
            + "\"attributes\":[{\"key\":\"link\",\"value\":{\"stringValue\":\"l\"}}],\"droppedAttributesCount\":2,\"flags\":1}],"
            + "\"droppedLinksCount\":5,"
            + "\"status\":{\"message\":\"failed\",\"code\":\"STATUS_CODE_ERROR\"}},"
            + "{\"traceId\":\"W47/95gDgQPSabYzgT/HAA==\",\"kind\":9,\"status\":{}}],"
            + "\"schemaUrl\":\"https://opentelemetry.io/schemas/1.21.0\"}],"
            + "\"schemaUrl\":\"https://opentelemetry.io/schemas/1.20.0\"},"
            + "{}]}";
    assertThat(json(TempoJson.trace(TestTraces.everyField().toByteArray()))).isEqualTo(expected);
  }

  @Test
  void everyFieldParsesBackWithProtobufJsonFormat() throws Exception {
    TracesData original = TestTraces.everyField();
    TracesData.Builder parsed = TracesData.newBuilder();
    JsonFormat.parser().merge(json(TempoJson.trace(original.toByteArray())), parsed);
    assertThat(parsed.build()).isEqualTo(original);
  }

  @Test
  void emptyTrace() {
    assertThat(json(TempoJson.traceV1(new byte[0]))).isEqualTo("{}");
    assertThat(json(TempoJson.trace(new byte[0]))).isEqualTo("{}");
  }

  @Test
  void v2ResponseShapes() {
    assertThat(json(TempoJson.traceByIdResponse(null, 0, false, ""))).isEqualTo("{\"trace\":{},\"metrics\":{}}");
    byte[] doc = TestTraces.tempoDocExample().toByteArray();
    String body = json(TempoJson.traceByIdResponse(doc, 40213, false, ""));
    assertThat(body)
        .startsWith("{\"trace\":{\"resourceSpans\":[{\"resource\":")
        .endsWith("]}]},\"metrics\":{\"inspectedBytes\":\"40213\"}}");
    String partial = json(TempoJson.traceByIdResponse(doc, 1, true, "Trace exceeds maximum size of 5 bytes, a partial trace is returned"));
    assertThat(partial)
        .endsWith("\"metrics\":{\"inspectedBytes\":\"1\"},\"status\":\"PARTIAL\","
            + "\"message\":\"Trace exceeds maximum size of 5 bytes, a partial trace is returned\"}");
  }

  @Test
  void repeatedSingularFieldsFollowGogoUnmarshal() {
    // resource twice: the two occurrences merge; a scalar twice: the last wins; a oneof twice: the last member wins.
    byte[] resA = io.opentelemetry.proto.resource.v1.Resource.newBuilder()
        .addAttributes(TestTraces.kv("a", TestTraces.str("1"))).build().toByteArray();
    byte[] resB = io.opentelemetry.proto.resource.v1.Resource.newBuilder()
        .addAttributes(TestTraces.kv("b", TestTraces.str("2"))).build().toByteArray();
    byte[] any = concat(
        io.opentelemetry.proto.common.v1.AnyValue.newBuilder().setStringValue("x").build().toByteArray(),
        io.opentelemetry.proto.common.v1.AnyValue.newBuilder().setIntValue(5).build().toByteArray());
    byte[] kv = concat(new byte[] {0x0a, 1, 'k', 0x12, (byte) any.length}, any);
    byte[] span = concat(new byte[] {0x4a, (byte) kv.length}, kv, new byte[] {0x28 + 0x08, 2, 0x30, 3}); // kind 2 then 3
    byte[] scopeSpans = concat(new byte[] {0x12, (byte) span.length}, span);
    byte[] rs = concat(new byte[] {0x0a, (byte) resA.length}, resA, new byte[] {0x0a, (byte) resB.length}, resB,
        new byte[] {0x12, (byte) scopeSpans.length}, scopeSpans);
    byte[] td = concat(new byte[] {0x0a, (byte) rs.length}, rs);
    assertThat(json(TempoJson.trace(td)))
        .isEqualTo("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"a\",\"value\":{\"stringValue\":\"1\"}},"
            + "{\"key\":\"b\",\"value\":{\"stringValue\":\"2\"}}]},\"scopeSpans\":[{\"spans\":[{\"kind\":\"SPAN_KIND_CLIENT\","
            + "\"attributes\":[{\"key\":\"k\",\"value\":{\"intValue\":\"5\"}}]}]}]}]}");
  }

  @Test
  void unknownFieldsAreSkippedAndWrongWireTypesRejected() {
    // field 9 (unknown in TracesData) varint, then an empty ResourceSpans
    assertThat(json(TempoJson.trace(new byte[] {0x48, 1, 0x0a, 0}))).isEqualTo("{\"resourceSpans\":[{}]}");
    // field 1 as varint is a wrong wire type
    assertThatThrownBy(() -> TempoJson.trace(new byte[] {0x08, 1})).isInstanceOf(IllegalArgumentException.class);
    // truncated length
    assertThatThrownBy(() -> TempoJson.trace(new byte[] {0x0a, 5, 0})).isInstanceOf(IllegalArgumentException.class);
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  static String json(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
