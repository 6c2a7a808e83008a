package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.spanfold.otlp.http.HttpResponse;
import io.spanfold.otlp.query.Readiness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The in-process wiring other components plug into: consumers, close-on-stop resources, query routes. */
@Timeout(60)
class SpanfoldServerTest {
  @TempDir Path dir;

  @Test
  void consumersRoutesAndOrderlyStop() throws Exception {
    List<String> names = new CopyOnWriteArrayList<>();
    AtomicBoolean closed = new AtomicBoolean();
    List<Readiness.State> stateWhenClosed = new CopyOnWriteArrayList<>();
    List<String> readyWhenClosed = new CopyOnWriteArrayList<>();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ServerConfig config = ServerConfig.builder().bind("127.0.0.1").otlpGrpcPort(0).otlpHttpPort(0).httpPort(0)
        .dataDir(dir.resolve("data")).build();
    SpanfoldServer[] holder = new SpanfoldServer[1];
    SpanfoldServer server = SpanfoldServer.builder(config)
        .consumer(b -> {
          for (int i = 0; i < b.size(); i++) {
            names.add(b.name(i));
          }
        })
        .closeOnStop(() -> {
          stateWhenClosed.add(holder[0].readiness().state());
          // The receivers are down by now, the query port still answers: /ready says we are stopping.
          var ready = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + holder[0].httpAddress().getPort() + "/ready")).build(), BodyHandlers.ofString());
          readyWhenClosed.add(ready.statusCode() + " " + ready.body());
          closed.set(true);
        })
        .route("/api/hello/{who}", Set.of("GET"), r -> HttpResponse.text(200, "hello " + r.pathParam("who")))
        .start();
    holder[0] = server;
    try {
      byte[] body = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
          .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder()
              .setTraceId(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                  13, 14, 15, 16}))
              .setSpanId(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
              .setName("plugged")))).build().toByteArray();
      var post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + server.otlpHttpAddress().getPort() + "/v1/traces")).header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(200);
      assertThat(names).containsExactly("plugged");

      var hello = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + server.httpAddress().getPort() + "/api/hello/world")).build(), BodyHandlers.ofString());
      assertThat(hello.body()).isEqualTo("hello world");
      var metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + server.httpAddress().getPort() + "/metrics")).build(), BodyHandlers.ofString());
      assertThat(metrics.body()).contains("tempo_distributor_spans_received_total{tenant=\"single-tenant\",} 1.0");
      assertThat(server.readiness().state()).isEqualTo(Readiness.State.READY);
    } finally {
      server.close();
    }
    assertThat(closed).isTrue();
    assertThat(stateWhenClosed).containsExactly(Readiness.State.STOPPING);
    assertThat(readyWhenClosed).containsExactly("503 Application is stopping");
    server.close(); // idempotent
  }
}
