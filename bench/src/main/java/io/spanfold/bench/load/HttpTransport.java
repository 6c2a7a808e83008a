package io.spanfold.bench.load;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * OTLP/HTTP: {@code POST /v1/traces} through the JDK's {@link HttpClient} (HTTP/1.1, one keep-alive connection per
 * request in flight). Bodies are sent as given: the caller compresses them when {@code gzip} is set. Measured here it
 * costs about 1 ms of CPU per 48 KB request, several times {@link NettyHttpTransport}: kept as a second, independent
 * client ({@code --client=jdk}) to cross-check the Netty one.
 */
final class HttpTransport implements Transport {
  private final HttpClient client;
  private final ExecutorService executor;
  private final URI uri;
  private final String contentType;
  private final boolean json;
  private final boolean gzip;
  private final Duration timeout;

  HttpTransport(String uriHost, int port, boolean json, boolean gzip, Duration timeout) {
    this.uri = URI.create("http://" + uriHost + ":" + port + "/v1/traces");
    this.json = json;
    this.contentType = json ? "application/json" : "application/x-protobuf";
    this.gzip = gzip;
    this.timeout = timeout;
    // Completions only count and release a permit: two threads are plenty, and keep the client off the server's cores.
    this.executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "loadgen-http");
      t.setDaemon(true);
      return t;
    });
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout)
        .executor(executor)
        .build();
  }

  @Override
  public void send(byte[] body, Completion completion) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (gzip) {
      request.header("Content-Encoding", "gzip");
    }
    client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, error) -> {
      if (error != null) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        completion.done(Outcome.ERROR, cause instanceof HttpTimeoutException ? "timeout"
            : cause.getClass().getSimpleName(), 0);
        return;
      }
      int status = response.statusCode();
      Outcome outcome = Outcome.ofHttp(status);
      completion.done(outcome, "HTTP " + status, outcome == Outcome.OK ? rejected(response.body()) : 0);
    });
  }

  private long rejected(byte[] body) {
    return rejected(body, json);
  }

  /** The partial-success count of an {@code ExportTraceServiceResponse} (an empty body means full success). */
  static long rejected(byte[] body, boolean json) {
    if (body == null || body.length == 0) {
      return 0;
    }
    try {
      ExportTraceServiceResponse.Builder r = ExportTraceServiceResponse.newBuilder();
      if (json) {
        JsonFormat.parser().ignoringUnknownFields().merge(new String(body, StandardCharsets.UTF_8), r);
      } else {
        r.mergeFrom(body);
      }
      return r.getPartialSuccess().getRejectedSpans();
    } catch (InvalidProtocolBufferException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
