package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanfold.redmetrics.RedMetricsWiring;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/grafana/datasources.yaml: it parses, its cross-references resolve, and everything it points at spanfold is
 * served by the real server: the port is the query port, every path is in the server's route table, and every
 * {@code traces_*} metric its queries use is on the server's {@code /metrics}.
 */
@Timeout(60)
class GrafanaProvisioningTest {
  private static final Pattern URL = Pattern.compile("https?://[^\\s'\"]+");
  private static final Pattern METRIC = Pattern.compile("\\btraces_[a-z_]+");

  @TempDir Path tmp;

  static Path file() {
    Path p = Paths.get("grafana", "datasources.yaml");
    return Files.exists(p) ? p : Paths.get("examples", "grafana", "datasources.yaml");
  }

  static void strings(JsonNode n, List<String> out) {
    if (n.isTextual()) {
      out.add(n.textValue());
    }
    for (JsonNode c : n) {
      strings(c, out);
    }
  }

  static void uidRefs(JsonNode n, List<String> out) {
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("datasourceUid")) {
        out.add(e.getValue().asText());
      }
    }
    for (JsonNode c : n) {
      uidRefs(c, out);
    }
  }

  @Test
  void parsesAndReferencesOnlyWhatSpanfoldServes() throws Exception {
    JsonNode root = new YAMLMapper().readTree(file().toFile());
    assertThat(root.path("apiVersion").asInt()).isEqualTo(1);
    Map<String, JsonNode> byUid = new HashMap<>();
    for (JsonNode ds : root.path("datasources")) {
      byUid.put(ds.path("uid").asText(), ds);
    }
    assertThat(byUid).containsOnlyKeys("tempo", "prometheus", "loki");

    JsonNode tempo = byUid.get("tempo");
    assertThat(tempo.path("type").asText()).isEqualTo("tempo");
    assertThat(tempo.path("url").asText()).isEqualTo("http://spanfold:3200");
    JsonNode j = tempo.path("jsonData");
    assertThat(j.path("tracesToLogsV2").path("datasourceUid").asText()).isEqualTo("loki");
    assertThat(j.path("tracesToLogsV2").path("filterByTraceID").asBoolean()).isTrue();
    assertThat(j.path("tracesToLogsV2").path("spanStartTimeShift").asText()).isEqualTo("-5m");
    assertThat(j.path("tracesToLogsV2").path("spanEndTimeShift").asText()).isEqualTo("5m");
    assertThat(j.path("tracesToLogsV2").path("tags").get(0).path("key").asText()).isEqualTo("service.name");
    assertThat(j.path("tracesToMetrics").path("datasourceUid").asText()).isEqualTo("prometheus");
    assertThat(j.path("tracesToMetrics").path("queries").size()).isGreaterThanOrEqualTo(1);
    assertThat(j.path("serviceMap").path("datasourceUid").asText()).isEqualTo("prometheus");
    assertThat(j.path("nodeGraph").path("enabled").asBoolean()).isTrue();
    assertThat(j.path("search").path("hide").isBoolean()).isTrue();
    assertThat(j.path("search").path("hide").asBoolean()).isFalse();
    assertThat(j.path("traceQuery").path("timeShiftEnabled").asBoolean()).isTrue();
    assertThat(j.path("streamingEnabled").path("search").asBoolean()).as("no gRPC streaming on :3200").isFalse();

    // every datasourceUid resolves to a provisioned data source of the right type
    List<String> refs = new ArrayList<>();
    uidRefs(root, refs);
    assertThat(refs).isNotEmpty().allMatch(byUid::containsKey);
    assertThat(byUid.get("loki").path("type").asText()).isEqualTo("loki");
    assertThat(byUid.get("prometheus").path("type").asText()).isEqualTo("prometheus");

    // Loki lines carrying a trace id link to the Tempo data source
    JsonNode derived = byUid.get("loki").path("jsonData").path("derivedFields");
    assertThat(derived.size()).isEqualTo(2);
    Matcher m = Pattern.compile(derived.get(0).path("matcherRegex").asText())
        .matcher("level=info traceID=5b8efff798038103d269b633813fc60c msg=done");
    assertThat(m.find()).isTrue();
    assertThat(m.group(1)).isEqualTo("5b8efff798038103d269b633813fc60c");
    Matcher m2 = Pattern.compile(derived.get(0).path("matcherRegex").asText()).matcher("trace_id=abc123 x=1");
    assertThat(m2.find() && m2.group(1).equals("abc123")).isTrue();
    assertThat(derived.get(0).path("datasourceUid").asText()).isEqualTo("tempo");
    assertThat(derived.get(1).path("matcherType").asText()).isEqualTo("label");

    // Now the real server, wired as main wires it.
    ServerConfig config = ServerConfig.builder().bind("127.0.0.1").otlpGrpcPort(0).otlpHttpPort(0).httpPort(0)
        .dataDir(tmp.resolve("data")).build();
    try (SpanfoldServer server = SpanfoldServer.launch(config, GuardConfig.defaults(), RedMetricsWiring.fromArgs(),
        ServiceGraphConfig.parse(), null)) {
      HttpClient http = HttpClient.newHttpClient();
      List<String> all = new ArrayList<>();
      strings(root, all);
      Set<String> spanfoldUrls = new HashSet<>();
      for (String s : all) {
        Matcher u = URL.matcher(s);
        while (u.find()) {
          URI uri = URI.create(u.group());
          if (uri.getHost().equals("spanfold")) {
            spanfoldUrls.add(u.group());
            assertThat(uri.getPort()).as(u.group()).isEqualTo(ServerConfig.defaults().httpPort());
            String path = uri.getRawPath();
            if (!path.isEmpty() && !path.equals("/")) {
              assertThat(server.queryRoutes().match(path)).as("route for %s", path).isNotNull();
            }
          }
        }
      }
      assertThat(spanfoldUrls).containsExactly("http://spanfold:3200");

      // What Grafana's Tempo data source calls for the features enabled here is in the route table and answers.
      for (String path : List.of("/api/echo", "/api/status/buildinfo", "/api/traces/5b8efff798038103d269b633813fc60c",
          "/api/v2/traces/5b8efff798038103d269b633813fc60c", "/api/service-graph", "/metrics", "/ready",
          // search.hide is false: Grafana's search builder and tag autocomplete call these.
          "/api/search", "/api/v2/search/tags", "/api/v2/search/tag/resource.service.name/values",
          "/api/search/tags", "/api/search/tag/service.name/values")) {
        assertThat(server.queryRoutes().match(path)).as(path).isNotNull();
      }
      String base = "http://127.0.0.1:" + server.httpAddress().getPort();
      assertThat(get(http, base + "/api/echo").body()).isEqualTo("echo\n");
      assertThat(get(http, base + "/api/v2/traces/5b8efff798038103d269b633813fc60c").statusCode()).isEqualTo(200);

      // The metrics the tracesToMetrics queries use are spanfold's.
      post(http, "http://127.0.0.1:" + server.otlpHttpAddress().getPort() + "/v1/traces");
      String metrics = get(http, base + "/metrics").body();
      Set<String> used = new HashSet<>();
      for (JsonNode q : j.path("tracesToMetrics").path("queries")) {
        Matcher mm = METRIC.matcher(q.path("query").asText());
        while (mm.find()) {
          used.add(mm.group());
        }
      }
      assertThat(used).contains("traces_spanmetrics_calls_total", "traces_spanmetrics_latency_bucket");
      for (String name : used) {
        assertThat(metrics).as(name).containsPattern("(?m)^" + name + "\\{");
      }
    }
  }

  static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void post(HttpClient http, String url) throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    byte[] tid = new byte[16];
    tid[15] = 7;
    byte[] sid = new byte[8];
    sid[7] = 9;
    TracesData t = TracesData.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue("grafana-test"))))
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(tid))
            .setSpanId(ByteString.copyFrom(sid)).setName("GET /").setKind(Span.SpanKind.SPAN_KIND_SERVER)
            .setStartTimeUnixNano(now - 1_000_000).setEndTimeUnixNano(now)))).build();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(t.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
  }
}
