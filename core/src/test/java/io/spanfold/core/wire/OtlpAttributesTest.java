package io.spanfold.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class OtlpAttributesTest {

  static KeyValue kv(String key, AnyValue.Builder v) {
    return KeyValue.newBuilder().setKey(key).setValue(v).build();
  }

  static final ArrayValue ARRAY = ArrayValue.newBuilder()
      .addValues(AnyValue.newBuilder().setStringValue("a"))
      .addValues(AnyValue.newBuilder().setIntValue(2))
      .build();
  static final KeyValueList KVLIST = KeyValueList.newBuilder()
      .addValues(kv("inner", AnyValue.newBuilder().setBoolValue(true)))
      .build();

  static Span span() {
    return Span.newBuilder()
        .setName("span-name")
        .setTraceId(ByteString.copyFrom(new byte[16]))
        .addAttributes(kv("http.request.method", AnyValue.newBuilder().setStringValue("GET")))
        .addAttributes(kv("http.response.status_code", AnyValue.newBuilder().setIntValue(-404)))
        .addAttributes(kv("ratio", AnyValue.newBuilder().setDoubleValue(0.25)))
        .addAttributes(kv("ok", AnyValue.newBuilder().setBoolValue(true)))
        .addAttributes(kv("arr", AnyValue.newBuilder().setArrayValue(ARRAY)))
        .addAttributes(kv("map", AnyValue.newBuilder().setKvlistValue(KVLIST)))
        .addAttributes(kv("raw", AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {9, 8}))))
        .addAttributes(KeyValue.newBuilder().setKey("novalue"))
        .addAttributes(kv("empty", AnyValue.newBuilder().setStringValue("")))
        .addAttributes(kv("url.path", AnyValue.newBuilder().setStringValue("/ü/ñ")))
        .setEndTimeUnixNano(5)
        .build();
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String found(byte[] buf, long r) {
    return r == -1 ? null : new String(buf, (int) (r >>> 32), (int) r, StandardCharsets.UTF_8);
  }

  @Test
  void findStringFindsStringsOnly() {
    byte[] bytes = span().toByteArray();
    int f = OtlpFields.SPAN_ATTRIBUTES;
    assertThat(found(bytes, OtlpAttributes.findString(bytes, 0, bytes.length, f, b("http.request.method"))))
        .isEqualTo("GET");
    assertThat(found(bytes, OtlpAttributes.findString(bytes, 0, bytes.length, f, b("url.path")))).isEqualTo("/ü/ñ");
    assertThat(found(bytes, OtlpAttributes.findString(bytes, 0, bytes.length, f, b("empty")))).isEqualTo("");
    for (String notString : List.of("http.response.status_code", "ratio", "ok", "arr", "map", "raw", "novalue",
        "absent", "http.request", "inner")) {
      assertThat(OtlpAttributes.findString(bytes, 0, bytes.length, f, b(notString))).as(notString).isEqualTo(-1);
    }
    // the span name is field 5, not an attribute
    assertThat(OtlpAttributes.findString(bytes, 0, bytes.length, f, b("span-name"))).isEqualTo(-1);
  }

  @Test
  void findStringWorksInsideALargerBuffer() {
    byte[] res = Resource.newBuilder()
        .addAttributes(kv("service.name", AnyValue.newBuilder().setStringValue("ollama"))).build().toByteArray();
    byte[] buf = new byte[res.length + 20];
    System.arraycopy(res, 0, buf, 11, res.length);
    long r = OtlpAttributes.findString(buf, 11, res.length, OtlpFields.RESOURCE_ATTRIBUTES, b("service.name"));
    assertThat(found(buf, r)).isEqualTo("ollama");
    assertThat((int) (r >>> 32)).isGreaterThan(11);
  }

  record Seen(String key, int type, String text, long bits) {}

  static List<Seen> visit(byte[] bytes, int off, int len) {
    List<Seen> seen = new ArrayList<>();
    OtlpAttributes.forEach(bytes, off, len, OtlpFields.SPAN_ATTRIBUTES,
        (buf, ko, kl, type, vo, vl, bits) -> seen.add(new Seen(new String(buf, ko, kl, StandardCharsets.UTF_8), type,
            type == OtlpAttributes.TYPE_STRING ? new String(buf, vo, vl, StandardCharsets.UTF_8)
                : Arrays.toString(Arrays.copyOfRange(buf, vo, vo + vl)), bits)));
    return seen;
  }

  @Test
  void forEachReportsEveryTypeInWireOrder() throws Exception {
    byte[] bytes = span().toByteArray();
    List<Seen> seen = visit(bytes, 0, bytes.length);
    assertThat(seen).extracting(Seen::key).containsExactly("http.request.method", "http.response.status_code",
        "ratio", "ok", "arr", "map", "raw", "novalue", "empty", "url.path");
    assertThat(seen.get(0)).isEqualTo(new Seen("http.request.method", OtlpAttributes.TYPE_STRING, "GET", 0));
    assertThat(seen.get(1).type()).isEqualTo(OtlpAttributes.TYPE_INT);
    assertThat(seen.get(1).bits()).isEqualTo(-404L);
    assertThat(seen.get(2).type()).isEqualTo(OtlpAttributes.TYPE_DOUBLE);
    assertThat(Double.longBitsToDouble(seen.get(2).bits())).isEqualTo(0.25);
    assertThat(seen.get(3).type()).isEqualTo(OtlpAttributes.TYPE_BOOL);
    assertThat(seen.get(3).bits()).isEqualTo(1L);
    assertThat(seen.get(4).type()).isEqualTo(OtlpAttributes.TYPE_ARRAY);
    assertThat(seen.get(4).text()).isEqualTo(Arrays.toString(ARRAY.toByteArray()));
    assertThat(ArrayValue.parseFrom(ARRAY.toByteArray())).isEqualTo(ARRAY);
    assertThat(seen.get(5).type()).isEqualTo(OtlpAttributes.TYPE_KVLIST);
    assertThat(seen.get(5).text()).isEqualTo(Arrays.toString(KVLIST.toByteArray()));
    assertThat(seen.get(6).type()).isEqualTo(OtlpAttributes.TYPE_BYTES);
    assertThat(seen.get(6).text()).isEqualTo("[9, 8]");
    assertThat(seen.get(7).type()).isEqualTo(OtlpAttributes.TYPE_EMPTY);
    assertThat(seen.get(8)).isEqualTo(new Seen("empty", OtlpAttributes.TYPE_STRING, "", 0));
    assertThat(seen.get(9).text()).isEqualTo("/ü/ñ");
  }

  @Test
  void malformedBytesNeverThrow() {
    byte[] good = span().toByteArray();
    for (int cut = 0; cut < good.length; cut++) {
      OtlpAttributes.findString(good, 0, cut, OtlpFields.SPAN_ATTRIBUTES, b("url.path"));
      visit(good, 0, cut);
    }
    java.util.Random random = new java.util.Random(42);
    for (int round = 0; round < 2000; round++) {
      byte[] bad = good.clone();
      for (int k = 0; k < 3; k++) {
        bad[random.nextInt(bad.length)] = (byte) random.nextInt();
      }
      OtlpAttributes.findString(bad, 0, bad.length, OtlpFields.SPAN_ATTRIBUTES, b("url.path"));
      visit(bad, 0, bad.length);
    }
    // a truncated message reports what was complete before the cut and nothing after it
    int cutInsideLast = good.length - 3;
    assertThat(OtlpAttributes.findString(good, 0, cutInsideLast, OtlpFields.SPAN_ATTRIBUTES, b("url.path")))
        .isEqualTo(-1);
    byte[] hugeLength = {0x4A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07};
    assertThat(OtlpAttributes.findString(hugeLength, 0, hugeLength.length, OtlpFields.SPAN_ATTRIBUTES, b("x")))
        .isEqualTo(-1);
    assertThat(visit(hugeLength, 0, hugeLength.length)).isEmpty();
  }
}
