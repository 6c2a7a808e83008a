package io.spanfold.otlp.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.store.SpanStore;
import io.spanfold.core.wire.OtlpProtoDecoder;
import io.spanfold.otlp.http.HttpRequest;
import io.spanfold.otlp.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query forms Grafana's search builder produces, over a fixed dataset of Beyla-like HTTP server spans (frigate,
 * ntfy, ollama, immich; each trace a SERVER root and a CLIENT child), through {@link SearchHandler} on a real
 * {@link SpanStore} with half the traces in a completed block and half in the head. Each query's expected trace set is
 * computed from the dataset's definition by a plain Java predicate, not by TraceQL.
 */
class SearchGoldenTest {
  record T(int n, String service, String route, String method, int status, long durMs, boolean error) {}

  static final String[] SERVICES = {"frigate", "ntfy", "ollama", "immich"};
  static final String[][] ROUTES = {
      {"GET /api/events", "GET /api/review"}, {"POST /alerts", "GET /v1/health"},
      {"POST /api/generate", "GET /api/tags"}, {"POST /api/assets", "GET /api/server/ping"}};
  // within the store's ingestion slack of "now", so the blocks' time ranges are the spans' own
  static final long BASE = (System.currentTimeMillis() / 1000 - 60) * 1_000_000_000L;

  @TempDir Path dir;
  SpanStore store;
  SearchHandler search;
  SearchTagsHandler tags;
  final List<T> data = new ArrayList<>();

  @BeforeEach
  void load() throws Exception {
    store = SpanStore.builder().dataDir(dir).build();
    search = new SearchHandler(store, Duration.ofSeconds(10));
    tags = new SearchTagsHandler(store, Duration.ofSeconds(10));
    for (int i = 0; i < 40; i++) {
      int s = i % 4;
      int r = (i / 4) % 2;
      String route = ROUTES[s][r];
      int status = i % 7 == 0 ? 500 : i % 5 == 0 ? 404 : 200;
      long durMs = new long[] {3, 40, 150, 900, 2500}[i % 5];
      data.add(new T(i, SERVICES[s], route, route.substring(0, route.indexOf(' ')), status, durMs, status == 500));
    }
    for (T t : data) {
      store.accept(batch(t));
      if (t.n == 19) {
        store.completeHeadBlock();
      }
    }
  }

  @AfterEach
  void close() {
    store.close();
  }

  static SpanBatch batch(T t) throws Exception {
    byte[] tid = ByteBuffer.allocate(16).putLong(0x0aL).putLong(t.n + 1).array();
    long start = BASE + t.n * 1_000_000_000L;
    long end = start + t.durMs * 1_000_000L;
    Span server = Span.newBuilder().setTraceId(ByteString.copyFrom(tid)).setSpanId(id(t.n * 10 + 1))
        .setName(t.route).setKind(Span.SpanKind.SPAN_KIND_SERVER).setStartTimeUnixNano(start).setEndTimeUnixNano(end)
        .addAttributes(kv("http.request.method", t.method)).addAttributes(kv("url.path", t.route.substring(t.route.indexOf(' ') + 1)))
        .addAttributes(KeyValue.newBuilder().setKey("http.response.status_code").setValue(AnyValue.newBuilder().setIntValue(t.status)))
        .setStatus(Status.newBuilder().setCode(t.error ? Status.StatusCode.STATUS_CODE_ERROR : Status.StatusCode.STATUS_CODE_UNSET))
        .build();
    Span client = Span.newBuilder().setTraceId(ByteString.copyFrom(tid)).setSpanId(id(t.n * 10 + 2))
        .setParentSpanId(id(t.n * 10 + 1)).setName("in queue").setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
        .setStartTimeUnixNano(start).setEndTimeUnixNano(start + 1_000_000L).build();
    Resource res = Resource.newBuilder().addAttributes(kv("service.name", t.service))
        .addAttributes(kv("telemetry.sdk.name", "beyla")).addAttributes(kv("host.name", "homelab")).build();
    byte[] bytes = TracesData.newBuilder().addResourceSpans(ResourceSpans.newBuilder().setResource(res)
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(server).addSpans(client))).build().toByteArray();
    SpanBatch b = new SpanBatch();
    new OtlpProtoDecoder().decode(bytes, 0, bytes.length, b);
    return b;
  }

  static ByteString id(long v) {
    return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(v).array());
  }

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  HttpResponse get(HttpHandler h, String path, String... kv) throws Exception {
    Map<String, List<String>> q = new java.util.HashMap<>();
    Map<String, String> params = new java.util.HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      q.put(kv[i], List.of(kv[i + 1]));
    }
    HttpRequest r = new HttpRequest("GET", path, q, Map.of(), new byte[0]);
    if (path.contains("/tag/")) {
      String name = path.substring(path.indexOf("/tag/") + 5, path.lastIndexOf("/values"));
      params.put("tagName", name);
      r = r.withPathParams(params);
    }
    return h.handle(r);
  }

  interface HttpHandler {
    HttpResponse handle(HttpRequest r) throws Exception;
  }

  TreeSet<Integer> found(String... params) throws Exception {
    List<String> p = new ArrayList<>(List.of(params));
    p.addAll(List.of("start", Long.toString(BASE / 1_000_000_000L - 10), "end",
        Long.toString(BASE / 1_000_000_000L + 100), "limit", "100"));
    HttpResponse r = get(search::handle, "/api/search", p.toArray(new String[0]));
    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(r.status()).as(body).isEqualTo(200);
    TreeSet<Integer> out = new TreeSet<>();
    Matcher m = Pattern.compile("\"traceID\":\"a0*([0-9a-f]+)\"").matcher(body);
    while (m.find()) {
      out.add(Integer.parseInt(m.group(1), 16) - 1);
    }
    return out;
  }

  TreeSet<Integer> expected(Predicate<T> p) {
    TreeSet<Integer> out = new TreeSet<>();
    data.stream().filter(p).forEach(t -> out.add(t.n));
    return out;
  }

  @Test
  void grafanaBuilderQueriesFindTheExpectedTraces() throws Exception {
    assertThat(found("q", "{resource.service.name=\"frigate\"}")).isEqualTo(expected(t -> t.service.equals("frigate")));
    assertThat(found("q", "{resource.service.name=\"ollama\" && status=error}"))
        .isEqualTo(expected(t -> t.service.equals("ollama") && t.error)).isNotEmpty();
    assertThat(found("q", "{resource.service.name=\"immich\" && name=\"POST /api/assets\" && duration>100ms && duration<5s}"))
        .isEqualTo(expected(t -> t.service.equals("immich") && t.route.equals("POST /api/assets") && t.durMs > 100))
        .isNotEmpty();
    assertThat(found("q", "{span.http.response.status_code=500}")).isEqualTo(expected(t -> t.status == 500));
    assertThat(found("q", "{(resource.service.name=\"ntfy\" || resource.service.name=\"frigate\") && kind=server}"))
        .isEqualTo(expected(t -> t.service.equals("ntfy") || t.service.equals("frigate")));
    assertThat(found("q", "{resource.service.name=~\"ntfy|ollama\"}"))
        .isEqualTo(expected(t -> t.service.equals("ntfy") || t.service.equals("ollama")));
    assertThat(found("q", "{traceDuration>1s}")).isEqualTo(expected(t -> t.durMs > 1000)).isNotEmpty();
    assertThat(found("q", "{.http.request.method=\"POST\" && span.http.response.status_code!=200}"))
        .isEqualTo(expected(t -> t.method.equals("POST") && t.status != 200)).isNotEmpty();
    assertThat(found("q", "{resource.service.name!=\"frigate\" && status=error}"))
        .isEqualTo(expected(t -> !t.service.equals("frigate") && t.error));
    assertThat(found("q", "{}")).isEqualTo(expected(t -> true));
    assertThat(found("tags", "service.name=immich", "minDuration", "100ms"))
        .isEqualTo(expected(t -> t.service.equals("immich") && t.durMs >= 100)).isNotEmpty();
    assertThat(found("tags", "http.request.method=POST status.code=error"))
        .isEqualTo(expected(t -> t.method.equals("POST") && t.error));
  }

  @Test
  void responseShapeAsTempo() throws Exception {
    HttpResponse r = get(search::handle, "/api/search", "q", "{resource.service.name=\"ollama\" && status=error}",
        "start", Long.toString(BASE / 1_000_000_000L - 10), "end", Long.toString(BASE / 1_000_000_000L + 100),
        "spss", "1");
    String body = new String(r.body(), StandardCharsets.UTF_8);
    // trace 14 = (0xa, 15): ollama, GET /api/tags, 500, 2500 ms; the index narrows 40 traces to this one
    long start = BASE + 14 * 1_000_000_000L;
    assertThat(body).startsWith("{\"traces\":[{\"traceID\":\"a000000000000000f\",\"rootServiceName\":\"ollama\","
        + "\"rootTraceName\":\"GET /api/tags\",\"startTimeUnixNano\":\"" + start + "\",\"durationMs\":2500,"
        + "\"spanSet\":{\"spans\":[{\"spanID\":\"000000000000008d\",\"name\":\"GET /api/tags\",\"startTimeUnixNano\":\""
        + start + "\",\"durationNanos\":\"2500000000\",\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":"
        + "\"ollama\"}},{\"key\":\"status\",\"value\":{\"stringValue\":\"error\"}}]}],\"matched\":1},\"spanSets\":[");
    assertThat(body).contains("\"serviceStats\":{\"ollama\":{\"spanCount\":2,\"errorCount\":1}}");
    assertThat(body).contains("\"metrics\":{\"inspectedTraces\":1,");
  }

  @Test
  void badRequestsGetTemposMessages() throws Exception {
    assertThat(text(get(search::handle, "/api/search", "q", "{ .a = }"))).startsWith("400 invalid TraceQL query: parse error at line 1, col");
    assertThat(text(get(search::handle, "/api/search", "q", "{} | rate()"))).startsWith("400 invalid TraceQL query: ");
    assertThat(text(get(search::handle, "/api/search", "q", "{}", "tags", "a=b")))
        .isEqualTo("400 invalid request: can't specify tags and q in the same query");
    assertThat(text(get(search::handle, "/api/search", "limit", "0"))).isEqualTo("400 invalid limit: must be a positive number");
    assertThat(text(get(search::handle, "/api/search", "limit", "300000"))).isEqualTo("400 limit 300000 exceeds max limit 262144");
    assertThat(text(get(search::handle, "/api/search", "spss", "200"))).isEqualTo("400 spans per span set exceeds 100. received 200");
    assertThat(text(get(search::handle, "/api/search", "start", "10", "end", "5")))
        .isEqualTo("400 http parameter start must be before end. received start=10 end=5");
    assertThat(text(get(search::handle, "/api/search", "start", "1", "end", "700000")))
        .isEqualTo("400 range specified by start and end exceeds 168h0m0s. received start=1 end=700000");
    assertThat(text(get(search::handle, "/api/search", "start", "x")))
        .isEqualTo("400 invalid start: strconv.ParseInt: parsing \"x\": invalid syntax");
    assertThat(text(get(search::handle, "/api/search", "minDuration", "2s", "maxDuration", "1s")))
        .isEqualTo("400 invalid maxDuration: must be greater than minDuration");
    assertThat(text(get(tags::handle, "/api/v2/search/tags", "scope", "bogus"))).isEqualTo("400 invalid scope: bogus");
    assertThat(text(get(tags::handle, "/api/v2/search/tag/span.a b/values"))).startsWith("400 please provide a valid tagName: ");
  }

  @Test
  void tagNamesAndValues() throws Exception {
    String range = Long.toString(BASE / 1_000_000_000L - 10);
    String end = Long.toString(BASE / 1_000_000_000L + 100);
    String v2 = text(get(tags::handle, "/api/v2/search/tags", "start", range, "end", end));
    assertThat(v2).isEqualTo("200 {\"scopes\":[{\"name\":\"resource\",\"tags\":[\"host.name\",\"service.name\","
        + "\"telemetry.sdk.name\"]},{\"name\":\"span\",\"tags\":[\"http.request.method\",\"http.response.status_code\","
        + "\"url.path\"]},{\"name\":\"intrinsic\",\"tags\":" + json(SearchTagsHandler.INTRINSICS) + "}],"
        + "\"metrics\":{\"totalJobs\":1,\"completedJobs\":1}}");
    assertThat(text(get(tags::handle, "/api/search/tags", "start", range, "end", end))).isEqualTo("200 {\"tagNames\":"
        + "[\"host.name\",\"http.request.method\",\"http.response.status_code\",\"service.name\",\"telemetry.sdk.name\","
        + "\"url.path\"],\"metrics\":{\"totalJobs\":1,\"completedJobs\":1}}");
    assertThat(text(get(tags::handle, "/api/v2/search/tag/resource.service.name/values", "start", range, "end", end)))
        .isEqualTo("200 {\"tagValues\":[{\"type\":\"string\",\"value\":\"frigate\"},{\"type\":\"string\",\"value\":\"immich\"},"
            + "{\"type\":\"string\",\"value\":\"ntfy\"},{\"type\":\"string\",\"value\":\"ollama\"}],"
            + "\"metrics\":{\"totalJobs\":1,\"completedJobs\":1}}");
    assertThat(text(get(tags::handle, "/api/v2/search/tag/span.http.response.status_code/values", "start", range, "end", end)))
        .contains("{\"type\":\"int\",\"value\":\"500\"}");
    assertThat(text(get(tags::handle, "/api/search/tag/service.name/values", "start", range, "end", end)))
        .startsWith("200 {\"tagValues\":[\"frigate\",\"immich\",\"ntfy\",\"ollama\"]");
    assertThat(text(get(tags::handle, "/api/v2/search/tag/name/values", "start", range, "end", end,
        "q", "{resource.service.name=\"ollama\"}")))
        .isEqualTo("200 {\"tagValues\":[{\"type\":\"string\",\"value\":\"GET /api/tags\"},"
            + "{\"type\":\"string\",\"value\":\"POST /api/generate\"},{\"type\":\"string\",\"value\":\"in queue\"}],"
            + "\"metrics\":{\"totalJobs\":1,\"completedJobs\":1}}");
    assertThat(text(get(tags::handle, "/api/v2/search/tag/status/values"))).contains("{\"type\":\"keyword\",\"value\":\"error\"}");
  }

  private static String json(List<String> l) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < l.size(); i++) {
      sb.append(i > 0 ? "," : "").append('"').append(l.get(i)).append('"');
    }
    return sb.append(']').toString();
  }

  private static String text(HttpResponse r) {
    return r.status() + " " + new String(r.body(), StandardCharsets.UTF_8);
  }
}
