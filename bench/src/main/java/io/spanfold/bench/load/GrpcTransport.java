package io.spanfold.bench.load;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * OTLP/gRPC: unary {@code opentelemetry.proto.collector.trace.v1.TraceService/Export} calls with raw byte[] messages
 * (no generated stubs), spread round-robin over {@code connections} plaintext HTTP/2 channels.
 */
final class GrpcTransport implements Transport {
  static final String EXPORT = "opentelemetry.proto.collector.trace.v1.TraceService/Export";

  /** Passes message bytes through untouched. */
  static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  static final MethodDescriptor<byte[], byte[]> METHOD = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(EXPORT)
      .setRequestMarshaller(RAW)
      .setResponseMarshaller(RAW)
      .build();

  private final ManagedChannel[] channels;
  private final AtomicLong next = new AtomicLong();
  private final CallOptions options;
  private final long timeoutNanos;

  GrpcTransport(String host, int port, int connections, boolean gzip, Duration timeout) {
    channels = new ManagedChannel[connections];
    for (int i = 0; i < connections; i++) {
      channels[i] = NettyChannelBuilder.forAddress(host, port)
          .usePlaintext()
          .directExecutor() // completions only count and release a permit
          .maxInboundMessageSize(4 * 1024 * 1024)
          .build();
    }
    CallOptions o = CallOptions.DEFAULT;
    if (gzip) {
      o = o.withCompression("gzip");
    }
    this.options = o;
    this.timeoutNanos = timeout.toNanos();
  }

  @Override
  public void send(byte[] body, Completion completion) {
    ManagedChannel channel = channels[(int) (next.getAndIncrement() % channels.length)];
    CallOptions o = options.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
    ClientCalls.asyncUnaryCall(channel.newCall(METHOD, o), body, new StreamObserver<>() {
      private byte[] response;

      @Override
      public void onNext(byte[] value) {
        response = value;
      }

      @Override
      public void onError(Throwable t) {
        Status status = Status.fromThrowable(t);
        completion.done(outcome(status.getCode()), "grpc " + status.getCode(), 0);
      }

      @Override
      public void onCompleted() {
        completion.done(Outcome.OK, "grpc OK", rejected(response));
      }
    });
  }

  static Outcome outcome(Status.Code code) {
    switch (code) {
      case OK:
        return Outcome.OK;
      case RESOURCE_EXHAUSTED:
        return Outcome.RATE_LIMITED;
      case UNAVAILABLE:
        return Outcome.UNAVAILABLE;
      case INVALID_ARGUMENT:
      case UNIMPLEMENTED:
      case PERMISSION_DENIED:
      case UNAUTHENTICATED:
      case NOT_FOUND:
      case FAILED_PRECONDITION:
      case OUT_OF_RANGE:
        return Outcome.CLIENT_ERROR;
      case DEADLINE_EXCEEDED:
      case CANCELLED:
        return Outcome.ERROR;
      default:
        return Outcome.OTHER_STATUS;
    }
  }

  private static long rejected(byte[] response) {
    if (response == null || response.length == 0) {
      return 0;
    }
    try {
      return ExportTraceServiceResponse.parseFrom(response).getPartialSuccess().getRejectedSpans();
    } catch (InvalidProtocolBufferException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
