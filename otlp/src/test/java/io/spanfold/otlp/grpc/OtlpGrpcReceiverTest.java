package io.spanfold.otlp.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.otlp.CapturingConsumer;
import io.spanfold.otlp.TestRequests;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gRPC receiver's answers, driven by a raw-bytes grpc-java client (so any bytes can be sent). */
@Timeout(60)
class OtlpGrpcReceiverTest {
  private final CapturingConsumer consumer = new CapturingConsumer();
  private OtlpGrpcReceiver receiver;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    receiver = OtlpGrpcReceiver.builder()
        .ingest(SpanIngest.builder().consumer(consumer).build())
        .host("127.0.0.1").port(0)
        .maxInboundMessageBytes(64 * 1024)
        .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", receiver.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    receiver.close();
  }

  private byte[] export(byte[] request, CallOptions options) {
    return ClientCalls.blockingUnaryCall(channel, OtlpGrpcReceiver.EXPORT,
        options.withDeadlineAfter(10, TimeUnit.SECONDS), request);
  }

  @Test
  void acceptedRequestGetsAnEmptyResponse() {
    byte[] response = export(TestRequests.valid(5), CallOptions.DEFAULT);

    assertThat(response).isEmpty();
    assertThat(consumer.spans()).hasSize(5);
    assertThat(receiver.localAddress().getPort()).isEqualTo(receiver.port());
  }

  @Test
  void gzipCompressedRequestsWork() {
    byte[] response = export(TestRequests.valid(50), CallOptions.DEFAULT.withCompression("gzip"));

    assertThat(response).isEmpty();
    assertThat(consumer.spans()).hasSize(50);
  }

  @Test
  void zeroSpansSucceed() {
    assertThat(export(new byte[0], CallOptions.DEFAULT)).isEmpty();
    assertThat(consumer.spans()).isEmpty();
  }

  @Test
  void rejectedSpansGivePartialSuccess() throws Exception {
    ExportTraceServiceResponse r =
        ExportTraceServiceResponse.parseFrom(export(TestRequests.partlyInvalid(), CallOptions.DEFAULT));

    assertThat(r.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(r.getPartialSuccess().getErrorMessage()).startsWith("1 of 3 spans rejected").contains("invalid_trace_id");
    assertThat(consumer.spans()).hasSize(2);
  }

  @Test
  void undecodableRequestIsInvalidArgumentWithTheDecoderMessage() {
    assertThatThrownBy(() -> export(new byte[] {0x0a, 100, 1, 2}, CallOptions.DEFAULT))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).isNotBlank();
        });
    assertThat(consumer.spans()).isEmpty();
  }

  @Test
  void tooLargeMessageIsResourceExhausted() {
    byte[] big = TestRequests.valid(2000);
    assertThat(big.length).isGreaterThan(64 * 1024);

    assertThatThrownBy(() -> export(big, CallOptions.DEFAULT))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    assertThat(consumer.spans()).isEmpty();
    // The connection and the receiver keep working.
    assertThat(export(TestRequests.valid(1), CallOptions.DEFAULT)).isEmpty();
  }

  @Test
  void ingestFailureIsUnavailable() {
    consumer.failWith(new IllegalStateException("disk full"));

    assertThatThrownBy(() -> export(TestRequests.valid(1), CallOptions.DEFAULT))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).isEqualTo("ingest failed: disk full");
        });
  }

  @Test
  void builderNamesTheBadField() {
    assertThatThrownBy(() -> OtlpGrpcReceiver.builder().start()).hasMessageContaining("ingest");
    assertThatThrownBy(() -> OtlpGrpcReceiver.builder().maxInboundMessageBytes(0))
        .hasMessageContaining("maxInboundMessageBytes");
    assertThatThrownBy(() -> OtlpGrpcReceiver.builder().port(-1)).hasMessageContaining("port");
  }
}
