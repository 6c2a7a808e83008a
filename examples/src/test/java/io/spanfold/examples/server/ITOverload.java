package io.spanfold.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real server jar (-Xmx256m) under more load than its memory budget admits, and on a full disk. */
@Timeout(300)
class ITOverload {
  private static final int SPANS_PER_REQUEST = 100;
  private static final int PAD_BYTES = 1000;

  @TempDir Path dir;

  private static HttpClient newClient() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static HttpResponse<String> post(HttpClient c, String url, byte[] body) throws Exception {
    return c.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-protobuf")
        .timeout(Duration.ofSeconds(30)).POST(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(HttpClient c, String url) throws Exception {
    return c.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        BodyHandlers.ofString());
  }

  @Test
  void overloadGets429sNoOomAndEveryAcknowledgedSpanIsReadable() throws Exception {
    // ~110 KB requests from 32 senders: up to ~3.5 MB wanted in flight against a 1.5 MB budget.
    try (ServerProcess server = ServerProcess.start(dir.resolve("data"),
        "--ingestion.memory-budget-bytes=1500000", "--ingestion.retry-after-seconds=2")) {
      String url = server.otlpHttpUrl("/v1/traces");
      List<byte[]> acknowledged = Collections.synchronizedList(new ArrayList<>());
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger tooMany = new AtomicInteger();
      AtomicInteger other = new AtomicInteger();
      List<String> otherAnswers = Collections.synchronizedList(new ArrayList<>());
      int senders = 32;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      ExecutorService pool = Executors.newFixedThreadPool(senders + 8);
      List<Future<?>> futures = new ArrayList<>();
      AtomicInteger grpcOk = new AtomicInteger();
      AtomicInteger grpcExhausted = new AtomicInteger();
      io.grpc.ManagedChannel channel = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort)
          .usePlaintext().build();
      for (int t = 0; t < 8; t++) {
        futures.add(pool.submit(() -> {
          while (System.nanoTime() < until) {
            byte[] traceId = new byte[16];
            byte[] body = GuardTestSupport.request(SPANS_PER_REQUEST, PAD_BYTES, traceId);
            try {
              io.grpc.stub.ClientCalls.blockingUnaryCall(channel, io.spanfold.otlp.grpc.OtlpGrpcReceiver.EXPORT,
                  io.grpc.CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), body);
              grpcOk.incrementAndGet();
              acknowledged.add(traceId);
            } catch (io.grpc.StatusRuntimeException e) {
              if (e.getStatus().getCode() == io.grpc.Status.Code.RESOURCE_EXHAUSTED) {
                grpcExhausted.incrementAndGet();
                assertThat(io.grpc.protobuf.StatusProto.fromThrowable(e).getDetailsCount()).isEqualTo(1);
              } else {
                other.incrementAndGet();
                otherAnswers.add(e.toString());
              }
            }
          }
          return null;
        }));
      }
      for (int t = 0; t < senders; t++) {
        futures.add(pool.submit(() -> {
          HttpClient c = newClient();
          while (System.nanoTime() < until) {
            byte[] traceId = new byte[16];
            byte[] body = GuardTestSupport.request(SPANS_PER_REQUEST, PAD_BYTES, traceId);
            try {
              HttpResponse<String> r = post(c, url, body);
              if (r.statusCode() == 200) {
                ok.incrementAndGet();
                acknowledged.add(traceId);
              } else if (r.statusCode() == 429) {
                tooMany.incrementAndGet();
                assertThat(r.headers().firstValue("Retry-After")).hasValue("2");
              } else {
                other.incrementAndGet();
                otherAnswers.add(r.statusCode() + " " + r.body());
              }
            } catch (Exception e) {
              other.incrementAndGet();
              otherAnswers.add(e.toString());
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      System.out.printf("overload: http %d x 200, %d x 429; grpc %d ok, %d RESOURCE_EXHAUSTED; %d other%n", ok.get(),
          tooMany.get(), grpcOk.get(), grpcExhausted.get(), other.get());
      assertThat(grpcOk.get()).as("gRPC requests taken under overload").isPositive();
      assertThat(tooMany.get()).as("429s under overload").isPositive();
      assertThat(ok.get()).as("requests taken under overload").isPositive();
      assertThat(other.get()).as("answers other than 200/429: %s", otherAnswers).isZero();
      assertThat(server.process.isAlive()).isTrue();

      // Back to full speed: sequential requests all pass, quickly.
      HttpClient c = newClient();
      for (int i = 0; i < 20; i++) {
        byte[] traceId = new byte[16];
        long t0 = System.nanoTime();
        HttpResponse<String> r = post(c, url, GuardTestSupport.request(SPANS_PER_REQUEST, PAD_BYTES, traceId));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(2));
        acknowledged.add(traceId);
      }

      // Every span that got a 200 is readable.
      for (byte[] traceId : acknowledged) {
        HttpResponse<String> r = get(c, server.httpUrl("/api/v2/traces/" + GuardTestSupport.hex(traceId)));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(GuardTestSupport.countSpans(r.body())).as("spans of %s", GuardTestSupport.hex(traceId))
            .isEqualTo(SPANS_PER_REQUEST);
      }
      String metrics = get(c, server.httpUrl("/metrics")).body();
      assertThat(metrics).contains("spanfold_ingest_requests_rejected_total{reason=\"memory_budget\"");
      server.stop();
      assertThat(server.output()).doesNotContain("OutOfMemoryError");
    }
  }

  @Test
  void fullDiskAnswers503KeepsWhatWasAcknowledgedAndRecoversByItself() throws Exception {
    Path mnt = Files.createDirectories(dir.resolve("small-fs"));
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt.toString())
        .redirectErrorStream(true).start();
    String mountOut = new String(mount.getInputStream().readAllBytes());
    assertThat(mount.waitFor()).as("this test mounts a 16 MB tmpfs and needs root: %s", mountOut).isZero();
    try (ServerProcess server = ServerProcess.start(mnt.resolve("data"))) {
      String url = server.otlpHttpUrl("/v1/traces");
      HttpClient c = newClient();
      List<byte[]> acknowledged = new ArrayList<>();
      byte[] first = new byte[16];
      assertThat(post(c, url, GuardTestSupport.request(10, 100, first)).statusCode()).isEqualTo(200);
      acknowledged.add(first);

      // Fill the disk.
      Path filler = mnt.resolve("filler");
      AtomicLong filled = new AtomicLong();
      try (OutputStream out = Files.newOutputStream(filler)) {
        byte[] chunk = new byte[64 * 1024];
        while (true) {
          out.write(chunk);
          filled.addAndGet(chunk.length);
        }
      } catch (IOException expected) {
        // ENOSPC
      }
      assertThat(filled.get()).isPositive();

      // Ingest until the store cannot grow its span log: 503, and nothing acknowledged is lost.
      int unavailable = 0;
      for (int i = 0; i < 200 && unavailable == 0; i++) {
        byte[] traceId = new byte[16];
        HttpResponse<String> r = post(c, url, GuardTestSupport.request(SPANS_PER_REQUEST, PAD_BYTES, traceId));
        if (r.statusCode() == 200) {
          acknowledged.add(traceId);
        } else {
          assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
          unavailable++;
        }
      }
      assertThat(unavailable).as("a full disk must give 503").isPositive();
      // Still full: still 503 (gRPC: UNAVAILABLE), and queries keep working.
      assertThat(post(c, url, GuardTestSupport.request(SPANS_PER_REQUEST, PAD_BYTES, new byte[16])).statusCode())
          .isEqualTo(503);
      io.grpc.ManagedChannel channel = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort)
          .usePlaintext().build();
      try {
        io.grpc.StatusRuntimeException e = org.assertj.core.api.Assertions.catchThrowableOfType(
            io.grpc.StatusRuntimeException.class, () -> io.grpc.stub.ClientCalls.blockingUnaryCall(channel,
                io.spanfold.otlp.grpc.OtlpGrpcReceiver.EXPORT,
                io.grpc.CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                GuardTestSupport.request(SPANS_PER_REQUEST, PAD_BYTES, new byte[16])));
        assertThat(e).isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      for (byte[] traceId : acknowledged) {
        HttpResponse<String> r = get(c, server.httpUrl("/api/v2/traces/" + GuardTestSupport.hex(traceId)));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(GuardTestSupport.countSpans(r.body())).isPositive();
      }
      assertThat(get(c, server.httpUrl("/ready")).statusCode()).isEqualTo(200);

      // Space comes back: ingest recovers without a restart.
      Files.delete(filler);
      byte[] after = new byte[16];
      assertThat(post(c, url, GuardTestSupport.request(SPANS_PER_REQUEST, PAD_BYTES, after)).statusCode())
          .isEqualTo(200);
      HttpResponse<String> r = get(c, server.httpUrl("/api/v2/traces/" + GuardTestSupport.hex(after)));
      assertThat(GuardTestSupport.countSpans(r.body())).isEqualTo(SPANS_PER_REQUEST);
      assertThat(server.stop()).isEqualTo(143);
    } finally {
      new ProcessBuilder("umount", "-l", mnt.toString()).inheritIO().start().waitFor();
    }
  }
}
