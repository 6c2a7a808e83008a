package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Search and tag autocomplete through the server jar: spans exported by the real OpenTelemetry Java SDK over gRPC are
 * found by {@code /api/search} with TraceQL ({@code q}) and with legacy {@code tags}, their attribute names and values
 * appear in the v1 and v2 tag endpoints, and bad queries get a 400 with Tempo's message.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ITSearch {
  @TempDir static Path dataDir;
  private ServerProcess server;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String errorTrace;
  private String okTrace;

  @BeforeAll
  void start() throws Exception {
    server = ServerProcess.start(dataDir);
    OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder()
        .setEndpoint("http://127.0.0.1:" + server.grpcPort).setTimeout(Duration.ofSeconds(20)).build();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "ollama",
            AttributeKey.stringKey("host.name"), "homelab")))
        .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    Tracer tracer = provider.get("it-search");
    errorTrace = trace(tracer, "POST /api/generate", "POST", 503, true);
    okTrace = trace(tracer, "GET /api/tags", "GET", 200, false);
    assertThat(provider.forceFlush().join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }

  private static String trace(Tracer tracer, String name, String method, long status, boolean error) {
    Span root = tracer.spanBuilder(name).setSpanKind(SpanKind.SERVER).setAttribute("http.request.method", method)
        .setAttribute("http.response.status_code", status).startSpan();
    try (Scope s = root.makeCurrent()) {
      tracer.spanBuilder("load model").startSpan().end();
    } finally {
      if (error) {
        root.setStatus(StatusCode.ERROR);
      }
      root.end();
    }
    return root.getSpanContext().getTraceId().replaceFirst("^0+", "");
  }

  @AfterAll
  void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(server.httpUrl(pathAndQuery))).timeout(Duration.ofSeconds(20))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void traceQlAndTagsSearchFindTheSdkSpans() throws Exception {
    HttpResponse<String> r = get("/api/search?q=" + enc("{resource.service.name=\"ollama\" && status=error}")
        + "&limit=20&spss=3");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"traceID\":\"" + errorTrace + "\"").doesNotContain(okTrace)
        .contains("\"rootServiceName\":\"ollama\"").contains("\"rootTraceName\":\"POST /api/generate\"");
    r = get("/api/search?q=" + enc("{span.http.response.status_code=200}"));
    assertThat(r.body()).contains("\"traceID\":\"" + okTrace + "\"").doesNotContain(errorTrace);
    r = get("/api/search?tags=" + enc("http.request.method=POST service.name=ollama"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"traceID\":\"" + errorTrace + "\"").doesNotContain(okTrace);
    r = get("/api/search?q=" + enc("{}"));
    assertThat(r.body()).contains(errorTrace).contains(okTrace);
  }

  @Test
  void tagNamesAndValuesInV1AndV2() throws Exception {
    HttpResponse<String> r = get("/api/v2/search/tags");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("{\"name\":\"resource\",\"tags\":[\"host.name\",\"service.name\"")
        .contains("\"http.request.method\"").contains("\"http.response.status_code\"")
        .contains("{\"name\":\"intrinsic\",\"tags\":[");
    assertThat(get("/api/search/tags").body()).contains("\"tagNames\":[").contains("\"http.request.method\"")
        .contains("\"service.name\"");
    assertThat(get("/api/v2/search/tag/resource.service.name/values").body())
        .contains("{\"type\":\"string\",\"value\":\"ollama\"}");
    assertThat(get("/api/v2/search/tag/span.http.response.status_code/values").body())
        .contains("{\"type\":\"int\",\"value\":\"200\"}").contains("{\"type\":\"int\",\"value\":\"503\"}");
    assertThat(get("/api/search/tag/http.request.method/values").body()).contains("\"tagValues\":[\"GET\",\"POST\"]");
    assertThat(get("/api/v2/search/tag/name/values?q=" + enc("{span.http.request.method=\"GET\"}")).body())
        .isEqualTo("{\"tagValues\":[{\"type\":\"string\",\"value\":\"GET /api/tags\"}],"
            + "\"metrics\":{\"totalJobs\":1,\"completedJobs\":1}}"); // only the spans matching q
  }

  @Test
  void badQueriesGet400WithAMessage() throws Exception {
    HttpResponse<String> r = get("/api/search?q=" + enc("{ .a = }"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).startsWith("invalid TraceQL query: parse error at line 1, col ");
    r = get("/api/search?q=" + enc("{} | rate()"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).startsWith("invalid TraceQL query: ");
    r = get("/api/search?q=" + enc("{}") + "&tags=a%3Db");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("invalid request: can't specify tags and q in the same query");
    r = get("/api/search?spss=101");
    assertThat(r.body()).isEqualTo("spans per span set exceeds 100. received 101");
    r = get("/api/v2/search/tags?scope=nope");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("invalid scope: nope");
  }
}
