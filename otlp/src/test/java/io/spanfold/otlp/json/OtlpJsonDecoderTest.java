package io.spanfold.otlp.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.MalformedRequestException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OtlpJsonDecoderTest {
  private final OtlpJsonDecoder decoder = new OtlpJsonDecoder();
  private final SpanBatch batch = new SpanBatch();

  static String resource(String path) throws Exception {
    try (InputStream in = OtlpJsonDecoderTest.class.getResourceAsStream("/" + path)) {
      assertThat(in).as(path).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  void decode(String json) throws MalformedRequestException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    decoder.decode(b, 0, b.length, batch);
  }

  static Stream<String> fixtures() {
    return Stream.concat(Stream.of("otel-proto/trace.json"), Stream.of(
        "default", "dur_trace", "example_trace", "link_attributes_trace", "log_tags_trace", "max_dur_trace",
        "multi_index_trace", "multi_spot_tags_trace", "multiple1_trace", "multiple2_trace", "multiple3_trace",
        "multispottag_dur_trace", "multispottag_maxdur_trace", "multispottag_opname_dur_trace",
        "multispottag_opname_maxdur_trace", "multispottag_opname_trace", "opname_dur_trace", "opname_maxdur_trace",
        "opname_trace", "process_tags_trace", "scope_attributes_trace", "scope_name_version_trace", "span_tags_trace",
        "tags_dur_trace", "tags_escaped_operator_trace_1", "tags_escaped_operator_trace_2", "tags_maxdur_trace",
        "tags_opname_dur_trace", "tags_opname_maxdur_trace", "tags_opname_trace", "tags_wildcard_regex_1",
        "tags_wildcard_regex_2").map(n -> "jaeger/" + n + ".json"));
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void realFixturesDecodeAsProtobufJavaReadsThem(String path) throws Exception {
    String json = resource(path);
    decode(json);
    ExportTraceServiceRequest oracle = OtlpTestData.parseOtlpJsonWithProtobuf(json);
    assertThat(batch.size()).isPositive();
    OtlpTestData.assertBatchMatches(batch, oracle);
  }

  @Test
  void canonicalExampleFields() throws Exception {
    decode(resource("otel-proto/trace.json"));
    assertThat(batch.size()).isEqualTo(1);
    assertThat(batch.traceIdHigh(0)).isEqualTo(0x5B8EFFF798038103L);
    assertThat(batch.traceIdLow(0)).isEqualTo(0xD269B633813FC60CL);
    assertThat(batch.spanId(0)).isEqualTo(0xEEE19B7EC3C1B174L);
    assertThat(batch.parentSpanId(0)).isEqualTo(0xEEE19B7EC3C1B173L);
    assertThat(batch.name(0)).isEqualTo("I'm a server span");
    assertThat(batch.kind(0)).isEqualTo(2);
    assertThat(batch.startNanos(0)).isEqualTo(1544712660000000000L);
    assertThat(batch.endNanos(0)).isEqualTo(1544712661000000000L);
    assertThat(batch.serviceName(0)).isEqualTo("my.service");
  }

  @Test
  void acceptsEnumNamesNumbersAsStringsSnakeCaseNullsAndUnknownFields() throws Exception {
    decode("{\"resource_spans\":[{\"unknown\":{\"deep\":[1,{\"x\":[]}]},\"resource\":{\"attributes\":[{\"key\":"
        + "\"service.name\",\"value\":{\"string_value\":\"ntfy\"}}]},\"scope_spans\":[{\"spans\":[{"
        + "\"trace_id\":\"0102030405060708090a0b0c0d0e0f10\",\"span_id\":\"A1A2A3A4A5A6A7A8\",\"parent_span_id\":\"\","
        + "\"name\":\"GET /v1/x\",\"kind\":\"SPAN_KIND_SERVER\",\"start_time_unix_nano\":1700000000000000000,"
        + "\"endTimeUnixNano\":\"18446744073709551615\",\"status\":{\"code\":\"STATUS_CODE_ERROR\",\"message\":\"x\"},"
        + "\"flags\":\"257\",\"droppedAttributesCount\":null,\"attributes\":[{\"key\":\"d\",\"value\":{\"doubleValue\":"
        + "\"-Infinity\"}},{\"key\":\"i\",\"value\":{\"intValue\":\"-9223372036854775808\"}},{\"key\":\"b\","
        + "\"value\":{\"bytesValue\":\"AAAwOQ==\"}},{\"key\":\"a\",\"value\":{\"arrayValue\":{\"values\":[{"
        + "\"boolValue\":false},{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":{\"stringValue\":\"\"}}]}}]}}}],"
        + "\"extra\":[1,2,3]}]}]}],\"trailing_unknown\":true}");
    assertThat(batch.size()).isEqualTo(1);
    assertThat(batch.serviceName(0)).isEqualTo("ntfy");
    assertThat(batch.kind(0)).isEqualTo(2);
    assertThat(batch.statusCode(0)).isEqualTo(2);
    assertThat(batch.parentSpanIdLength(0)).isZero();
    assertThat(batch.spanId(0)).isEqualTo(0xA1A2A3A4A5A6A7A8L);
    assertThat(batch.endNanos(0)).isEqualTo(-1L);
    Span s = Span.parseFrom(Arrays.copyOfRange(batch.buffer(), batch.spanOffset(0),
        batch.spanOffset(0) + batch.spanLength(0)));
    assertThat(s.getFlags()).isEqualTo(257);
    assertThat(s.getAttributes(0).getValue().getDoubleValue()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(s.getAttributes(1).getValue().getIntValue()).isEqualTo(Long.MIN_VALUE);
    assertThat(s.getAttributes(2).getValue().getBytesValue().toByteArray()).containsExactly(0, 0, 0x30, 0x39);
    assertThat(s.getAttributes(3).getValue().getArrayValue().getValues(0).hasBoolValue()).isTrue();
    assertThat(s.getAttributes(3).getValue().getArrayValue().getValues(1).getKvlistValue().getValues(0).getValue()
        .hasStringValue()).isTrue();
  }

  @Test
  void reusesItsBufferAcrossRequests() throws Exception {
    decode(resource("jaeger/multiple1_trace.json"));
    int first = batch.size();
    decode("{}");
    assertThat(batch.size()).isZero();
    decode(resource("jaeger/multiple1_trace.json"));
    assertThat(batch.size()).isEqualTo(first);
  }

  @Test
  void errorsSayWhatAndWhere() {
    List<String[]> cases = List.of(
        new String[] {"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"xyz\"}]}]}]}",
            "malformed OTLP/JSON: invalid trace id \"xyz\": odd number of hex digits at line 1, column 55"},
        new String[] {"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"spanId\":\"zz00000000000000\"}]}]}]}",
            "malformed OTLP/JSON: invalid span id \"zz00000000000000\": not hex at line 1, column 54"},
        new String[] {"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"kind\":\"SPAN_KIND_WRONG\"}]}]}]}",
            "malformed OTLP/JSON: invalid kind \"SPAN_KIND_WRONG\": not one of SPAN_KIND_UNSPECIFIED"},
        new String[] {"{\"resourceSpans\":{}}", "malformed OTLP/JSON: expected an array for \"resourceSpans\", got an object"},
        new String[] {"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":\"-5\"}]}]}]}",
            "malformed OTLP/JSON: invalid startTimeUnixNano \"-5\": negative"},
        new String[] {"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":\"1x\"}]}]}]}",
            "malformed OTLP/JSON: invalid startTimeUnixNano \"1x\": not an integer"},
        new String[] {"{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"k\",\"value\":{\"bytesValue\":\"!!\"}}]}}]}",
            "malformed OTLP/JSON: invalid bytesValue \"!!\": not base64"},
        new String[] {"{\"resourceSpans\":[", "malformed OTLP/JSON: Unexpected end-of-input"},
        new String[] {"", "malformed OTLP/JSON: empty body"},
        new String[] {"[]", "malformed OTLP/JSON: expected a JSON object for the request, got an array"},
        new String[] {"{} {}", "malformed OTLP/JSON: unexpected content after the request"},
        new String[] {"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"droppedLinksCount\":4294967296}]}]}]}",
            "malformed OTLP/JSON: invalid droppedLinksCount 4294967296: out of range"});
    for (String[] c : cases) {
      assertThatThrownBy(() -> decode(c[0])).as(c[0]).isInstanceOf(MalformedRequestException.class)
          .hasMessageStartingWith(c[1]).hasMessageContaining(" at line ");
    }
  }
}
