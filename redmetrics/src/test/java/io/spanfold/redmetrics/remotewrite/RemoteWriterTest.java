package io.spanfold.redmetrics.remotewrite;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.Collector;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xerial.snappy.Snappy;

class RemoteWriterTest {

  /** One counter sample per collection. */
  static Collector sampleCollector() {
    return new Collector() {
      @Override
      public List<MetricFamilySamples> collect() {
        return List.of(new MetricFamilySamples("demo_requests", Type.COUNTER, "demo",
            List.of(new MetricFamilySamples.Sample("demo_requests_total", List.of("path"), List.of("/a"), 3))));
      }
    };
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Label pairs of the first TimeSeries of a WriteRequest, decoded with protobuf's reader. */
  static List<String> firstSeriesLabels(byte[] req) throws Exception {
    CodedInputStream in = CodedInputStream.newInstance(req);
    List<String> out = new ArrayList<>();
    int tag = in.readTag();
    assertThat(tag >>> 3).isEqualTo(RemoteWriteDescriptor.WRITE_REQUEST_TIMESERIES);
    CodedInputStream ts = CodedInputStream.newInstance(in.readByteArray());
    while (!ts.isAtEnd()) {
      int t = ts.readTag();
      if (t >>> 3 == RemoteWriteDescriptor.TIMESERIES_LABELS) {
        CodedInputStream l = CodedInputStream.newInstance(ts.readByteArray());
        l.readTag();
        String name = l.readString();
        l.readTag();
        out.add(name + "=" + l.readString());
      } else if (t >>> 3 == RemoteWriteDescriptor.TIMESERIES_SAMPLES) {
        CodedInputStream s = CodedInputStream.newInstance(ts.readByteArray());
        s.readTag();
        out.add("value=" + s.readDouble());
        s.readTag();
        out.add("ts=" + s.readInt64());
      } else {
        ts.skipField(t);
      }
    }
    return out;
  }

  @Test
  @Timeout(60)
  void survivesReceiverDownThenDelivers() throws Exception {
    int port = freePort();
    List<byte[]> bodies = new CopyOnWriteArrayList<>();
    List<String> headers = new CopyOnWriteArrayList<>();
    RemoteWriter w =
        RemoteWriter.builder()
            .url("http://127.0.0.1:" + port + "/api/v1/write")
            .collector(sampleCollector())
            .externalLabel("cluster", "c1")
            .instanceLabel(false)
            .bearerToken("s3cret")
            .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
            .timeout(Duration.ofSeconds(2))
            .interval(Duration.ofHours(1))
            .build()
            .start();
    try {
      w.collectNow(); // receiver is down: connection refused, retried
      Thread.sleep(700);
      assertThat(w.samplesRetried()).isPositive();
      assertThat(w.samplesSent()).isZero();
      assertThat(w.samplesPending()).isEqualTo(1);
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
      server.createContext(
          "/api/v1/write",
          ex -> {
            bodies.add(Snappy.uncompress(ex.getRequestBody().readAllBytes()));
            headers.add(ex.getRequestHeaders().getFirst("Content-Encoding") + "|"
                + ex.getRequestHeaders().getFirst("Content-Type") + "|"
                + ex.getRequestHeaders().getFirst("X-Prometheus-Remote-Write-Version") + "|"
                + ex.getRequestHeaders().getFirst("Authorization"));
            ex.sendResponseHeaders(204, -1);
            ex.close();
          });
      server.start();
      try {
        assertThat(w.awaitEmpty(Duration.ofSeconds(10))).isTrue();
      } finally {
        server.stop(0);
      }
      assertThat(w.samplesSent()).isEqualTo(1);
      assertThat(w.samplesFailed()).isZero();
      assertThat(headers).containsExactly("snappy|application/x-protobuf|0.1.0|Bearer s3cret");
      List<String> labels = firstSeriesLabels(bodies.get(0));
      assertThat(labels.subList(0, 3)).containsExactly("__name__=demo_requests_total", "cluster=c1", "path=/a");
      assertThat(labels.get(3)).isEqualTo("value=3.0");
    } finally {
      w.close();
    }
  }

  @Test
  @Timeout(60)
  void badRequestIsDroppedAndCountedWithoutRetry() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          calls.incrementAndGet();
          byte[] msg = "out of order sample".getBytes();
          ex.sendResponseHeaders(400, msg.length);
          ex.getResponseBody().write(msg);
          ex.close();
        });
    server.start();
    RemoteWriter w =
        RemoteWriter.builder()
            .url("http://127.0.0.1:" + server.getAddress().getPort() + "/")
            .collector(sampleCollector())
            .backoff(Duration.ofMillis(10), Duration.ofMillis(20))
            .interval(Duration.ofHours(1))
            .build()
            .start();
    try {
      w.collectNow();
      w.collectNow();
      assertThat(w.awaitEmpty(Duration.ofSeconds(10))).isTrue();
      Thread.sleep(200); // a retry would happen within 10-20 ms
      assertThat(calls.get()).isEqualTo(2);
      assertThat(w.samplesFailed()).isEqualTo(2);
      assertThat(w.samplesRetried()).isZero();
      assertThat(w.samplesSent()).isZero();
    } finally {
      w.close();
      server.stop(0);
    }
  }

  @Test
  @Timeout(60)
  void serverErrorsAreRetriedUntilSuccess() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          int n = calls.incrementAndGet();
          ex.sendResponseHeaders(n <= 2 ? 503 : (n == 3 ? 429 : 200), -1);
          ex.close();
        });
    server.start();
    RemoteWriter w =
        RemoteWriter.builder()
            .url("http://127.0.0.1:" + server.getAddress().getPort() + "/")
            .collector(sampleCollector())
            .backoff(Duration.ofMillis(10), Duration.ofMillis(40))
            .interval(Duration.ofHours(1))
            .build()
            .start();
    try {
      w.collectNow();
      assertThat(w.awaitEmpty(Duration.ofSeconds(10))).isTrue();
      assertThat(calls.get()).isEqualTo(4);
      assertThat(w.samplesRetried()).isEqualTo(3);
      assertThat(w.samplesSent()).isEqualTo(1);
    } finally {
      w.close();
      server.stop(0);
    }
  }
}
