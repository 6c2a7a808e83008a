package io.spanfold.otlp.query;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.spanfold.core.graph.ServiceGraph;
import io.spanfold.core.graph.ServiceGraphBuilder;
import io.spanfold.otlp.http.HttpHandler;
import io.spanfold.otlp.http.HttpRequest;
import io.spanfold.otlp.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * {@code GET /api/service-graph?window=5m}: the current {@link ServiceGraph} as two Grafana data frames, {@code
 * nodes} and {@code edges}, with the field names Grafana's Node Graph panel reads ({@code id}, {@code title}, {@code
 * subtitle}, {@code mainstat}, {@code secondarystat}, {@code arc__success}, {@code arc__failed}, {@code detail__*};
 * edges {@code id}, {@code source}, {@code target}, {@code mainstat}, {@code secondarystat}, {@code detail__*}). Stats
 * follow Tempo's service map: main = average response time (ms, server side), secondary = requests per second.
 *
 * <pre>{@code
 * {"window":"PT5M","windowSeconds":300.0,"frames":[
 *   {"schema":{"name":"nodes","meta":{"preferredVisualisationType":"nodeGraph"},"fields":[{"name":"id","type":"string"},…]},
 *    "data":{"values":[["frigate","ollama"],["frigate","ollama"],…]}},
 *   {"schema":{"name":"edges",…},"data":{"values":[…]}}]}
 * }</pre>
 *
 * <p>{@code window} accepts {@code 30s}, {@code 5m}, {@code 1h}, {@code 500ms} or plain seconds; default 5 minutes,
 * clamped to the builder's snapshot retention. Not a Tempo endpoint: Tempo leaves the service graph to Prometheus
 * queries; this serves embedders and the Infinity/JSON datasources directly. Thread-safe.
 */
public final class ServiceGraphHandler implements HttpHandler {
  public static final String PATH = "/api/service-graph";
  static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
  private static final JsonFactory JSON = new JsonFactory();

  private final ServiceGraphBuilder graph;

  public ServiceGraphHandler(ServiceGraphBuilder graph) {
    this.graph = Objects.requireNonNull(graph, "graph");
  }

  @Override
  public HttpResponse handle(HttpRequest request) throws IOException {
    if (!"GET".equals(request.method())) {
      return HttpResponse.text(405, "method " + request.method() + " not allowed, use GET")
          .header("Allow", "GET");
    }
    Duration window;
    try {
      String w = request.queryParam("window");
      window = w == null || w.isEmpty() ? DEFAULT_WINDOW : parseDuration(w);
    } catch (IllegalArgumentException e) {
      return HttpResponse.text(400, e.getMessage());
    }
    ServiceGraph g = graph.snapshot(window);
    return HttpResponse.of(200, "application/json", render(g));
  }

  /** Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h} or plain seconds; must be positive. */
  static Duration parseDuration(String s) {
    String t = s.trim();
    int i = 0;
    while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
      i++;
    }
    if (i == 0) {
      throw new IllegalArgumentException("window: expected a duration like 5m, got '" + s + "'");
    }
    double v;
    try {
      v = Double.parseDouble(t.substring(0, i));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("window: expected a duration like 5m, got '" + s + "'");
    }
    String unit = t.substring(i);
    double nanos;
    switch (unit) {
      case "ms":
        nanos = v * 1e6;
        break;
      case "":
      case "s":
        nanos = v * 1e9;
        break;
      case "m":
        nanos = v * 60e9;
        break;
      case "h":
        nanos = v * 3600e9;
        break;
      default:
        throw new IllegalArgumentException("window: unknown unit '" + unit + "' in '" + s + "' (use ms, s, m or h)");
    }
    if (!(nanos >= 1e6) || nanos > 7 * 24 * 3600e9) {
      throw new IllegalArgumentException("window: must be between 1ms and 7d, got '" + s + "'");
    }
    return Duration.ofNanos((long) nanos);
  }

  static byte[] render(ServiceGraph g) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator j = JSON.createGenerator(out)) {
      j.writeStartObject();
      j.writeStringField("window", g.window().toString());
      j.writeNumberField("windowSeconds", g.window().toNanos() / 1e9);
      j.writeArrayFieldStart("frames");
      nodes(j, g.nodes());
      edges(j, g.edges());
      j.writeEndArray();
      j.writeEndObject();
    }
    return out.toByteArray();
  }

  private static void nodes(JsonGenerator j, List<ServiceGraph.Node> nodes) throws IOException {
    startFrame(j, "nodes");
    field(j, "id", "string", null, null, null);
    field(j, "title", "string", null, null, null);
    field(j, "subtitle", "string", null, null, null);
    field(j, "mainstat", "number", "Average response time", "ms", null);
    field(j, "secondarystat", "number", "Requests per second", "reqps", null);
    field(j, "arc__success", "number", "Success", null, "green");
    field(j, "arc__failed", "number", "Failed", null, "red");
    field(j, "detail__requests", "number", "Requests", null, null);
    field(j, "detail__failed", "number", "Failed requests", null, null);
    field(j, "detail__p50", "number", "p50 response time", "ms", null);
    field(j, "detail__p95", "number", "p95 response time", "ms", null);
    endFieldsStartValues(j);
    strings(j, nodes, ServiceGraph.Node::name);
    strings(j, nodes, ServiceGraph.Node::name);
    j.writeStartArray();
    for (ServiceGraph.Node n : nodes) {
      j.writeString(n.requests() == 0 ? "" : n.requests() + " requests, " + n.failed() + " failed");
    }
    j.writeEndArray();
    numbers(j, nodes, n -> n.latency().avgSeconds() * 1e3);
    numbers(j, nodes, ServiceGraph.Node::requestRate);
    // an idle node (only a caller) is drawn all green: the arcs must sum to 1
    numbers(j, nodes, n -> n.requests() == 0 ? 1.0 : 1.0 - n.failedRatio());
    numbers(j, nodes, ServiceGraph.Node::failedRatio);
    numbers(j, nodes, n -> n.requests());
    numbers(j, nodes, n -> n.failed());
    numbers(j, nodes, n -> n.latency().p50Seconds() * 1e3);
    numbers(j, nodes, n -> n.latency().p95Seconds() * 1e3);
    endFrame(j);
  }

  private static void edges(JsonGenerator j, List<ServiceGraph.Edge> edges) throws IOException {
    startFrame(j, "edges");
    field(j, "id", "string", null, null, null);
    field(j, "source", "string", null, null, null);
    field(j, "target", "string", null, null, null);
    field(j, "mainstat", "number", "Average response time", "ms", null);
    field(j, "secondarystat", "number", "Requests per second", "reqps", null);
    field(j, "detail__connection_type", "string", "Connection type", null, null);
    field(j, "detail__requests", "number", "Requests", null, null);
    field(j, "detail__failed", "number", "Failed requests", null, null);
    field(j, "detail__client_avg", "number", "Average response time (client)", "ms", null);
    field(j, "detail__p95", "number", "p95 response time", "ms", null);
    endFieldsStartValues(j);
    strings(j, edges, ServiceGraph.Edge::id);
    strings(j, edges, ServiceGraph.Edge::client);
    strings(j, edges, ServiceGraph.Edge::server);
    numbers(j, edges, e -> e.serverLatency().avgSeconds() * 1e3);
    numbers(j, edges, ServiceGraph.Edge::requestRate);
    strings(j, edges, e -> e.connectionType().label());
    numbers(j, edges, e -> e.requests());
    numbers(j, edges, e -> e.failed());
    numbers(j, edges, e -> e.clientLatency().avgSeconds() * 1e3);
    numbers(j, edges, e -> e.serverLatency().p95Seconds() * 1e3);
    endFrame(j);
  }

  private static void startFrame(JsonGenerator j, String name) throws IOException {
    j.writeStartObject();
    j.writeObjectFieldStart("schema");
    j.writeStringField("name", name);
    j.writeObjectFieldStart("meta");
    j.writeStringField("preferredVisualisationType", "nodeGraph");
    j.writeEndObject();
    j.writeArrayFieldStart("fields");
  }

  private static void endFieldsStartValues(JsonGenerator j) throws IOException {
    j.writeEndArray(); // fields
    j.writeEndObject(); // schema
    j.writeObjectFieldStart("data");
    j.writeArrayFieldStart("values");
  }

  private static void endFrame(JsonGenerator j) throws IOException {
    j.writeEndArray(); // values
    j.writeEndObject(); // data
    j.writeEndObject(); // frame
  }

  private static void field(JsonGenerator j, String name, String type, String displayName, String unit, String color)
      throws IOException {
    j.writeStartObject();
    j.writeStringField("name", name);
    j.writeStringField("type", type);
    if (displayName != null || unit != null || color != null) {
      j.writeObjectFieldStart("config");
      if (displayName != null) {
        j.writeStringField("displayName", displayName);
      }
      if (unit != null) {
        j.writeStringField("unit", unit);
      }
      if (color != null) {
        j.writeObjectFieldStart("color");
        j.writeStringField("mode", "fixed");
        j.writeStringField("fixedColor", color);
        j.writeEndObject();
      }
      j.writeEndObject();
    }
    j.writeEndObject();
  }

  private interface ToString<T> {
    String apply(T t);
  }

  private static <T> void strings(JsonGenerator j, List<T> rows, ToString<T> f) throws IOException {
    j.writeStartArray();
    for (T r : rows) {
      j.writeString(f.apply(r));
    }
    j.writeEndArray();
  }

  private static <T> void numbers(JsonGenerator j, List<T> rows, ToDoubleFunction<T> f) throws IOException {
    j.writeStartArray();
    for (T r : rows) {
      double v = f.applyAsDouble(r);
      if (v == Math.rint(v) && Math.abs(v) < 1e15) {
        j.writeNumber((long) v);
      } else {
        j.writeNumber(v);
      }
    }
    j.writeEndArray();
  }
}
