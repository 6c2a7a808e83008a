package io.spanfold.otlp.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.spanfold.core.graph.ServiceGraphBuilder;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.model.TraceIds;
import io.spanfold.core.wire.OtlpProtoDecoder;
import io.spanfold.otlp.http.HttpRequest;
import io.spanfold.otlp.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceGraphHandlerTest {
  long now;
  final ServiceGraphBuilder graph = ServiceGraphBuilder.builder().clock(() -> now).build();
  final ServiceGraphHandler handler = new ServiceGraphHandler(graph);

  static ByteString id(long v, int len) {
    byte[] b = new byte[len];
    TraceIds.writeLong(v, b, len - 8);
    return ByteString.copyFrom(b);
  }

  void send(String service, long trace, long spanId, long parent, Span.SpanKind kind, long durMs, boolean error,
      KeyValue... attrs) throws Exception {
    Span.Builder s = Span.newBuilder().setTraceId(id(trace, 16)).setSpanId(id(spanId, 8)).setParentSpanId(
        id(parent, 8)).setKind(kind).setStartTimeUnixNano(1_000).setEndTimeUnixNano(1_000 + durMs * 1_000_000)
        .addAllAttributes(List.of(attrs));
    if (error) {
      s.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
    }
    byte[] bytes = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue(service))))
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(s))).build().toByteArray();
    SpanBatch b = new SpanBatch();
    new OtlpProtoDecoder().decode(bytes, 0, bytes.length, b);
    graph.accept(b);
  }

  static HttpRequest get(String query) {
    Map<String, List<String>> q = new LinkedHashMap<>();
    if (query != null) {
      q.put("window", List.of(query));
    }
    return new HttpRequest("GET", ServiceGraphHandler.PATH, q, Map.of(), new byte[0]);
  }

  @Test
  @SuppressWarnings("unchecked")
  void nodeGraphFrames() throws Exception {
    for (int t = 1; t <= 4; t++) {
      send("frigate", t, 10, 9, Span.SpanKind.SPAN_KIND_CLIENT, 120, false);
      send("ollama", t, 11, 10, Span.SpanKind.SPAN_KIND_SERVER, 100, t == 4);
    }
    HttpResponse r = handler.handle(get("1m"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo("application/json");
    Map<String, Object> json = (Map<String, Object>) parse(r.body());
    assertThat(json.get("windowSeconds")).isEqualTo(60.0);
    List<Object> frames = (List<Object>) json.get("frames");
    Map<String, List<Object>> nodes = columns((Map<String, Object>) frames.get(0), "nodes");
    Map<String, List<Object>> edges = columns((Map<String, Object>) frames.get(1), "edges");
    assertThat(nodes.keySet()).startsWith("id", "title", "subtitle", "mainstat", "secondarystat", "arc__success",
        "arc__failed");
    assertThat(nodes.get("id")).containsExactly("frigate", "ollama");
    assertThat(nodes.get("mainstat")).containsExactly(0L, 100L);
    assertThat(nodes.get("arc__failed")).containsExactly(0L, 0.25);
    assertThat(nodes.get("arc__success")).containsExactly(1L, 0.75);
    assertThat(nodes.get("secondarystat").get(1)).isEqualTo(4 / 60.0);
    assertThat(edges.keySet()).startsWith("id", "source", "target", "mainstat", "secondarystat");
    assertThat(edges.get("id")).containsExactly("frigate->ollama");
    assertThat(edges.get("source")).containsExactly("frigate");
    assertThat(edges.get("target")).containsExactly("ollama");
    assertThat(edges.get("mainstat")).containsExactly(100L);
    assertThat(edges.get("detail__failed")).containsExactly(1L);
  }

  @Test
  void rejectsBadWindowAndMethod() throws Exception {
    HttpResponse bad = handler.handle(get("5 parsecs"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(new String(bad.body())).contains("window").contains("parsecs");
    assertThat(handler.handle(get("0s")).status()).isEqualTo(400);
    assertThat(handler.handle(new HttpRequest("POST", ServiceGraphHandler.PATH, Map.of(), Map.of(), new byte[0]))
        .status()).isEqualTo(405);
    assertThat(handler.handle(get(null)).status()).isEqualTo(200);
    assertThat(ServiceGraphHandler.parseDuration("90s").toSeconds()).isEqualTo(90);
    assertThat(ServiceGraphHandler.parseDuration("1.5h").toMinutes()).isEqualTo(90);
    assertThat(ServiceGraphHandler.parseDuration("250ms").toMillis()).isEqualTo(250);
  }

  @SuppressWarnings("unchecked")
  static Map<String, List<Object>> columns(Map<String, Object> frame, String name) {
    Map<String, Object> schema = (Map<String, Object>) frame.get("schema");
    assertThat(schema.get("name")).isEqualTo(name);
    assertThat(((Map<String, Object>) schema.get("meta")).get("preferredVisualisationType")).isEqualTo("nodeGraph");
    List<Object> fields = (List<Object>) schema.get("fields");
    List<Object> values = (List<Object>) ((Map<String, Object>) frame.get("data")).get("values");
    assertThat(values).hasSameSizeAs(fields);
    Map<String, List<Object>> out = new LinkedHashMap<>();
    for (int i = 0; i < fields.size(); i++) {
      out.put((String) ((Map<String, Object>) fields.get(i)).get("name"), (List<Object>) values.get(i));
    }
    return out;
  }

  static Object parse(byte[] json) throws Exception {
    try (JsonParser p = new JsonFactory().createParser(json)) {
      p.nextToken();
      return value(p);
    }
  }

  private static Object value(JsonParser p) throws Exception {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT: {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String k = p.currentName();
          p.nextToken();
          m.put(k, value(p));
        }
        return m;
      }
      case START_ARRAY: {
        List<Object> l = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          l.add(value(p));
        }
        return l;
      }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return true;
      case VALUE_FALSE:
        return false;
      default:
        return null;
    }
  }
}
