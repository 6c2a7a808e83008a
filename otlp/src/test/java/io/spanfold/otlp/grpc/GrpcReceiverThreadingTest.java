package io.spanfold.otlp.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.spanfold.core.ingest.IngestLimiter;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.otlp.TestRequests;
import io.spanfold.otlp.guard.IngestGuard;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where the receiver's work runs: grpc's callbacks on the transport thread, decode and ingest on the worker pool (one
 * hand-off per call), and what that means for slow ingest, cancelled calls' memory reservations and a refused
 * hand-off.
 */
@Timeout(60)
class GrpcReceiverThreadingTest {
  private final List<String> ingestThreads = new CopyOnWriteArrayList<>();
  private final CountDownLatch entered = new CountDownLatch(1);
  private volatile CountDownLatch hold;
  private OtlpGrpcReceiver receiver;
  private Server server;
  private ManagedChannel channel;

  private SpanIngest ingest() {
    return SpanIngest.builder().consumer(b -> {
      ingestThreads.add(Thread.currentThread().getName());
      CountDownLatch h = hold;
      if (h != null) {
        entered.countDown();
        try {
          h.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }).build();
  }

  private void start(IngestGuard guard) throws Exception {
    receiver = OtlpGrpcReceiver.builder().ingest(ingest()).host("127.0.0.1").port(0).guard(guard).workerThreads(2)
        .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", receiver.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    if (hold != null) {
      hold.countDown();
    }
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (receiver != null) {
      receiver.close();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private byte[] export(byte[] request, long timeoutMillis) {
    return ClientCalls.blockingUnaryCall(channel, OtlpGrpcReceiver.EXPORT,
        CallOptions.DEFAULT.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS), request);
  }

  @Test
  void decodeAndIngestRunOnTheWorkerPool() throws Exception {
    start(IngestGuard.NONE);
    for (int i = 0; i < 3; i++) {
      assertThat(export(TestRequests.valid(3), 10_000)).isEmpty();
    }
    assertThat(ingestThreads).hasSize(3).allSatisfy(name -> assertThat(name).startsWith("otlp-grpc-worker-"));
  }

  @Test
  void aSlowIngestDoesNotHoldUpTheConnection() throws Exception {
    start(IngestGuard.NONE);
    hold = new CountDownLatch(1);
    CompletableFuture<byte[]> first = CompletableFuture.supplyAsync(() -> export(TestRequests.valid(2), 20_000));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    CountDownLatch firstHold = hold;
    hold = null;

    // Same channel, so same connection and event loop: it must still read, hand off and answer this call.
    assertThat(export(TestRequests.valid(2), 10_000)).isEmpty();
    assertThat(first).isNotDone();

    firstHold.countDown();
    assertThat(first.get(20, TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  void aCancelledCallKeepsItsReservationUntilIngestIsDoneWithTheBytes() throws Exception {
    byte[] body = TestRequests.valid(50);
    IngestLimiter budget = IngestLimiter.ofBytes(body.length + body.length / 2);
    start(IngestGuard.builder().memoryBudget(budget).build());
    hold = new CountDownLatch(1);

    StatusRuntimeException cancelled = catchThrowableOfType(StatusRuntimeException.class, () -> export(body, 1_000));
    assertThat(cancelled.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    // The worker still reads the bytes: they stay reserved, so the budget still refuses a second body.
    assertThat(budget.inUse()).isEqualTo(body.length);
    StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class, () -> export(body, 10_000));
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

    hold.countDown();
    hold = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (budget.inUse() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(budget.inUse()).isZero();
    assertThat(export(body, 10_000)).isEmpty();
    assertThat(budget.inUse()).isZero();
  }

  @Test
  void aRefusedHandOffIsUnavailableAndReleasesTheReservation() throws Exception {
    IngestLimiter budget = IngestLimiter.ofBytes(1 << 20);
    IngestGuard guard = IngestGuard.builder().memoryBudget(budget).build();
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
        .addService(OtlpGrpcReceiver.service(ingest(), guard, task -> {
          throw new RejectedExecutionException("saturated");
        }))
        .build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();

    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> export(TestRequests.valid(5), 10_000));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(ingestThreads).isEmpty();
    assertThat(budget.inUse()).isZero();
  }

  @Test
  void messageStreamsHaveAKnownLengthAndDrainInOneWrite() throws Exception {
    byte[] bytes = TestRequests.valid(4);
    OtlpGrpcReceiver.BytesStream s = new OtlpGrpcReceiver.BytesStream(bytes);
    assertThat(s.available()).isEqualTo(bytes.length);
    int[] writes = {0};
    ByteArrayOutputStream out = new ByteArrayOutputStream() {
      @Override
      public synchronized void write(byte[] b, int off, int len) {
        writes[0]++;
        super.write(b, off, len);
      }
    };
    assertThat(s.drainTo(out)).isEqualTo(bytes.length);
    assertThat(out.toByteArray()).isEqualTo(bytes);
    assertThat(writes[0]).isEqualTo(1);
    assertThat(s.available()).isZero();
    assertThat(s.read()).isEqualTo(-1);
  }
}
