package io.spanfold.bench.load;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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

  /**
   * Passes message bytes through untouched. The request stream has a known length and is drainable, so grpc's framer
   * copies it once into one buffer of the right size, as a generated message's stream does; a plain
   * ByteArrayInputStream would be copied through a scratch array into a chain of growing buffers.
   */
  static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new BytesStream(value);
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

  /** A byte array as grpc's framer wants it: known length, drained with one bulk write. */
  static final class BytesStream extends ByteArrayInputStream implements KnownLength, Drainable {
    BytesStream(byte[] bytes) {
      super(bytes);
    }

    @Override
    public synchronized int drainTo(OutputStream target) throws IOException {
      int n = count - pos;
      target.write(buf, pos, n);
      pos = count;
      return n;
    }
  }

  private final ManagedChannel[] channels;
  /** Each channel's own one-thread event loop: its connection's I/O, its calls' deadline timers and their starts. */
  private final EventLoopGroup[] loops;
  private final AtomicLong next = new AtomicLong();
  private final CallOptions options;
  private final long timeoutNanos;

  GrpcTransport(String host, int port, int connections, boolean gzip, Duration timeout) {
    channels = new ManagedChannel[connections];
    loops = new EventLoopGroup[connections];
    for (int i = 0; i < connections; i++) {
      // One loop per channel rather than grpc's shared group: grpc schedules each call's deadline timer on the
      // channel's group, so with a shared group of 2 x cores loops the timers land on loops that do nothing else and
      // every call wakes one of them twice (schedule, cancel).
      loops[i] = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("loadgen-grpc-" + i, true),
          NioIoHandler.newFactory());
      channels[i] = NettyChannelBuilder.forAddress(host, port)
          .eventLoopGroup(loops[i])
          .channelType(NioSocketChannel.class)
          .usePlaintext()
          .directExecutor() // completions only count and release a permit
          // No retries: the generator counts every failure itself, and a retriable call keeps a copy of its request
          // and runs through grpc's replay machinery (RetriableStream) for nothing.
          .disableRetry()
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
    int i = (int) (next.getAndIncrement() % channels.length);
    ManagedChannel channel = channels[i];
    // The call starts on the channel's event loop, as NettyHttpTransport's requests do: its stream creation, message,
    // half-close and deadline timer are then queued without waking any thread, and the sender pays one hand-off.
    loops[i].execute(() -> {
      try {
        start(channel, body, completion);
      } catch (RuntimeException e) {
        completion.done(Outcome.ERROR, e.getClass().getSimpleName(), 0);
      }
    });
  }

  private void start(ManagedChannel channel, byte[] body, Completion completion) {
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
    for (EventLoopGroup g : loops) {
      g.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }
}
