package io.spanfold.otlp.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.RetryInfo;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.spanfold.core.ingest.IngestLimiter;
import io.spanfold.core.ingest.IngestRateLimiter;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.otlp.TestRequests;
import io.spanfold.otlp.guard.Authenticator;
import io.spanfold.otlp.guard.IngestGuard;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gRPC receiver with credentials, tenants, a memory budget and a rate limit, driven by a raw-bytes client. */
@Timeout(60)
class GuardedGrpcReceiverTest {
  private final List<String> tenants = new ArrayList<>();
  private final CountDownLatch entered = new CountDownLatch(1);
  private volatile CountDownLatch hold;
  private OtlpGrpcReceiver receiver;
  private ManagedChannel channel;

  private void start(IngestGuard guard) throws Exception {
    SpanIngest ingest = SpanIngest.builder().consumer(b -> {
      synchronized (tenants) {
        tenants.add(b.tenant());
      }
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
    receiver = OtlpGrpcReceiver.builder().ingest(ingest).host("127.0.0.1").port(0).guard(guard).start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", receiver.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    if (hold != null) {
      hold.countDown();
    }
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    receiver.close();
  }

  private byte[] export(byte[] request, String... headers) {
    Metadata md = new Metadata();
    for (int i = 0; i < headers.length; i += 2) {
      md.put(Metadata.Key.of(headers[i], Metadata.ASCII_STRING_MARSHALLER), headers[i + 1]);
    }
    return ClientCalls.blockingUnaryCall(
        io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md)),
        OtlpGrpcReceiver.EXPORT, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), request);
  }

  private StatusRuntimeException refused(byte[] request, String... headers) {
    return catchThrowableOfType(StatusRuntimeException.class, () -> export(request, headers));
  }

  @Test
  void credentialsAndTenant() throws Exception {
    start(IngestGuard.builder().authenticator(Authenticator.bearerToken("tok")).multitenancy(true).build());
    byte[] body = TestRequests.valid(2);
    assertThat(refused(body).getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(refused(body, "authorization", "Bearer bad").getStatus().getCode())
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    StatusRuntimeException noOrg = refused(body, "authorization", "Bearer tok");
    assertThat(noOrg.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(noOrg.getStatus().getDescription()).isEqualTo("no org id");
    assertThat(export(body, "authorization", "Bearer tok", "x-scope-orgid", "team-b")).isEmpty();
    assertThat(tenants).containsExactly("team-b");
  }

  @Test
  void memoryBudgetGivesResourceExhaustedWithRetryInfo() throws Exception {
    byte[] body = TestRequests.valid(50);
    IngestLimiter budget = IngestLimiter.ofBytes(body.length + body.length / 2);
    start(IngestGuard.builder().memoryBudget(budget).retryAfterSeconds(3).build());
    hold = new CountDownLatch(1);
    CompletableFuture<byte[]> first = CompletableFuture.supplyAsync(() -> export(body));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    StatusRuntimeException e = refused(body);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    assertThat(details).isNotNull();
    RetryInfo retry = details.getDetails(0).unpack(RetryInfo.class);
    assertThat(retry.getRetryDelay().getSeconds()).isEqualTo(3);

    hold.countDown();
    hold = null;
    assertThat(first.get(20, TimeUnit.SECONDS)).isEmpty();
    assertThat(export(body)).isEmpty();
    assertThat(budget.inUse()).isZero();
  }

  @Test
  void rateLimitGivesTempoMessage() throws Exception {
    byte[] body = TestRequests.valid(20);
    start(IngestGuard.builder()
        .rateLimiter(IngestRateLimiter.builder().bytesPerSecond(1).burstBytes(body.length).build()).build());
    assertThat(export(body)).isEmpty();
    StatusRuntimeException e = refused(body);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription()).startsWith("RATE_LIMITED: ingestion rate limit (local: 1 bytes/s");
  }
}
