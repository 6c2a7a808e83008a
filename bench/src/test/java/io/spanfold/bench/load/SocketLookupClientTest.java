package io.spanfold.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanfold.otlp.http.HttpResponse;
import io.spanfold.otlp.http.HttpRoutes;
import io.spanfold.otlp.http.NettyHttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SocketLookupClientTest {
  @Test
  void getsOverOneKeptAliveConnection() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    HttpRoutes routes = HttpRoutes.builder()
        .route("/api/v2/traces/{id}", Set.of("GET"), r -> HttpResponse.of(200, "application/protobuf",
            (r.pathParam("id") + " " + r.header("accept") + " " + "x".repeat(3000)).getBytes(StandardCharsets.UTF_8)))
        .build();
    try (NettyHttpServer server = NettyHttpServer.builder().host("127.0.0.1").port(0).routes(routes)
            .observer((m, route, status, ws, t) -> { }).start();
        SocketLookupClient client = new SocketLookupClient("127.0.0.1", "127.0.0.1", server.port(),
            Duration.ofSeconds(5))) {
      for (int i = 0; i < 20; i++) {
        LookupClient.Response r = client.get("/api/v2/traces/" + i, "application/protobuf");
        assertThat(r.status()).isEqualTo(200);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).startsWith(i + " application/protobuf xxx")
            .hasSize(String.valueOf(i).length() + 22 + 3000);
      }
      LookupClient.Response missing = client.get("/nowhere", null);
      assertThat(missing.status()).isEqualTo(404);
      assertThat(new String(missing.body(), StandardCharsets.UTF_8)).isEqualTo("404 page not found\n");
    }
  }

  @Test
  void reconnectsOnceWhenTheServerClosedTheIdleConnection() throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    try (ServerSocket ss = new ServerSocket()) {
      ss.bind(new InetSocketAddress("127.0.0.1", 0));
      Thread t = new Thread(() -> {
        try {
          // first connection: one answer, then closed; second: one answer
          for (int c = 0; c < 2; c++) {
            try (Socket s = ss.accept()) {
              accepted.incrementAndGet();
              readHead(s);
              s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").getBytes(
                  StandardCharsets.ISO_8859_1));
              s.getOutputStream().flush();
            }
          }
        } catch (IOException e) {
          // test over
        }
      });
      t.setDaemon(true);
      t.start();
      try (SocketLookupClient client = new SocketLookupClient("127.0.0.1", "127.0.0.1", ss.getLocalPort(),
          Duration.ofSeconds(5))) {
        assertThat(client.get("/a", null).status()).isEqualTo(200);
        Thread.sleep(100);
        assertThat(new String(client.get("/b", null).body(), StandardCharsets.UTF_8)).isEqualTo("ok");
      }
      assertThat(accepted.get()).isEqualTo(2);
    }
  }

  @Test
  void answersWithoutContentLengthAreRefused() throws Exception {
    try (ServerSocket ss = new ServerSocket()) {
      ss.bind(new InetSocketAddress("127.0.0.1", 0));
      Thread t = new Thread(() -> {
        try (Socket s = ss.accept()) {
          readHead(s);
          s.getOutputStream().write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
              .getBytes(StandardCharsets.ISO_8859_1));
          s.getOutputStream().flush();
          Thread.sleep(500);
        } catch (IOException | InterruptedException e) {
          // test over
        }
      });
      t.setDaemon(true);
      t.start();
      try (SocketLookupClient client = new SocketLookupClient("127.0.0.1", "127.0.0.1", ss.getLocalPort(),
          Duration.ofSeconds(5))) {
        assertThatThrownBy(() -> client.get("/a", null)).isInstanceOf(IOException.class)
            .hasMessageContaining("chunked");
      }
    }
  }

  private static void readHead(Socket s) throws IOException {
    var in = s.getInputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed");
      }
      matched = c == end[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
    }
  }
}
