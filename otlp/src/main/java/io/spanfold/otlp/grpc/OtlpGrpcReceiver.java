package io.spanfold.otlp.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Drainable;
import io.grpc.ForwardingServerCallListener;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.spanfold.core.ingest.IngestResult;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.MalformedRequestException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.spanfold.otlp.guard.IngestGuard;
import io.spanfold.otlp.internal.DecodeScratch;
import io.spanfold.otlp.internal.ExportResponses;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The OTLP/gRPC trace receiver: {@code opentelemetry.proto.collector.trace.v1.TraceService/Export} on grpc-java.
 *
 * <p>The method is registered with a byte-array marshaller (no generated stubs, as Zipkin's raw gRPC collector does),
 * so a request's bytes go straight to {@link io.spanfold.core.wire.OtlpProtoDecoder} instead of becoming a tree of
 * generated messages. gzip-compressed messages work through grpc-java's default decompressor registry.
 *
 * <p>Answers: {@code ExportTraceServiceResponse}, with {@code partial_success} only when ingest dropped invalid spans;
 * an undecodable request gets {@code INVALID_ARGUMENT} with the decoder's message; a message over the size limit
 * {@code RESOURCE_EXHAUSTED} (from grpc-java); an ingest failure (a consumer threw) {@code UNAVAILABLE}, which OTLP
 * clients retry.
 *
 * <p>grpc-java's callbacks run on the Netty event loop (direct executor); each call's decode and ingest run on a fixed
 * pool of worker threads, each with its own decoder and batch, and the worker sends the answer. At most
 * {@code maxConcurrentCallsPerConnection} calls per connection are in flight, the rest wait in HTTP/2 flow control.
 * Thread-safe. Embedders with their own gRPC server can mount {@link #service(SpanIngest, IngestGuard, Executor)} (or
 * {@link #service(SpanIngest)}, which decodes on the thread that runs grpc's callbacks) instead.
 */
public final class OtlpGrpcReceiver implements Closeable {
  /** The gRPC service name of OTLP traces. */
  public static final String SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService";

  private static final System.Logger LOG = System.getLogger(OtlpGrpcReceiver.class.getName());

  private final Server server;
  private final ExecutorService executor;
  private final EventLoopGroup ioGroup;
  private final Duration shutdownTimeout;

  private OtlpGrpcReceiver(Builder b) throws IOException {
    this.shutdownTimeout = b.shutdownTimeout;
    this.executor = Executors.newFixedThreadPool(b.workerThreads, daemonThreads("otlp-grpc-worker"));
    // The receiver's own event loops (accepting and serving connections) instead of grpc's shared group of
    // 2 x cores threads: decode and ingest are on the workers, so few loops suffice (see Builder#ioThreads).
    this.ioGroup = new MultiThreadIoEventLoopGroup(b.ioThreads, new DefaultThreadFactory("otlp-grpc-io", true),
        NioIoHandler.newFactory());
    NettyServerBuilder nb = NettyServerBuilder.forAddress(new InetSocketAddress(b.host, b.port))
        .bossEventLoopGroup(ioGroup)
        .workerEventLoopGroup(ioGroup)
        .channelType(NioServerSocketChannel.class)
        .maxInboundMessageSize(b.maxInboundMessageBytes)
        .maxConcurrentCallsPerConnection(b.maxConcurrentCallsPerConnection)
        // grpc's own callbacks (headers, message, half-close, completion) stay on the event loop: they are short, and
        // running each on a pool costs a thread hand-off (an unpark, often a context switch) apiece, several per call.
        // Only decode and ingest, the call's real work, go to the pool: one hand-off per call, as in the HTTP receiver.
        .directExecutor()
        .addService(service(b.ingest, b.guard, executor));
    if (b.sslContext != null) {
      nb.sslContext(b.sslContext);
    }
    Server s = nb.build();
    try {
      this.server = s.start();
    } catch (IOException e) {
      executor.shutdownNow();
      ioGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IOException("cannot bind otlp-grpc to " + b.host + ":" + b.port + ": " + e.getMessage(), e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The Export method over raw bytes, ready to add to any grpc-java server; decoded with a per-thread decoder and
   * ingested by {@code ingest} on the thread that runs the server's callbacks (its executor).
   */
  public static ServerServiceDefinition service(SpanIngest ingest) {
    return service(ingest, IngestGuard.NONE, Runnable::run);
  }

  /**
   * The Export method guarded by {@code guard}: credentials and tenant are checked when the call's headers arrive
   * ({@code UNAUTHENTICATED}, {@code PERMISSION_DENIED}, {@code INVALID_ARGUMENT}), the message's bytes are reserved
   * against the memory budget before they are copied out of grpc's buffers ({@code RESOURCE_EXHAUSTED} with a
   * {@code google.rpc.RetryInfo} detail when they do not fit), and the tenant's rate limit applies after decoding.
   * Decode and ingest run on the thread that runs the server's callbacks.
   */
  public static ServerServiceDefinition service(SpanIngest ingest, IngestGuard guard) {
    return service(ingest, guard, Runnable::run);
  }

  /**
   * The guarded Export method (see {@link #service(SpanIngest, IngestGuard)}) whose decode and ingest run on
   * {@code work}, which also sends the answer: for a server built with {@code directExecutor()}, so that grpc's own
   * short callbacks stay on the transport thread and each call costs one hand-off to {@code work}. A call that
   * {@code work} refuses (it is shut down or saturated) is answered {@code UNAVAILABLE}, which clients retry.
   */
  public static ServerServiceDefinition service(SpanIngest ingest, IngestGuard guard, Executor work) {
    Objects.requireNonNull(ingest, "ingest");
    Objects.requireNonNull(guard, "guard");
    Objects.requireNonNull(work, "work");
    if (guard == IngestGuard.NONE) {
      return ServerServiceDefinition.builder(SERVICE)
          .addMethod(EXPORT, ServerCalls.asyncUnaryCall((request, observer) -> submit(work, observer, null,
              () -> export(ingest, request, observer))))
          .build();
    }
    MethodDescriptor<Request, byte[]> method = EXPORT.toBuilder(new BudgetedBytes(guard), RawBytes.INSTANCE).build();
    ServerServiceDefinition def = ServerServiceDefinition.builder(SERVICE)
        .addMethod(method, ServerCalls.asyncUnaryCall((request, observer) -> guardedExport(ingest, guard, work,
            request, observer)))
        .build();
    return ServerInterceptors.intercept(def, new GuardInterceptor(guard));
  }

  /** Runs {@code task} on {@code work}; when it is refused, runs {@code release} (if any) and answers UNAVAILABLE. */
  private static void submit(Executor work, StreamObserver<byte[]> observer, Runnable release, Runnable task) {
    try {
      work.execute(task);
    } catch (RejectedExecutionException e) {
      if (release != null) {
        release.run();
      }
      observer.onError(Status.UNAVAILABLE.withDescription("receiver is shutting down or overloaded")
          .asRuntimeException());
    }
  }

  private static final Context.Key<String> TENANT = Context.key("spanfold-tenant");

  private static void guardedExport(SpanIngest ingest, IngestGuard guard, Executor work, Request request,
      StreamObserver<byte[]> observer) {
    if (request.bytes == null) {
      observer.onError(resourceExhausted(guard, guard.overloadMessage()));
      return;
    }
    // Read here, on the callback thread, where the interceptor attached the call's context.
    String t = TENANT.get();
    String tenant = t == null ? SpanBatch.DEFAULT_TENANT : t;
    // From here the task owns the reservation (the interceptor no longer releases it when the call ends): the bytes
    // stay in use until decode and ingest are done with them, even if the client cancels meanwhile.
    request.handOff();
    submit(work, observer, () -> request.release(guard), () -> {
      try {
        export(ingest, request.bytes, observer, tenant, guard);
      } finally {
        request.release(guard);
      }
    });
  }

  private static io.grpc.StatusRuntimeException resourceExhausted(IngestGuard guard, String message) {
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.RESOURCE_EXHAUSTED.value())
        .setMessage(message)
        .addDetails(com.google.protobuf.Any.pack(com.google.rpc.RetryInfo.newBuilder()
            .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(guard.retryAfterSeconds()))
            .build()))
        .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  /** A received message with its memory-budget reservation; {@code bytes} is null when the budget refused it. */
  static final class Request {
    final byte[] bytes;
    private final long reserved;
    private final AtomicBoolean released = new AtomicBoolean();
    /** Set on the callback thread once a task owns the reservation; read there too (callbacks are serialized). */
    private boolean handedOff;

    Request(byte[] bytes, long reserved) {
      this.bytes = bytes;
      this.reserved = reserved;
    }

    void release(IngestGuard guard) {
      if (reserved > 0 && released.compareAndSet(false, true)) {
        guard.release(reserved);
      }
    }

    void handOff() {
      handedOff = true;
    }

    /** Releases the reservation unless a task owns it (that task releases it when done). */
    void releaseUnlessHandedOff(IngestGuard guard) {
      if (!handedOff) {
        release(guard);
      }
    }
  }

  /** Reserves a message's bytes before reading it; answers a refused message without copying it. */
  private static final class BudgetedBytes implements MethodDescriptor.Marshaller<Request> {
    private final IngestGuard guard;

    BudgetedBytes(IngestGuard guard) {
      this.guard = guard;
    }

    @Override
    public InputStream stream(Request value) {
      return new BytesStream(value.bytes);
    }

    @Override
    public Request parse(InputStream stream) {
      try {
        if (stream instanceof KnownLength) {
          int n = stream.available();
          if (!guard.reserve(n)) {
            return new Request(null, 0);
          }
          try {
            return new Request(RawBytes.INSTANCE.parse(stream), n);
          } catch (RuntimeException e) {
            guard.release(n);
            throw e;
          }
        }
        byte[] b = stream.readAllBytes();
        return guard.reserve(b.length) ? new Request(b, b.length) : new Request(null, 0);
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription("cannot read message: " + e.getMessage()).withCause(e)
            .asRuntimeException();
      }
    }
  }

  /** Checks credentials and tenant on the call's headers; releases reservations of calls that end early. */
  private static final class GuardInterceptor implements ServerInterceptor {
    private final IngestGuard guard;

    GuardInterceptor(IngestGuard guard) {
      this.guard = guard;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      IngestGuard.Verdict v = guard.admit(name -> headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER)));
      if (!v.ok()) {
        Status status;
        switch (v.kind()) {
          case UNAUTHENTICATED:
            status = Status.UNAUTHENTICATED;
            break;
          case PERMISSION_DENIED:
            status = Status.PERMISSION_DENIED;
            break;
          default:
            status = Status.INVALID_ARGUMENT;
        }
        call.close(status.withDescription(v.message()), new Metadata());
        return new ServerCall.Listener<Q>() {
          @Override
          public void onMessage(Q message) {
            if (message instanceof Request) {
              ((Request) message).release(guard);
            }
          }
        };
      }
      Context ctx = Context.current().withValue(TENANT, v.tenant());
      ServerCall.Listener<Q> delegate = Contexts.interceptCall(ctx, call, headers, next);
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<Q>(delegate) {
        private Request request;

        @Override
        public void onMessage(Q message) {
          if (message instanceof Request) {
            request = (Request) message;
          }
          super.onMessage(message);
        }

        @Override
        public void onCancel() {
          try {
            super.onCancel();
          } finally {
            releaseRequest();
          }
        }

        @Override
        public void onComplete() {
          try {
            super.onComplete();
          } finally {
            releaseRequest();
          }
        }

        private void releaseRequest() {
          if (request != null) {
            request.releaseUnlessHandedOff(guard);
          }
        }
      };
    }
  }

  /** The method descriptor of Export with raw-byte marshallers (clients in tests use it too). */
  public static final MethodDescriptor<byte[], byte[]> EXPORT =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Export"))
          .setRequestMarshaller(RawBytes.INSTANCE)
          .setResponseMarshaller(RawBytes.INSTANCE)
          .build();

  private static void export(SpanIngest ingest, byte[] request, StreamObserver<byte[]> observer) {
    export(ingest, request, observer, SpanBatch.DEFAULT_TENANT, IngestGuard.NONE);
  }

  private static void export(SpanIngest ingest, byte[] request, StreamObserver<byte[]> observer, String tenant,
      IngestGuard guard) {
    DecodeScratch scratch = DecodeScratch.current();
    SpanBatch batch = scratch.batch;
    byte[] response;
    try {
      try {
        scratch.proto.decode(request, 0, request.length, batch);
      } catch (MalformedRequestException e) {
        LOG.log(System.Logger.Level.DEBUG, "rejected undecodable OTLP/gRPC request ({0} bytes): {1}",
            request.length, e.getMessage());
        observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        return;
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "OTLP/gRPC decoder failed", e);
        observer.onError(Status.INTERNAL.withDescription("decoder failed: " + e).asRuntimeException());
        return;
      }
      String limited = guard.rateLimit(tenant, request.length, batch.size());
      if (limited != null) {
        observer.onError(resourceExhausted(guard, limited));
        return;
      }
      batch.tenant(tenant);
      IngestResult result;
      try {
        result = ingest.ingest(batch);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "ingest failed, answering UNAVAILABLE", e);
        observer.onError(Status.UNAVAILABLE.withDescription("ingest failed: " + e.getMessage()).asRuntimeException());
        return;
      }
      response = ExportResponses.proto(result);
    } finally {
      batch.clear();
    }
    observer.onNext(response);
    observer.onCompleted();
  }

  /** The bound address (with the actual port when port 0 was asked for). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) server.getListenSockets().get(0);
  }

  public int port() {
    return server.getPort();
  }

  /**
   * Stops taking calls, lets calls in flight finish (up to the shutdown timeout), then cancels the rest. Idempotent.
   */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
        server.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    executor.shutdown();
    try {
      executor.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ioGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Passes message bytes through untouched. */
  private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
    static final RawBytes INSTANCE = new RawBytes();

    @Override
    public InputStream stream(byte[] value) {
      return new BytesStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        if (stream instanceof KnownLength) {
          int n = stream.available();
          byte[] b = new byte[n];
          int read = stream.readNBytes(b, 0, n);
          if (read == n && stream.read() == -1) {
            return b;
          }
          throw new IOException("message shorter or longer than announced");
        }
        return stream.readAllBytes();
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription("cannot read message: " + e.getMessage()).withCause(e)
            .asRuntimeException();
      }
    }
  }

  /**
   * A message's bytes as grpc's framer wants them: with a known length (one buffer of the right size instead of a
   * chain grown while copying) and drainable (one bulk write instead of a copy loop through a scratch array).
   */
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

  /** Settings of the receiver; {@link #start()} binds it. */
  public static final class Builder {
    private SpanIngest ingest;
    private String host = "0.0.0.0";
    private int port = 4317;
    private int maxInboundMessageBytes = 4 * 1024 * 1024;
    private int maxConcurrentCallsPerConnection = 32;
    private int workerThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
    private int ioThreads = 1;
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private IngestGuard guard = IngestGuard.NONE;
    private SslContext sslContext;

    private Builder() {}

    /** Credentials, tenant, memory budget and rate limit (default {@link IngestGuard#NONE}). */
    public Builder guard(IngestGuard guard) {
      this.guard = Objects.requireNonNull(guard, "guard");
      return this;
    }

    /** Serves TLS with this context (see {@code io.spanfold.otlp.guard.TlsFiles#grpcServer}). Default: plaintext. */
    public Builder sslContext(SslContext sslContext) {
      this.sslContext = sslContext;
      return this;
    }

    public Builder ingest(SpanIngest ingest) {
      this.ingest = Objects.requireNonNull(ingest, "ingest");
      return this;
    }

    /** The interface to bind: {@code 0.0.0.0} (default) for all, {@code 127.0.0.1} for loopback only. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port (default 4317); 0 picks a free one, see {@link #localAddress()}. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    /** Largest request message after decompression (default 4 MiB, grpc's default as in Tempo). */
    public Builder maxInboundMessageBytes(int maxInboundMessageBytes) {
      if (maxInboundMessageBytes <= 0) {
        throw new IllegalArgumentException("maxInboundMessageBytes <= 0: " + maxInboundMessageBytes);
      }
      this.maxInboundMessageBytes = maxInboundMessageBytes;
      return this;
    }

    /** Calls one connection may have in flight (default 32); bounds the memory requests can pin. */
    public Builder maxConcurrentCallsPerConnection(int maxConcurrentCallsPerConnection) {
      if (maxConcurrentCallsPerConnection <= 0) {
        throw new IllegalArgumentException(
            "maxConcurrentCallsPerConnection <= 0: " + maxConcurrentCallsPerConnection);
      }
      this.maxConcurrentCallsPerConnection = maxConcurrentCallsPerConnection;
      return this;
    }

    /**
     * Event-loop threads reading and writing the connections (default 1, as the HTTP receiver's): they only frame
     * HTTP/2 and copy each message out, decode and ingest run on the worker threads.
     */
    public Builder ioThreads(int ioThreads) {
      if (ioThreads <= 0) {
        throw new IllegalArgumentException("ioThreads <= 0: " + ioThreads);
      }
      this.ioThreads = ioThreads;
      return this;
    }

    /** Threads decoding and ingesting (default max(2, cores)). */
    public Builder workerThreads(int workerThreads) {
      if (workerThreads <= 0) {
        throw new IllegalArgumentException("workerThreads <= 0: " + workerThreads);
      }
      this.workerThreads = workerThreads;
      return this;
    }

    /** How long {@link #close()} waits for calls in flight (default 10 s). */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
      if (shutdownTimeout.isNegative()) {
        throw new IllegalArgumentException("shutdownTimeout < 0: " + shutdownTimeout);
      }
      this.shutdownTimeout = shutdownTimeout;
      return this;
    }

    public OtlpGrpcReceiver start() throws IOException {
      if (ingest == null) {
        throw new IllegalStateException("ingest not set");
      }
      return new OtlpGrpcReceiver(this);
    }
  }
}
