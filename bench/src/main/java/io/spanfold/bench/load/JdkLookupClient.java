package io.spanfold.bench.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Lookups through the JDK's {@link HttpClient} (HTTP/1.1, its own connection pool). It hands every exchange to its
 * selector thread and back, which on a busy machine adds scheduling delays of its own to what is measured: the
 * socket client is the default, this one stays for comparison ({@code --lookup-client=jdk}).
 */
final class JdkLookupClient implements LookupClient {
  private final HttpClient client;
  private final String base;
  private final Duration timeout;

  JdkLookupClient(String uriHost, int port, Duration timeout) {
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    this.base = "http://" + uriHost + ":" + port;
    this.timeout = timeout;
  }

  @Override
  public Response get(String path, String accept) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).GET();
    if (accept != null) {
      b.header("Accept", accept);
    }
    HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Response(r.statusCode(), r.body());
  }

  @Override
  public void close() {
    // HttpClient has no close in Java 17; its threads are daemons
  }
}
