package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tempo's {@code tempo_request_duration_seconds} on the server jar's {@code /metrics}: trace-by-id lookups of a trace
 * the real OpenTelemetry SDK exported raise the count of their route ({@code api_v2_traces_traceid}, status 200), a
 * v1 lookup of an unknown trace is counted under {@code api_traces_traceid} with {@code status_code="404"}, an unknown
 * path under {@code other}; the phase histogram splits the same requests.
 */
@Timeout(180)
class ITRequestDuration {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)\\} (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  @TempDir Path dataDir;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void lookupsAreCountedPerRouteAndStatus() throws Exception {
    try (ServerProcess server = ServerProcess.start(dataDir)) {
      String traceId = exportOneTrace(server);
      String v2 = "/api/v2/traces/" + traceId;
      // the trace is acknowledged once the store took it: the first lookup already finds it
      assertThat(get(server, v2, "application/protobuf").statusCode()).isEqualTo(200);

      Map<String, Double> before = scrape(server);
      for (int i = 0; i < 5; i++) {
        HttpResponse<byte[]> r = get(server, v2, i % 2 == 0 ? "application/protobuf" : "application/json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().length).isGreaterThan(50);
      }
      for (int i = 0; i < 3; i++) {
        assertThat(get(server, "/api/traces/0123456789abcdef0123456789abcdef", null).statusCode()).isEqualTo(404);
      }
      assertThat(get(server, "/no/such/path", null).statusCode()).isEqualTo(404);
      Map<String, Double> after = scrape(server);

      String ok = "tempo_request_duration_seconds_count{method=GET,route=api_v2_traces_traceid,status_code=200,ws=false}";
      String missing = "tempo_request_duration_seconds_count{method=GET,route=api_traces_traceid,status_code=404,ws=false}";
      String other = "tempo_request_duration_seconds_count{method=GET,route=other,status_code=404,ws=false}";
      assertThat(after.get(ok) - before.getOrDefault(ok, 0.0)).isEqualTo(5.0);
      assertThat(after.get(missing) - before.getOrDefault(missing, 0.0)).isEqualTo(3.0);
      assertThat(after.get(other) - before.getOrDefault(other, 0.0)).isEqualTo(1.0);
      // every observation is in the +Inf bucket, and took some time
      assertThat(after.get(
          "tempo_request_duration_seconds_bucket{method=GET,route=api_v2_traces_traceid,status_code=200,ws=false,le=+Inf}"))
          .isEqualTo(after.get(ok));
      assertThat(after.get(
          "tempo_request_duration_seconds_bucket{method=GET,route=api_v2_traces_traceid,status_code=200,ws=false,le=0.005}"))
          .isLessThanOrEqualTo(after.get(ok));
      assertThat(after.get("tempo_request_duration_seconds_sum{method=GET,route=api_v2_traces_traceid,status_code=200,ws=false}"))
          .isGreaterThan(before.getOrDefault(
              "tempo_request_duration_seconds_sum{method=GET,route=api_v2_traces_traceid,status_code=200,ws=false}", 0.0));
      // the scrape before this one was counted too, under its own route
      assertThat(after.get("tempo_request_duration_seconds_count{method=GET,route=metrics,status_code=200,ws=false}"))
          .isGreaterThanOrEqualTo(1.0);
      // phases: 1 warm-up + 5 lookups ran their handler (at least those; a scrape may race the last write-back)
      assertThat(after.get("spanfold_request_phase_duration_seconds_count{route=api_v2_traces_traceid,phase=handler}"))
          .isEqualTo(6.0);
      assertThat(after.get("spanfold_request_phase_duration_seconds_count{route=api_v2_traces_traceid,phase=queued}"))
          .isEqualTo(6.0);
      assertThat(after.get("spanfold_request_phase_duration_seconds_count{route=other,phase=respond}"))
          .isEqualTo(1.0);
      assertThat(after).doesNotContainKey(
          "spanfold_request_phase_duration_seconds_count{route=other,phase=handler}");
    }
  }

  /** Exports a two-span trace with the OpenTelemetry SDK over gRPC; returns its id as Tempo prints it. */
  private static String exportOneTrace(ServerProcess server) {
    OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder()
        .setEndpoint("http://127.0.0.1:" + server.grpcPort).setTimeout(Duration.ofSeconds(20)).build();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "checkout")))
        .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    try {
      Tracer tracer = provider.get("it-request-duration");
      Span root = tracer.spanBuilder("GET /cart").startSpan();
      try (io.opentelemetry.context.Scope s = root.makeCurrent()) {
        tracer.spanBuilder("SELECT carts").startSpan().end();
      } finally {
        root.end();
      }
      assertThat(provider.forceFlush().join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
      return root.getSpanContext().getTraceId();
    } finally {
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  private HttpResponse<byte[]> get(ServerProcess server, String path, String accept) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.httpUrl(path))).timeout(Duration.ofSeconds(20));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** {@code /metrics} as {@code name{label=value,...} -> value}, labels in exposition order, quotes dropped. */
  private Map<String, Double> scrape(ServerProcess server) throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.httpUrl("/metrics")))
        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : r.body().split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      StringBuilder key = new StringBuilder(m.group(1)).append('{');
      Matcher l = LABEL.matcher(m.group(2));
      boolean first = true;
      while (l.find()) {
        key.append(first ? "" : ",").append(l.group(1)).append('=').append(l.group(2));
        first = false;
      }
      out.put(key.append('}').toString(), Double.parseDouble(m.group(3)));
    }
    return out;
  }
}
