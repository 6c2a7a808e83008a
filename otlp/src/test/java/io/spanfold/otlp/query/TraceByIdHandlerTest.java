package io.spanfold.otlp.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanfold.core.store.TraceLookup;
import io.spanfold.otlp.http.HttpRequest;
import io.spanfold.otlp.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceByIdHandlerTest {
  /** A real, tiny TraceLookup over traces held in a map; it records the time bounds it was asked for. */
  static final class MapLookup implements TraceLookup {
    final Map<String, byte[]> traces = new HashMap<>();
    long lastFrom = -1;
    long lastTo = -1;

    MapLookup put(String hex32, TracesData t) {
      traces.put(hex32, t.toByteArray());
      return this;
    }

    @Override
    public byte[] findTrace(long high, long low, long fromNanos, long toNanos) {
      lastFrom = fromNanos;
      lastTo = toNanos;
      return traces.get(io.spanfold.core.model.TraceIds.traceIdHex(high, low));
    }
  }

  private final TracesData doc = TestTraces.tempoDocExample();
  private final MapLookup lookup = new MapLookup().put(TestTraces.TRACE_ID_HEX, doc);
  private final TraceByIdHandler handler = TraceByIdHandler.builder().lookup(lookup).build();

  private static HttpRequest get(String path, String accept, String... query) {
    Map<String, List<String>> q = new HashMap<>();
    for (int i = 0; i < query.length; i += 2) {
      q.put(query[i], List.of(query[i + 1]));
    }
    Map<String, String> h = new HashMap<>();
    if (accept != null) {
      h.put("accept", accept);
    }
    return new HttpRequest("GET", path, q, h, new byte[0]);
  }

  private static String body(HttpResponse r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void v1JsonByDefault() throws Exception {
    HttpResponse r = handler.handle(get("/api/traces/" + TestTraces.TRACE_ID_HEX, null));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo("application/json");
    assertThat(body(r)).isEqualTo(new String(TempoJson.traceV1(doc.toByteArray()), StandardCharsets.UTF_8))
        .startsWith("{\"batches\":[");
  }

  @Test
  void v1ProtobufIsTheStoredBytes() throws Exception {
    HttpResponse r = handler.handle(get("/api/traces/" + TestTraces.TRACE_ID_HEX.toUpperCase(), "application/protobuf"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo("application/protobuf");
    assertThat(TracesData.parseFrom(r.body())).isEqualTo(doc);
  }

  @Test
  void acceptMatchedBySubstringProtobufFirst() throws Exception {
    String path = "/api/v2/traces/" + TestTraces.TRACE_ID_HEX;
    assertThat(handler.handle(get(path, "application/json, application/protobuf;q=0.5")).contentType())
        .isEqualTo("application/protobuf");
    assertThat(handler.handle(get(path, "text/html, application/json")).contentType()).isEqualTo("application/json");
    assertThat(handler.handle(get(path, "*/*")).contentType()).isEqualTo("application/json");
    assertThat(handler.handle(get(path, "application/x-protobuf")).contentType()).isEqualTo("application/json");
  }

  @Test
  void v1UnknownTraceIs404WithEmptyBody() throws Exception {
    HttpResponse r = handler.handle(get("/api/traces/1234", "application/protobuf"));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void v2UnknownTraceIs200WithEmptyTrace() throws Exception {
    HttpResponse json = handler.handle(get("/api/v2/traces/1234", null));
    assertThat(json.status()).isEqualTo(200);
    assertThat(body(json)).isEqualTo("{\"trace\":{},\"metrics\":{}}");
    HttpResponse proto = handler.handle(get("/api/v2/traces/1234", "application/protobuf"));
    assertThat(proto.status()).isEqualTo(200);
    // trace = 1 and metrics = 2 both present and empty, as gogo marshals Tempo's non-nil empty messages
    assertThat(proto.body()).containsExactly(0x0a, 0x00, 0x12, 0x00);
  }

  @Test
  void v2JsonAndProtobufCarryTheTraceAndInspectedBytes() throws Exception {
    byte[] stored = doc.toByteArray();
    String path = "/api/v2/traces/" + TestTraces.TRACE_ID_HEX;
    String json = body(handler.handle(get(path, "application/json")));
    assertThat(json).isEqualTo("{\"trace\":" + new String(TempoJson.trace(stored), StandardCharsets.UTF_8)
        + ",\"metrics\":{\"inspectedBytes\":\"" + stored.length + "\"}}");
    // the trace parses back with protobuf-java into what was stored
    String traceJson = json.substring("{\"trace\":".length(), json.indexOf(",\"metrics\":"));
    TracesData.Builder parsed = TracesData.newBuilder();
    JsonFormat.parser().merge(traceJson, parsed);
    assertThat(parsed.build()).isEqualTo(doc);

    byte[] proto = handler.handle(get(path, "application/protobuf")).body();
    ParsedV2 v2 = ParsedV2.parse(proto);
    assertThat(TracesData.parseFrom(v2.trace)).isEqualTo(doc);
    assertThat(v2.inspectedBytes).isEqualTo(stored.length);
    assertThat(v2.status).isZero();
    assertThat(v2.message).isEmpty();
  }

  @Test
  void startAndEndAreSecondsPassedAsNanos() throws Exception {
    handler.handle(get("/api/v2/traces/" + TestTraces.TRACE_ID_HEX, null, "start", "1689969300", "end", "1689969400"));
    assertThat(lookup.lastFrom).isEqualTo(1689969300_000_000_000L);
    assertThat(lookup.lastTo).isEqualTo(1689969400_000_000_000L);
    handler.handle(get("/api/v2/traces/" + TestTraces.TRACE_ID_HEX, null));
    assertThat(lookup.lastFrom).isZero();
    assertThat(lookup.lastTo).isZero();
    // only one bound given: no ordering check
    assertThat(handler.handle(get("/api/traces/" + TestTraces.TRACE_ID_HEX, null, "end", "5")).status()).isEqualTo(200);
    assertThat(lookup.lastTo).isEqualTo(5_000_000_000L);
  }

  @Test
  void startMustBeBeforeEnd() throws Exception {
    for (String path : List.of("/api/traces/abc", "/api/v2/traces/abc")) {
      HttpResponse r = handler.handle(get(path, null, "start", "20", "end", "20"));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.contentType()).startsWith("text/plain");
      assertThat(body(r)).isEqualTo("http parameter start must be before end. received start=20 end=20");
    }
    assertThat(body(handler.handle(get("/api/traces/abc", null, "start", "30", "end", "20"))))
        .isEqualTo("http parameter start must be before end. received start=30 end=20");
  }

  @Test
  void unparsableTimesUseGoMessages() throws Exception {
    HttpResponse r = handler.handle(get("/api/traces/abc", null, "start", "yesterday"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(body(r)).isEqualTo("invalid start: strconv.ParseInt: parsing \"yesterday\": invalid syntax");
    assertThat(body(handler.handle(get("/api/traces/abc", null, "end", "1.5"))))
        .isEqualTo("invalid end: strconv.ParseInt: parsing \"1.5\": invalid syntax");
    assertThat(body(handler.handle(get("/api/traces/abc", null, "end", "99999999999999999999"))))
        .isEqualTo("invalid end: strconv.ParseInt: parsing \"99999999999999999999\": value out of range");
    // empty values count as absent, as in Tempo
    assertThat(handler.handle(get("/api/traces/" + TestTraces.TRACE_ID_HEX, null, "start", "")).status()).isEqualTo(200);
  }

  @Test
  void badTraceIdsAre400WithTempoMessages() throws Exception {
    HttpResponse r = handler.handle(get("/api/v2/traces/12x4", null));
    assertThat(r.status()).isEqualTo(400);
    assertThat(body(r)).isEqualTo("trace IDs can only contain hex characters: invalid character 'x' at position 3");
    assertThat(body(handler.handle(get("/api/traces/" + "a".repeat(33), null))))
        .isEqualTo("trace IDs can't be larger than 128 bits");
    // the id is checked before start/end
    assertThat(body(handler.handle(get("/api/traces/zz", null, "start", "2", "end", "1"))))
        .startsWith("trace IDs can only contain hex characters");
  }

  @Test
  void emptyOrNestedIdIsNoRoute() throws Exception {
    for (String path : List.of("/api/traces/", "/api/v2/traces/", "/api/traces/abc/def", "/api/other")) {
      HttpResponse r = handler.handle(get(path, null));
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(body(r)).isEqualTo("404 page not found\n");
    }
  }

  @Test
  void tooLargeTraceV1Is422() throws Exception {
    int size = doc.getSerializedSize();
    TraceByIdHandler limited = TraceByIdHandler.builder().lookup(lookup).maxTraceBytes(size - 1).build();
    HttpResponse r = limited.handle(get("/api/traces/" + TestTraces.TRACE_ID_HEX, null));
    assertThat(r.status()).isEqualTo(422);
    assertThat(body(r)).isEqualTo("trace exceeds max size (max bytes: " + (size - 1) + ")");
    // exactly at the limit is fine
    TraceByIdHandler exact = TraceByIdHandler.builder().lookup(lookup).maxTraceBytes(size).build();
    assertThat(exact.handle(get("/api/traces/" + TestTraces.TRACE_ID_HEX, null)).status()).isEqualTo(200);
  }

  @Test
  void tooLargeTraceV2IsPartial() throws Exception {
    TracesData big = TestTraces.everyField(); // two spans under one scope, plus an empty resource
    lookup.put("00000000000000000000000000000abc", big);
    int secondSpan = big.getResourceSpans(0).getScopeSpans(0).getSpans(1).getSerializedSize();
    int max = big.getSerializedSize() - secondSpan - 2; // the first span fits, the second does not
    TraceByIdHandler limited = TraceByIdHandler.builder().lookup(lookup).maxTraceBytes(max).build();

    HttpResponse json = limited.handle(get("/api/v2/traces/abc", null));
    assertThat(json.status()).isEqualTo(200);
    assertThat(body(json)).endsWith(",\"metrics\":{\"inspectedBytes\":\"" + big.getSerializedSize()
        + "\"},\"status\":\"PARTIAL\",\"message\":\"Trace exceeds maximum size of " + max
        + " bytes, a partial trace is returned\"}");

    ParsedV2 v2 = ParsedV2.parse(limited.handle(get("/api/v2/traces/abc", "application/protobuf")).body());
    assertThat(v2.status).isEqualTo(1);
    assertThat(v2.message).isEqualTo("Trace exceeds maximum size of " + max + " bytes, a partial trace is returned");
    TracesData partial = TracesData.parseFrom(v2.trace);
    assertThat(v2.trace.length).isLessThanOrEqualTo(max);
    assertThat(partial.getResourceSpansCount()).isEqualTo(1);
    assertThat(partial.getResourceSpans(0).getScopeSpans(0).getSpansList())
        .containsExactly(big.getResourceSpans(0).getScopeSpans(0).getSpans(0));
    assertThat(partial.getResourceSpans(0).getResource()).isEqualTo(big.getResourceSpans(0).getResource());
    assertThat(partial.getResourceSpans(0).getScopeSpans(0).getScope())
        .isEqualTo(big.getResourceSpans(0).getScopeSpans(0).getScope());
  }

  @Test
  void builderValidates() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TraceByIdHandler.builder().build())
        .hasMessage("lookup == null");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TraceByIdHandler.builder().maxTraceBytes(-1))
        .hasMessageContaining("maxTraceBytes < 0");
  }

  /** Reads a TraceByIDResponse with protobuf-java's wire reader (fields per Tempo's tempo.proto). */
  static final class ParsedV2 {
    byte[] trace = new byte[0];
    long inspectedBytes;
    int status;
    String message = "";

    static ParsedV2 parse(byte[] body) throws Exception {
      ParsedV2 p = new ParsedV2();
      com.google.protobuf.CodedInputStream in = com.google.protobuf.CodedInputStream.newInstance(body);
      for (int tag; (tag = in.readTag()) != 0; ) {
        switch (tag >>> 3) {
          case 1:
            p.trace = in.readByteArray();
            break;
          case 2: {
            com.google.protobuf.CodedInputStream m = com.google.protobuf.CodedInputStream.newInstance(in.readByteArray());
            for (int t; (t = m.readTag()) != 0; ) {
              if (t >>> 3 == 1) {
                p.inspectedBytes = m.readUInt64();
              } else {
                m.skipField(t);
              }
            }
            break;
          }
          case 3:
            p.status = in.readEnum();
            break;
          case 4:
            p.message = in.readString();
            break;
          default:
            in.skipField(tag);
        }
      }
      return p;
    }
  }
}
