package io.spanfold.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.spanfold.core.model.SpanBatch;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OtlpProtoDecoderTest {
  private final OtlpProtoDecoder decoder = new OtlpProtoDecoder();
  private final SpanBatch batch = new SpanBatch();

  static Span span(String name, int spanIdByte) {
    byte[] trace = new byte[16];
    for (int i = 0; i < 16; i++) {
      trace[i] = (byte) (0xA0 + i);
    }
    byte[] id = new byte[8];
    Arrays.fill(id, (byte) spanIdByte);
    return Span.newBuilder()
        .setTraceId(ByteString.copyFrom(trace))
        .setSpanId(ByteString.copyFrom(id))
        .setParentSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
        .setName(name)
        .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(-2L) // fixed64: unsigned values above Long.MAX_VALUE survive as raw bits
        .setEndTimeUnixNano(1_700_000_000_123_456_789L)
        .addAttributes(kv("http.request.method", "GET"))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("boom ü"))
        .build();
  }

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static ExportTraceServiceRequest request() {
    Resource res = Resource.newBuilder().addAttributes(kv("host.name", "h")).addAttributes(kv("service.name", "frigate"))
        .build();
    InstrumentationScope scope = InstrumentationScope.newBuilder().setName("beyla").setVersion("2").build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(res)
            .setSchemaUrl("https://schema/1")
            .addScopeSpans(ScopeSpans.newBuilder().setScope(scope).addSpans(span("GET /a", 1)).addSpans(span("b", 2)))
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(span("c", 3))))
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span("d", 4))))
        .build();
  }

  @Test
  void decodesEveryField() throws Exception {
    ExportTraceServiceRequest req = request();
    byte[] bytes = req.toByteArray();
    decoder.decode(bytes, 0, bytes.length, batch);

    assertThat(batch.size()).isEqualTo(4);
    assertThat(batch.resourceCount()).isEqualTo(2);
    assertThat(batch.scopeCount()).isEqualTo(3);
    assertThat(batch.bufferLength()).isEqualTo(bytes.length);
    assertThat(batch.traceIdHigh(0)).isEqualTo(0xA0A1A2A3A4A5A6A7L);
    assertThat(batch.traceIdLow(0)).isEqualTo(0xA8A9AAABACADAEAFL);
    assertThat(batch.traceIdLength(0)).isEqualTo(16);
    assertThat(batch.spanId(1)).isEqualTo(0x0202020202020202L);
    assertThat(batch.spanIdLength(1)).isEqualTo(8);
    assertThat(batch.parentSpanId(0)).isEqualTo(0x0102030405060708L);
    assertThat(batch.parentSpanIdLength(0)).isEqualTo(8);
    assertThat(batch.name(0)).isEqualTo("GET /a");
    assertThat(batch.kind(0)).isEqualTo(3);
    assertThat(batch.statusCode(0)).isEqualTo(2);
    assertThat(batch.statusMessage(0)).isEqualTo("boom ü");
    assertThat(batch.startNanos(0)).isEqualTo(-2L);
    assertThat(batch.endNanos(0)).isEqualTo(1_700_000_000_123_456_789L);
    assertThat(batch.serviceName(0)).isEqualTo("frigate");
    assertThat(batch.serviceName(3)).isEqualTo("");
    assertThat(batch.scopeIndex(2)).isEqualTo(1);
    assertThat(batch.resourceIndex(3)).isEqualTo(1);
    assertThat(batch.resourceLength(1)).isEqualTo(-1);
    assertThat(batch.scopeLength(1)).isEqualTo(-1);

    for (int i = 0; i < 4; i++) {
      Span parsed = Span.parseFrom(Arrays.copyOfRange(bytes, batch.spanOffset(i), batch.spanOffset(i) + batch.spanLength(i)));
      assertThat(parsed).isEqualTo(span(new String[] {"GET /a", "b", "c", "d"}[i], i + 1));
    }
    Resource r = Resource.parseFrom(Arrays.copyOfRange(bytes, batch.resourceOffset(0), batch.resourceOffset(0) + batch.resourceLength(0)));
    assertThat(r).isEqualTo(req.getResourceSpans(0).getResource());
    assertThat(new String(bytes, batch.resourceSchemaUrlOffset(0), batch.resourceSchemaUrlLength(0))).isEqualTo("https://schema/1");
    InstrumentationScope s = InstrumentationScope.parseFrom(Arrays.copyOfRange(bytes, batch.scopeOffset(0), batch.scopeOffset(0) + batch.scopeLength(0)));
    assertThat(s.getName()).isEqualTo("beyla");
  }

  @Test
  void honoursOffsetAndIsReusable() throws Exception {
    byte[] bytes = request().toByteArray();
    byte[] padded = new byte[bytes.length + 10];
    System.arraycopy(bytes, 0, padded, 7, bytes.length);
    decoder.decode(padded, 7, bytes.length, batch);
    assertThat(batch.size()).isEqualTo(4);
    assertThat(batch.name(3)).isEqualTo("d");
    decoder.decode(new byte[0], 0, 0, batch);
    assertThat(batch.size()).isZero();
    assertThat(batch.resourceCount()).isZero();
  }

  @Test
  void wrongLengthIdsAreKeptAsLengthsWithZeroValues() throws Exception {
    Span odd = span("x", 1).toBuilder().setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3}))
        .setSpanId(ByteString.copyFrom(new byte[9])).clearParentSpanId().build();
    byte[] bytes = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(odd))).build().toByteArray();
    decoder.decode(bytes, 0, bytes.length, batch);
    assertThat(batch.traceIdLength(0)).isEqualTo(3);
    assertThat(batch.traceIdHigh(0)).isZero();
    assertThat(batch.traceIdLow(0)).isZero();
    assertThat(batch.spanIdLength(0)).isEqualTo(9);
    assertThat(batch.spanId(0)).isZero();
    assertThat(batch.parentSpanIdLength(0)).isZero();
  }

  @Test
  void skipsUnknownFieldsOfEveryWireType() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream c = CodedOutputStream.newInstance(out);
    c.writeUInt64(99, 123456789012L);
    c.writeFixed32(98, 7);
    c.writeFixed64(97, 8);
    c.writeString(96, "unknown");
    c.writeBytes(1, request().getResourceSpans(0).toByteString());
    c.flush();
    byte[] bytes = out.toByteArray();
    decoder.decode(bytes, 0, bytes.length, batch);
    assertThat(batch.size()).isEqualTo(3);
  }

  @Test
  void hugeLengthFailsCleanlyWithLocation() {
    // resource_spans with a declared length of 2 GiB - 1 and nothing behind it
    byte[] bytes = {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07};
    assertThatThrownBy(() -> decoder.decode(bytes, 0, bytes.length, batch))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessage("malformed OTLP protobuf: truncated length-delimited field (length 2147483647, 0 bytes left) at byte 1");
    byte[] huge = {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01};
    assertThatThrownBy(() -> decoder.decode(huge, 0, huge.length, batch))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageContaining("truncated length-delimited field");
  }

  @Test
  void errorNamesThePathInsideTheRequest() throws Exception {
    // a span that claims more bytes than its scope holds is reported at the scope
    Span bad = span("b", 2);
    byte[] spanBytes = bad.toByteArray();
    ByteArrayOutputStream scope = new ByteArrayOutputStream();
    CodedOutputStream sc = CodedOutputStream.newInstance(scope);
    sc.writeMessage(2, span("a", 1));
    sc.writeTag(2, 2);
    sc.writeUInt32NoTag(spanBytes.length);
    sc.writeRawBytes(spanBytes, 0, 20); // span cut short, but the scope's own length covers only what is present
    sc.flush();
    byte[] scopeBytes = scope.toByteArray();
    ByteArrayOutputStream rs = new ByteArrayOutputStream();
    CodedOutputStream rc = CodedOutputStream.newInstance(rs);
    rc.writeByteArray(2, scopeBytes);
    rc.flush();
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    CodedOutputStream qc = CodedOutputStream.newInstance(req);
    qc.writeByteArray(1, rs.toByteArray());
    qc.flush();
    byte[] badReq = req.toByteArray();
    assertThatThrownBy(() -> decoder.decode(badReq, 0, badReq.length, batch))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageStartingWith("malformed OTLP protobuf: truncated length-delimited field")
        .hasMessageEndingWith("(resource_spans[0].scope_spans[0])");

    // a truncated fixed64 inside a span is reported with the span's index
    ByteArrayOutputStream sp = new ByteArrayOutputStream();
    CodedOutputStream spc = CodedOutputStream.newInstance(sp);
    spc.writeString(5, "n");
    spc.writeTag(7, 1);
    spc.writeRawBytes(new byte[] {1, 2, 3});
    spc.flush();
    byte[] cutSpan = sp.toByteArray();
    byte[] r2 = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder())
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span("ok", 1)).addSpans(
            Span.newBuilder().setName("placeholder")))).build().toByteArray();
    byte[] spliced = spliceSpan(r2, cutSpan);
    assertThatThrownBy(() -> decoder.decode(spliced, 0, spliced.length, batch))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageContaining("truncated fixed64 field at byte")
        .hasMessageEndingWith("(resource_spans[0].scope_spans[1].spans[1])");
  }

  /** Re-encodes the request of {@link #errorNamesThePathInsideTheRequest} with raw span bytes as its last span. */
  private static byte[] spliceSpan(byte[] original, byte[] rawSpan) throws Exception {
    ExportTraceServiceRequest r = ExportTraceServiceRequest.parseFrom(original);
    ScopeSpans second = r.getResourceSpans(0).getScopeSpans(1);
    ByteArrayOutputStream ss = new ByteArrayOutputStream();
    CodedOutputStream c = CodedOutputStream.newInstance(ss);
    c.writeMessage(2, second.getSpans(0));
    c.writeByteArray(2, rawSpan);
    c.flush();
    ByteArrayOutputStream rs = new ByteArrayOutputStream();
    CodedOutputStream rc = CodedOutputStream.newInstance(rs);
    rc.writeMessage(2, r.getResourceSpans(0).getScopeSpans(0));
    rc.writeByteArray(2, ss.toByteArray());
    rc.flush();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream oc = CodedOutputStream.newInstance(out);
    oc.writeByteArray(1, rs.toByteArray());
    oc.flush();
    return out.toByteArray();
  }

  @Test
  void rejectsBadTagsAndWireTypes() {
    byte[] fieldZero = {0x00, 0x01};
    assertThatThrownBy(() -> decoder.decode(fieldZero, 0, 2, batch)).isInstanceOf(MalformedRequestException.class)
        .hasMessageContaining("invalid field number 0 at byte 0");
    byte[] group = {0x0B, 0x0C};
    assertThatThrownBy(() -> decoder.decode(group, 0, 2, batch)).isInstanceOf(MalformedRequestException.class)
        .hasMessageContaining("unsupported wire type 3 (field 1)");
    byte[] varint = {0x08, (byte) 0x80, (byte) 0x80};
    assertThatThrownBy(() -> decoder.decode(varint, 0, 3, batch)).isInstanceOf(MalformedRequestException.class)
        .hasMessageContaining("truncated varint at byte 1");
  }

  @Test
  void rejectsBadRange() {
    assertThatThrownBy(() -> decoder.decode(new byte[4], 2, 3, batch)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
