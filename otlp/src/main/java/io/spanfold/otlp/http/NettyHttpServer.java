package io.spanfold.otlp.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.spanfold.core.ingest.IngestLimiter;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A small HTTP/1.1 server on Netty that serves {@link HttpRoutes}: it is the default transport for the OTLP/HTTP
 * receiver (:4318) and the query API (:3200).
 *
 * <ul>
 *   <li>Request bodies are collected up to {@code maxBodyBytes} (after decompression) — larger gets 413, refused from
 *       {@code Content-Length} before the body is read; with a {@link Builder#memoryBudget memory budget} bodies are
 *       reserved against it before they are buffered; chunked
 *       bodies without {@code Content-Length} (the JS exporters send them) and {@code Expect: 100-continue} work.
 *   <li>{@code Content-Encoding: gzip}, {@code deflate} and {@code zlib} request bodies are decompressed; any other
 *       encoding gets 400 {@code unsupported content encoding: X}.
 *   <li>Responses get {@code Content-Length}; bodies of at least {@code gzipMinBytes} are gzipped when the client sends
 *       {@code Accept-Encoding: gzip}.
 *   <li>Handlers run on a bounded worker pool, never on the event loop. While a connection's request is being handled
 *       the server stops reading from that connection (TCP backpressure); when every worker is busy and the queue is
 *       full, the request gets 503.
 *   <li>Unknown paths get 404 {@code 404 page not found}, as Go's servers answer.
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} stops accepting connections, lets requests already taken finish and their
 * responses be written (up to the shutdown timeout), then releases the threads.
 */
public final class NettyHttpServer implements Closeable {
  private static final System.Logger LOG = System.getLogger(NettyHttpServer.class.getName());

  private final Builder config;
  private final EventLoopGroup group;
  private final ThreadPoolExecutor workers;
  private final InflightTracker inflight = new InflightTracker();
  private final Channel serverChannel;

  private NettyHttpServer(Builder b) throws IOException {
    this.config = b;
    this.workers = new ThreadPoolExecutor(b.workerThreads, b.workerThreads, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(b.queueCapacity), new DefaultThreadFactory(b.name + "-worker", true),
        new ThreadPoolExecutor.AbortPolicy());
    this.workers.allowCoreThreadTimeOut(true);
    this.group = new MultiThreadIoEventLoopGroup(b.ioThreads, new DefaultThreadFactory(b.name + "-io", false),
        NioIoHandler.newFactory());
    RequestHandler.Settings settings =
        new RequestHandler.Settings(b.routes, workers, inflight, b.gzipMinBytes, b.memoryBudget, b.observer);
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ChannelPipeline p = ch.pipeline();
            if (b.sslContext != null) {
              p.addLast("tls", b.sslContext.newHandler(ch.alloc()));
            }
            // Long TraceQL queries in the URL: allow 64 KiB request lines and headers (Go allows 1 MiB).
            p.addLast("codec", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(64 * 1024)
                .setMaxHeaderSize(64 * 1024)));
            p.addLast("keepAlive", new HttpServerKeepAliveHandler());
            p.addLast("decompress", new RequestDecompressor());
            p.addLast("aggregate", new BodyCollector(b.maxBodyBytes, b.memoryBudget, b.budgetRefusal, b.gate));
            p.addLast("handler", new RequestHandler(settings));
          }
        });
    try {
      this.serverChannel = bootstrap.bind(new InetSocketAddress(b.host, b.port)).sync().channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      workers.shutdownNow();
      throw new IOException("cannot bind " + b.name + " to " + b.host + ":" + b.port + ": " + e.getMessage(), e);
    }
    LOG.log(System.Logger.Level.DEBUG, "{0} listening on {1}", b.name, serverChannel.localAddress());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The bound address (with the actual port when port 0 was asked for). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  public int port() {
    return localAddress().getPort();
  }

  /** Requests taken but not yet answered (for tests and graceful stop). */
  public int inflightRequests() {
    return inflight.count();
  }

  /**
   * Stops accepting connections, waits (up to the shutdown timeout) for requests already taken to be answered, then
   * stops every thread. Idempotent.
   */
  @Override
  public void close() {
    long deadline = System.nanoTime() + config.shutdownTimeout.toNanos();
    serverChannel.close().awaitUninterruptibly(config.shutdownTimeout.toMillis());
    workers.shutdown();
    try {
      workers.awaitTermination(remainingNanos(deadline), TimeUnit.NANOSECONDS);
      inflight.awaitZero(remainingNanos(deadline));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.shutdownNow();
    group.shutdownGracefully(0, Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNanos(deadline))),
        TimeUnit.MILLISECONDS).awaitUninterruptibly(config.shutdownTimeout.toMillis());
  }

  private static long remainingNanos(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  /** Settings of a server; {@link #start()} binds it. */
  public static final class Builder {
    private String name = "http";
    private String host = "0.0.0.0";
    private int port = 0;
    private HttpRoutes routes;
    private int maxBodyBytes = 20 * 1024 * 1024;
    private int ioThreads = 1;
    private int workerThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
    private int queueCapacity = 256;
    private int gzipMinBytes = 1400;
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private IngestLimiter memoryBudget;
    private Function<HttpRequest, HttpResponse> budgetRefusal;
    private HttpGate gate;
    private SslContext sslContext;
    private HttpRequestObserver observer;

    private Builder() {}

    /**
     * Told about every answered request with its route, status and timing (e.g. to keep a request-duration
     * histogram). Default: none.
     */
    public Builder observer(HttpRequestObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    /**
     * Bounds the bytes of request bodies held at once (shared with other receivers through the same limiter): a
     * request's {@code Content-Length} is reserved before its body is read, a chunked or compressed body chunk by chunk
     * as it arrives, and released once the response is written; a request that does not fit gets {@code refusal}'s
     * answer (e.g. 429 with Retry-After) and its body is dropped unread into memory. Default: no budget.
     */
    public Builder memoryBudget(IngestLimiter budget, Function<HttpRequest, HttpResponse> refusal) {
      this.memoryBudget = Objects.requireNonNull(budget, "budget");
      this.budgetRefusal = Objects.requireNonNull(refusal, "refusal");
      return this;
    }

    /** A check of each request's head before its body is read (authentication, tenant). Default: none. */
    public Builder gate(HttpGate gate) {
      this.gate = Objects.requireNonNull(gate, "gate");
      return this;
    }

    /** Serves HTTPS with this server context (see {@code io.spanfold.otlp.guard.TlsFiles}). Default: plain HTTP. */
    public Builder sslContext(SslContext sslContext) {
      if (sslContext != null && sslContext.isClient()) {
        throw new IllegalArgumentException("sslContext is a client context");
      }
      this.sslContext = sslContext;
      return this;
    }

    /** A short name for thread names and logs, e.g. {@code otlp-http}. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The interface to bind: {@code 0.0.0.0} (default) for all, {@code 127.0.0.1} for loopback only. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port; 0 (default) picks a free one, see {@link #localAddress()}. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    public Builder routes(HttpRoutes routes) {
      this.routes = Objects.requireNonNull(routes, "routes");
      return this;
    }

    /** Largest request body after decompression (default 20 MiB, as the OTel Collector); larger gets 413. */
    public Builder maxBodyBytes(int maxBodyBytes) {
      if (maxBodyBytes <= 0) {
        throw new IllegalArgumentException("maxBodyBytes <= 0: " + maxBodyBytes);
      }
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /** Event-loop threads (default 1: they only parse, decompress and copy). */
    public Builder ioThreads(int ioThreads) {
      if (ioThreads <= 0) {
        throw new IllegalArgumentException("ioThreads <= 0: " + ioThreads);
      }
      this.ioThreads = ioThreads;
      return this;
    }

    /** Threads running handlers (default: max(2, cores)). */
    public Builder workerThreads(int workerThreads) {
      if (workerThreads <= 0) {
        throw new IllegalArgumentException("workerThreads <= 0: " + workerThreads);
      }
      this.workerThreads = workerThreads;
      return this;
    }

    /** Requests that may wait for a worker (default 256); beyond it requests get 503. */
    public Builder queueCapacity(int queueCapacity) {
      if (queueCapacity <= 0) {
        throw new IllegalArgumentException("queueCapacity <= 0: " + queueCapacity);
      }
      this.queueCapacity = queueCapacity;
      return this;
    }

    /** Smallest response body gzipped for clients that accept gzip (default 1400, as Go's gziphandler). */
    public Builder gzipMinBytes(int gzipMinBytes) {
      if (gzipMinBytes < 0) {
        throw new IllegalArgumentException("gzipMinBytes < 0: " + gzipMinBytes);
      }
      this.gzipMinBytes = gzipMinBytes;
      return this;
    }

    /** How long {@link #close()} waits for requests in flight (default 10 s). */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
      if (shutdownTimeout.isNegative()) {
        throw new IllegalArgumentException("shutdownTimeout < 0: " + shutdownTimeout);
      }
      this.shutdownTimeout = shutdownTimeout;
      return this;
    }

    /** Binds and starts serving. */
    public NettyHttpServer start() throws IOException {
      if (routes == null) {
        throw new IllegalStateException("routes not set");
      }
      return new NettyHttpServer(this);
    }
  }
}
