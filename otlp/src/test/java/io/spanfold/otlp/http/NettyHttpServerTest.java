package io.spanfold.otlp.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class NettyHttpServerTest {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  /** Answers with what it saw: method, path, params, the body length and the body. */
  private static final HttpHandler ECHO = r -> HttpResponse.text(200,
      r.method() + " " + r.path() + " id=" + r.pathParam("id") + " q=" + r.queryParam("q") + " ce="
          + r.header("Content-Encoding") + " len=" + r.body().length + "\n"
          + new String(r.body(), StandardCharsets.UTF_8));

  private NettyHttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private NettyHttpServer start(HttpRoutes routes, int maxBody) throws IOException {
    server = NettyHttpServer.builder().name("test-http").host("127.0.0.1").port(0).routes(routes)
        .maxBodyBytes(maxBody).start();
    return server;
  }

  private NettyHttpServer startEcho() throws IOException {
    return start(HttpRoutes.builder()
        .route("/echo", ECHO)
        .route("/items/{id}", Set.of("GET"), ECHO)
        .route("/big", r -> HttpResponse.text(200, "x".repeat(5000)))
        .route("/boom", r -> {
          throw new IllegalStateException("kaput");
        })
        .build(), 1000);
  }

  private java.net.http.HttpResponse<byte[]> send(java.net.http.HttpRequest.Builder b) throws Exception {
    return CLIENT.send(b.timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofByteArray());
  }

  private java.net.http.HttpRequest.Builder req(String path) {
    return java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
  }

  private static String text(java.net.http.HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void routesPathParamsQueryAndBody() throws Exception {
    startEcho();

    var get = send(req("/items/a%2Fb?q=x%20y"));
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(text(get)).startsWith("GET /items/a/b id=a/b q=x y ");
    assertThat(get.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
    assertThat(get.headers().firstValueAsLong("content-length")).hasValue(get.body().length);

    var post = send(req("/echo").POST(BodyPublishers.ofString("hello")));
    assertThat(text(post)).isEqualTo("POST /echo id=null q=null ce=null len=5\nhello");
  }

  @Test
  void unknownPathIs404AndWrongMethodIs405WithAllow() throws Exception {
    startEcho();

    var notFound = send(req("/nope"));
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(text(notFound)).isEqualTo("404 page not found\n");

    var wrongMethod = send(req("/items/1").DELETE());
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("allow")).hasValue("GET, HEAD");
  }

  @Test
  void handlerExceptionIs500() throws Exception {
    startEcho();

    var r = send(req("/boom"));
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(text(r)).contains("kaput");
  }

  @Test
  void gzipDeflateAndZlibBodiesAreDecompressed() throws Exception {
    startEcho();
    byte[] plain = "compressed body ".repeat(20).getBytes(StandardCharsets.UTF_8);

    for (String enc : new String[] {"gzip", "deflate", "zlib", "GZIP"}) {
      byte[] compressed = enc.equalsIgnoreCase("gzip") ? gzip(plain) : zlib(plain);
      var r = send(req("/echo").header("Content-Encoding", enc).POST(BodyPublishers.ofByteArray(compressed)));
      assertThat(r.statusCode()).as(enc).isEqualTo(200);
      assertThat(text(r)).as(enc).isEqualTo("POST /echo id=null q=null ce=null len=" + plain.length + "\n"
          + new String(plain, StandardCharsets.UTF_8));
    }
  }

  @Test
  void unknownEncodingIs400AndCorruptGzipIs400() throws Exception {
    startEcho();

    var br = send(req("/echo").header("Content-Encoding", "br").POST(BodyPublishers.ofString("x")));
    assertThat(br.statusCode()).isEqualTo(400);
    assertThat(text(br)).isEqualTo("unsupported content encoding: br");

    byte[] corrupt = gzip("some body".getBytes(StandardCharsets.UTF_8));
    corrupt[12] ^= 0x55;
    corrupt[13] ^= 0x55;
    var bad = send(req("/echo").header("Content-Encoding", "gzip").POST(BodyPublishers.ofByteArray(corrupt)));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(text(bad)).startsWith("cannot decode request body");
  }

  @Test
  void bodiesOverTheCapAre413AlsoAfterDecompression() throws Exception {
    startEcho();

    var plain = send(req("/echo").POST(BodyPublishers.ofByteArray(new byte[1001])));
    assertThat(plain.statusCode()).isEqualTo(413);
    var atCap = send(req("/echo").POST(BodyPublishers.ofByteArray(new byte[1000])));
    assertThat(atCap.statusCode()).isEqualTo(200);
    // 100 KB of zeros compress to ~100 bytes: the cap applies to what the handler would get.
    byte[] bomb = gzip(new byte[100_000]);
    assertThat(bomb.length).isLessThan(1000);
    var r = send(req("/echo").header("Content-Encoding", "gzip").POST(BodyPublishers.ofByteArray(bomb)));
    assertThat(r.statusCode()).isEqualTo(413);
  }

  @Test
  void chunkedBodyWithoutContentLength() throws Exception {
    startEcho();
    try (RawHttp c = new RawHttp(server.port())) {
      c.write("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.text()).isEqualTo("POST /echo id=null q=null ce=null len=11\nhello world");
    }
  }

  @Test
  void keepAliveAndPipelinedRequestsAreAnsweredInOrder() throws Exception {
    startEcho();
    try (RawHttp c = new RawHttp(server.port())) {
      c.write("GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.read().text()).startsWith("GET /items/1 id=1");
      // Three requests in one write: answered one by one, in order, on the same connection.
      c.write("GET /items/2 HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
          + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
      assertThat(c.read().text()).startsWith("GET /items/2 id=2");
      assertThat(c.read().status()).isEqualTo(404);
      assertThat(c.read().text()).endsWith("len=3\nabc");
      c.write("GET /items/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      RawHttp.Response last = c.read();
      assertThat(last.text()).startsWith("GET /items/3 id=3");
      assertThat(last.headers()).containsEntry("connection", "close");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void nonBlockingHandlersRunOnTheEventLoopAndOthersOnAWorker() throws Exception {
    HttpHandler threadName = r -> HttpResponse.text(200, Thread.currentThread().getName());
    start(HttpRoutes.builder()
        .route("/inline", NonBlockingHttpHandler.of(threadName))
        .route("/worker", threadName)
        .route("/inline-boom", NonBlockingHttpHandler.of(r -> {
          throw new IllegalStateException("kaput");
        }))
        .build(), 1000);
    for (int i = 0; i < 3; i++) {
      assertThat(text(send(req("/inline")))).startsWith("test-http-io");
      assertThat(text(send(req("/worker")))).startsWith("test-http-worker");
    }
    java.net.http.HttpResponse<byte[]> boom = send(req("/inline-boom"));
    assertThat(boom.statusCode()).isEqualTo(500);
    assertThat(text(boom)).contains("kaput");
    // the event loop survived the failing handler and still answers
    assertThat(send(req("/inline")).statusCode()).isEqualTo(200);
  }

  @Test
  void headAnswersHeadersOnly() throws Exception {
    startEcho();
    try (RawHttp c = new RawHttp(server.port())) {
      c.write("HEAD /items/7 HTTP/1.1\r\nHost: x\r\n\r\nGET /items/8 HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response head = c.readHead();
      assertThat(head.status()).isEqualTo(200);
      assertThat(Integer.parseInt(head.headers().get("content-length"))).isGreaterThan(0);
      // The next bytes on the wire are the GET's answer: the HEAD answer carried no body.
      assertThat(c.read().text()).startsWith("GET /items/8 id=8");
    }
  }

  @Test
  void responsesAreGzippedWhenAcceptedAndLargeEnough() throws Exception {
    startEcho();

    var gz = send(req("/big").header("Accept-Encoding", "gzip, deflate"));
    assertThat(gz.headers().firstValue("content-encoding")).hasValue("gzip");
    assertThat(gz.headers().firstValueAsLong("content-length")).hasValue(gz.body().length);
    assertThat(new String(gunzip(gz.body()), StandardCharsets.UTF_8)).isEqualTo("x".repeat(5000));

    var plain = send(req("/big"));
    assertThat(plain.headers().firstValue("content-encoding")).isEmpty();
    assertThat(plain.body()).hasSize(5000);

    var refused = send(req("/big").header("Accept-Encoding", "gzip;q=0"));
    assertThat(refused.headers().firstValue("content-encoding")).isEmpty();

    var small = send(req("/items/1").header("Accept-Encoding", "gzip"));
    assertThat(small.headers().firstValue("content-encoding")).isEmpty();
  }

  @Test
  void acceptEncodingParsing() {
    assertThat(RequestHandler.acceptsGzip("gzip")).isTrue();
    assertThat(RequestHandler.acceptsGzip("deflate, gzip;q=0.5")).isTrue();
    assertThat(RequestHandler.acceptsGzip("*")).isTrue();
    assertThat(RequestHandler.acceptsGzip("gzip;q=0")).isFalse();
    assertThat(RequestHandler.acceptsGzip("br")).isFalse();
    assertThat(RequestHandler.acceptsGzip(null)).isFalse();
  }

  @Test
  void overloadAnswers503InsteadOfQueueingWithoutBound() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    server = NettyHttpServer.builder().host("127.0.0.1").port(0).workerThreads(1).queueCapacity(1)
        .routes(HttpRoutes.builder().route("/slow", r -> {
          entered.countDown();
          release.await(20, TimeUnit.SECONDS);
          return HttpResponse.text(200, "done");
        }).build())
        .start();
    HttpClient c1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpClient c2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      CompletableFuture<java.net.http.HttpResponse<String>> first =
          c1.sendAsync(req("/slow").build(), BodyHandlers.ofString());
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<java.net.http.HttpResponse<String>> queued =
          c2.sendAsync(req("/slow").build(), BodyHandlers.ofString());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (server.inflightRequests() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      try (RawHttp third = new RawHttp(server.port())) {
        third.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        RawHttp.Response busy = third.read();
        assertThat(busy.status()).isEqualTo(503);
        assertThat(busy.text()).isEqualTo("server busy, retry later");
      }
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("done");
      assertThat(queued.get(10, TimeUnit.SECONDS).body()).isEqualTo("done");
    } finally {
      release.countDown();
    }
  }

  @Test
  void closeStopsAcceptingAndFinishesRequestsInFlight() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    server = NettyHttpServer.builder().host("127.0.0.1").port(0)
        .routes(HttpRoutes.builder().route("/slow", r -> {
          entered.countDown();
          release.await(20, TimeUnit.SECONDS);
          return HttpResponse.text(200, "finished");
        }).build())
        .start();
    int port = server.port();
    CompletableFuture<java.net.http.HttpResponse<String>> inflight =
        CLIENT.sendAsync(req("/slow").build(), BodyHandlers.ofString());
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    boolean refused = false;
    while (!refused && System.nanoTime() < deadline) {
      try {
        new Socket("127.0.0.1", port).close();
        Thread.sleep(20);
      } catch (ConnectException e) {
        refused = true;
      }
    }
    assertThat(refused).as("new connections refused while stopping").isTrue();
    assertThat(closing).isNotDone();

    release.countDown();
    java.net.http.HttpResponse<String> r = inflight.get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("finished");
    closing.get(10, TimeUnit.SECONDS);
    server = null;
  }

  @Test
  void builderNamesTheBadField() {
    assertThatThrownBy(() -> NettyHttpServer.builder().port(70000)).hasMessageContaining("port");
    assertThatThrownBy(() -> NettyHttpServer.builder().maxBodyBytes(0)).hasMessageContaining("maxBodyBytes");
    assertThatThrownBy(() -> NettyHttpServer.builder().start()).hasMessageContaining("routes");
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
      gz.write(b);
    }
    return bos.toByteArray();
  }

  static byte[] zlib(byte[] b) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(bos)) {
      d.write(b);
    }
    return bos.toByteArray();
  }

  static byte[] gunzip(byte[] b) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(b))) {
      return in.readAllBytes();
    }
  }


  @Test
  void observerSeesRouteStatusAndTimingOfEveryAnsweredRequest() throws Exception {
    java.util.concurrent.BlockingQueue<String> seen = new java.util.concurrent.LinkedBlockingQueue<>();
    java.util.concurrent.BlockingQueue<HttpRequestObserver.Timing> timings =
        new java.util.concurrent.LinkedBlockingQueue<>();
    HttpRoutes routes = HttpRoutes.builder()
        .route("/items/{id}", Set.of("GET"), r -> {
          Thread.sleep(20);
          return HttpResponse.text("missing".equals(r.pathParam("id")) ? 404 : 200, "ok");
        })
        .build();
    server = NettyHttpServer.builder().name("test-http").host("127.0.0.1").port(0).routes(routes)
        .observer((method, route, status, ws, timing) -> {
          seen.add(method + " " + route + " " + status + " ws=" + ws);
          timings.add(timing);
        })
        .start();

    assertThat(send(req("/items/a")).statusCode()).isEqualTo(200);
    assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("GET items_id 200 ws=false");
    HttpRequestObserver.Timing t = timings.take();
    assertThat(t.handlerNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
    assertThat(t.queuedNanos()).isGreaterThanOrEqualTo(0);
    assertThat(t.totalNanos()).isGreaterThanOrEqualTo(t.queuedNanos() + t.handlerNanos());
    assertThat(t.respondNanos()).isGreaterThanOrEqualTo(0);

    assertThat(send(req("/items/missing")).statusCode()).isEqualTo(404);
    assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("GET items_id 404 ws=false");
    // answered by the event loop without a handler: no queue or handler time
    assertThat(send(req("/nowhere")).statusCode()).isEqualTo(404);
    assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("GET other 404 ws=false");
    timings.take();
    t = timings.take();
    assertThat(t.handlerNanos()).isEqualTo(-1);
    assertThat(t.queuedNanos()).isEqualTo(-1);
    assertThat(t.respondNanos()).isEqualTo(t.totalNanos());
    assertThat(send(req("/items/a").POST(java.net.http.HttpRequest.BodyPublishers.noBody())).statusCode())
        .isEqualTo(405);
    assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("POST items_id 405 ws=false");
    assertThat(seen).isEmpty();
  }

  @Test
  void webSocketHandshakesAreRecognisedByUpgradeAndConnectionTokens() {
    io.netty.handler.codec.http.HttpHeaders h = new io.netty.handler.codec.http.DefaultHttpHeaders();
    assertThat(RequestHandler.isWebSocketHandshake(h)).isFalse();
    h.set("Upgrade", "WebSocket");
    assertThat(RequestHandler.isWebSocketHandshake(h)).isFalse();
    h.set("Connection", "keep-alive, Upgrade");
    assertThat(RequestHandler.isWebSocketHandshake(h)).isTrue();
    h.set("Upgrade", "h2c");
    assertThat(RequestHandler.isWebSocketHandshake(h)).isFalse();
  }
}
