package io.spanfold.otlp.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
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
import io.spanfold.core.model.SpanBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Random OTLP requests built with protobuf-java, their OTLP/JSON form, and the oracle comparison of a SpanBatch. */
final class OtlpTestData {
  private OtlpTestData() {}

  private static final String[] WORDS = {
    "GET /api", "frigate", "ntfy", "", "ünïcödé", "日本語のスパン", "emoji 🚀🔥", "tab\tnew\nline", "quote\"back\\slash",
    "service.name", "http.request.method", "a", "x".repeat(200)
  };

  static String text(Random r) {
    if (r.nextInt(4) == 0) {
      StringBuilder sb = new StringBuilder();
      int n = r.nextInt(12);
      for (int i = 0; i < n; i++) {
        int kind = r.nextInt(5);
        int cp = kind == 0 ? 0x20 + r.nextInt(0x5F)
            : kind == 1 ? 0xA0 + r.nextInt(0x700)
            : kind == 2 ? 0x3000 + r.nextInt(0x5000)
            : kind == 3 ? 0x1F300 + r.nextInt(0x300)
            : r.nextInt(0x20);
        sb.appendCodePoint(cp);
      }
      return sb.toString();
    }
    return WORDS[r.nextInt(WORDS.length)];
  }

  static ByteString id(Random r, int usualLength) {
    int len = r.nextInt(10) < 8 ? usualLength : r.nextInt(20);
    byte[] b = new byte[len];
    r.nextBytes(b);
    return ByteString.copyFrom(b);
  }

  static AnyValue anyValue(Random r, int depth) {
    AnyValue.Builder v = AnyValue.newBuilder();
    switch (r.nextInt(depth > 1 ? 5 : 7)) {
      case 0:
        return v.setStringValue(text(r)).build();
      case 1:
        return v.setBoolValue(r.nextBoolean()).build();
      case 2:
        return v.setIntValue(r.nextBoolean() ? r.nextLong() : r.nextInt(1000) - 500).build();
      case 3:
        double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, 1e300, 5e-324};
        return v.setDoubleValue(r.nextBoolean() ? r.nextGaussian() * 1e6 : specials[r.nextInt(specials.length)])
            .build();
      case 4: {
        byte[] b = new byte[r.nextInt(10)];
        r.nextBytes(b);
        return v.setBytesValue(ByteString.copyFrom(b)).build();
      }
      case 5: {
        ArrayValue.Builder a = ArrayValue.newBuilder();
        for (int i = r.nextInt(4); i > 0; i--) {
          a.addValues(anyValue(r, depth + 1));
        }
        return v.setArrayValue(a).build();
      }
      default: {
        KeyValueList.Builder l = KeyValueList.newBuilder();
        for (int i = r.nextInt(4); i > 0; i--) {
          l.addValues(keyValue(r, depth + 1));
        }
        return v.setKvlistValue(l).build();
      }
    }
  }

  static KeyValue keyValue(Random r, int depth) {
    KeyValue.Builder kv = KeyValue.newBuilder().setKey(text(r));
    if (r.nextInt(10) != 0) {
      kv.setValue(anyValue(r, depth));
    }
    return kv.build();
  }

  static Span span(Random r) {
    Span.Builder s = Span.newBuilder().setTraceId(id(r, 16)).setSpanId(id(r, 8));
    int parent = r.nextInt(4);
    if (parent > 0) {
      s.setParentSpanId(parent == 3 ? ByteString.EMPTY : id(r, 8));
    }
    if (r.nextBoolean()) {
      s.setName(text(r));
    }
    s.setKindValue(r.nextInt(20) == 0 ? r.nextInt(300) - 100 : r.nextInt(6));
    s.setStartTimeUnixNano(r.nextInt(10) == 0 ? r.nextLong() : 1_700_000_000_000_000_000L + r.nextInt(1_000_000));
    s.setEndTimeUnixNano(r.nextInt(10) == 0 ? r.nextLong() : s.getStartTimeUnixNano() + r.nextInt(1_000_000_000));
    for (int i = r.nextInt(7); i > 0; i--) {
      s.addAttributes(keyValue(r, 0));
    }
    if (r.nextInt(4) == 0) {
      s.setTraceState("k=" + text(r));
    }
    if (r.nextInt(4) == 0) {
      s.setDroppedAttributesCount(r.nextInt());
      s.setDroppedEventsCount(r.nextInt(5));
      s.setDroppedLinksCount(r.nextInt(5));
    }
    if (r.nextInt(3) == 0) {
      s.setFlags(r.nextInt());
    }
    for (int i = r.nextInt(3); i > 0; i--) {
      Span.Event.Builder e = Span.Event.newBuilder().setTimeUnixNano(r.nextLong()).setName(text(r))
          .setDroppedAttributesCount(r.nextInt(3));
      for (int j = r.nextInt(3); j > 0; j--) {
        e.addAttributes(keyValue(r, 0));
      }
      s.addEvents(e);
    }
    for (int i = r.nextInt(3); i > 0; i--) {
      Span.Link.Builder l = Span.Link.newBuilder().setTraceId(id(r, 16)).setSpanId(id(r, 8))
          .setFlags(r.nextInt(3)).setDroppedAttributesCount(r.nextInt(2));
      if (r.nextBoolean()) {
        l.setTraceState("a=b");
      }
      for (int j = r.nextInt(3); j > 0; j--) {
        l.addAttributes(keyValue(r, 0));
      }
      s.addLinks(l);
    }
    if (r.nextInt(5) < 3) {
      Status.Builder st = Status.newBuilder().setCodeValue(r.nextInt(10) == 0 ? 7 : r.nextInt(3));
      if (r.nextBoolean()) {
        st.setMessage(text(r));
      }
      s.setStatus(st);
    }
    return s.build();
  }

  static ExportTraceServiceRequest request(Random r) {
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    for (int i = r.nextInt(4); i > 0; i--) {
      ResourceSpans.Builder rs = ResourceSpans.newBuilder();
      if (r.nextInt(5) != 0) {
        Resource.Builder res = Resource.newBuilder();
        for (int a = r.nextInt(4); a > 0; a--) {
          res.addAttributes(keyValue(r, 0));
        }
        if (r.nextInt(4) != 0) {
          res.addAttributes(KeyValue.newBuilder().setKey("service.name")
              .setValue(r.nextInt(8) == 0 ? anyValue(r, 0) : AnyValue.newBuilder().setStringValue(text(r)).build()));
        }
        for (int a = r.nextInt(2); a > 0; a--) {
          res.addAttributes(keyValue(r, 0));
        }
        res.setDroppedAttributesCount(r.nextInt(3));
        rs.setResource(res);
      }
      if (r.nextBoolean()) {
        rs.setSchemaUrl("https://opentelemetry.io/schemas/1." + r.nextInt(30) + ".0");
      }
      for (int j = r.nextInt(4); j > 0; j--) {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder();
        if (r.nextInt(3) != 0) {
          InstrumentationScope.Builder sc = InstrumentationScope.newBuilder().setName(text(r));
          if (r.nextBoolean()) {
            sc.setVersion("1." + r.nextInt(9));
          }
          for (int a = r.nextInt(3); a > 0; a--) {
            sc.addAttributes(keyValue(r, 0));
          }
          ss.setScope(sc);
        }
        if (r.nextInt(3) == 0) {
          ss.setSchemaUrl("https://schema/" + text(r));
        }
        for (int k = r.nextInt(6); k > 0; k--) {
          ss.addSpans(span(r));
        }
        rs.addScopeSpans(ss);
      }
      req.addResourceSpans(rs);
    }
    return req.build();
  }

  private static final Pattern BASE64_ID =
      Pattern.compile("\"(traceId|spanId|parentSpanId|trace_id|span_id|parent_span_id)\": ?\"([A-Za-z0-9+/=_-]*)\"");
  private static final Pattern HEX_ID =
      Pattern.compile("\"(traceId|spanId|parentSpanId|trace_id|span_id|parent_span_id)\": ?\"([0-9A-Fa-f]*)\"");

  /** protobuf-java's JSON (base64 ids) with ids rewritten as OTLP requires: hex, in the given case. */
  static String toOtlpJson(ExportTraceServiceRequest req, Random r) {
    JsonFormat.Printer printer = JsonFormat.printer();
    if (r.nextBoolean()) {
      printer = printer.preservingProtoFieldNames();
    }
    if (r.nextBoolean()) {
      printer = printer.printingEnumsAsInts();
    }
    if (r.nextBoolean()) {
      printer = printer.omittingInsignificantWhitespace();
    }
    boolean upper = r.nextBoolean();
    try {
      String json = printer.print(req);
      Matcher m = BASE64_ID.matcher(json);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String hex = HexFormat.of().formatHex(Base64.getDecoder().decode(m.group(2)));
        m.appendReplacement(sb, "\"" + m.group(1) + "\":\"" + (upper ? hex.toUpperCase() : hex) + "\"");
      }
      m.appendTail(sb);
      return sb.toString();
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  /** The oracle for OTLP/JSON: hex ids to base64, then protobuf-java's own JSON parser. */
  static ExportTraceServiceRequest parseOtlpJsonWithProtobuf(String json) throws InvalidProtocolBufferException {
    Matcher m = HEX_ID.matcher(json);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String b64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(m.group(2)));
      m.appendReplacement(sb, "\"" + m.group(1) + "\":\"" + Matcher.quoteReplacement(b64) + "\"");
    }
    m.appendTail(sb);
    ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
    JsonFormat.parser().ignoringUnknownFields().merge(sb.toString(), b);
    return b.build();
  }

  static String serviceNameOf(ResourceSpans rs) {
    for (KeyValue kv : rs.getResource().getAttributesList()) {
      if (kv.getKey().equals("service.name") && kv.getValue().getValueCase() == AnyValue.ValueCase.STRING_VALUE) {
        return kv.getValue().getStringValue();
      }
    }
    return "";
  }

  private static byte[] slice(SpanBatch b, int off, int len) {
    return Arrays.copyOfRange(b.buffer(), off, off + len);
  }

  private static int clamp(int v) {
    return v < 0 || v > 127 ? 127 : v;
  }

  /** Asserts that {@code batch} holds exactly what protobuf-java reads from {@code req}. */
  static void assertBatchMatches(SpanBatch batch, ExportTraceServiceRequest req) throws Exception {
    int spanIndex = 0;
    int scopeIndex = 0;
    assertThat(batch.resourceCount()).isEqualTo(req.getResourceSpansCount());
    for (int ri = 0; ri < req.getResourceSpansCount(); ri++) {
      ResourceSpans rs = req.getResourceSpans(ri);
      if (rs.hasResource()) {
        assertThat(Resource.parseFrom(slice(batch, batch.resourceOffset(ri), batch.resourceLength(ri))))
            .isEqualTo(rs.getResource());
      } else {
        assertThat(batch.resourceLength(ri)).isEqualTo(-1);
      }
      assertThat(new String(slice(batch, batch.resourceSchemaUrlOffset(ri), batch.resourceSchemaUrlLength(ri)),
          StandardCharsets.UTF_8)).isEqualTo(rs.getSchemaUrl());
      assertThat(batch.resourceServiceName(ri)).isEqualTo(serviceNameOf(rs));
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        if (ss.hasScope()) {
          assertThat(InstrumentationScope.parseFrom(
              slice(batch, batch.scopeOffset(scopeIndex), batch.scopeLength(scopeIndex)))).isEqualTo(ss.getScope());
        } else {
          assertThat(batch.scopeLength(scopeIndex)).isEqualTo(-1);
        }
        assertThat(new String(slice(batch, batch.scopeSchemaUrlOffset(scopeIndex),
            batch.scopeSchemaUrlLength(scopeIndex)), StandardCharsets.UTF_8)).isEqualTo(ss.getSchemaUrl());
        for (Span s : ss.getSpansList()) {
          int i = spanIndex++;
          String at = "span " + i;
          assertThat(batch.resourceIndex(i)).as(at).isEqualTo(ri);
          assertThat(batch.scopeIndex(i)).as(at).isEqualTo(scopeIndex);
          assertThat(Span.parseFrom(slice(batch, batch.spanOffset(i), batch.spanLength(i)))).as(at).isEqualTo(s);
          byte[] trace = s.getTraceId().toByteArray();
          assertThat(batch.traceIdLength(i)).as(at).isEqualTo(trace.length);
          if (trace.length == 16) {
            ByteBuffer bb = ByteBuffer.wrap(trace);
            assertThat(batch.traceIdHigh(i)).as(at).isEqualTo(bb.getLong());
            assertThat(batch.traceIdLow(i)).as(at).isEqualTo(bb.getLong());
          } else {
            assertThat(batch.traceIdHigh(i) | batch.traceIdLow(i)).as(at).isZero();
          }
          assertId(s.getSpanId(), batch.spanId(i), batch.spanIdLength(i), at);
          assertId(s.getParentSpanId(), batch.parentSpanId(i), batch.parentSpanIdLength(i), at);
          assertThat(batch.name(i)).as(at).isEqualTo(s.getName());
          assertThat(batch.kind(i)).as(at).isEqualTo(clamp(s.getKindValue()));
          assertThat(batch.statusCode(i)).as(at).isEqualTo(clamp(s.getStatus().getCodeValue()));
          assertThat(batch.statusMessage(i)).as(at).isEqualTo(s.getStatus().getMessage());
          assertThat(batch.startNanos(i)).as(at).isEqualTo(s.getStartTimeUnixNano());
          assertThat(batch.endNanos(i)).as(at).isEqualTo(s.getEndTimeUnixNano());
          assertThat(batch.serviceName(i)).as(at).isEqualTo(serviceNameOf(rs));
        }
        scopeIndex++;
      }
    }
    assertThat(batch.scopeCount()).isEqualTo(scopeIndex);
    assertThat(batch.size()).isEqualTo(spanIndex);
  }

  private static void assertId(ByteString id, long value, int length, String at) {
    byte[] b = id.toByteArray();
    assertThat(length).as(at).isEqualTo(Math.min(b.length, 0xFF));
    assertThat(value).as(at).isEqualTo(b.length == 8 ? ByteBuffer.wrap(b).getLong() : 0L);
  }
}
