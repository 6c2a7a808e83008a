package io.spanfold.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * OTLP/HTTP on Netty: {@code POST /v1/traces} over HTTP/1.1 keep-alive connections, one request at a time per
 * connection (no pipelining), connections opened on demand and reused; so with {@code --concurrency N} at most N
 * connections. One or two event-loop threads do all the work, which keeps the generator's CPU share small next to the
 * server's on the same machine. Bodies are sent as given (the caller gzips them when {@code gzip} is set).
 */
final class NettyHttpTransport implements Transport {
  private static final int MAX_RESPONSE_BYTES = 1 << 20;

  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final ConcurrentLinkedQueue<Channel> idle = new ConcurrentLinkedQueue<>();
  private final String hostHeader;
  private final String contentType;
  private final boolean json;
  private final boolean gzip;
  private final long timeoutNanos;

  NettyHttpTransport(String host, String uriHost, int port, int ioThreads, boolean json, boolean gzip,
      Duration timeout) {
    this.hostHeader = uriHost + ":" + port;
    this.json = json;
    this.contentType = json ? "application/json" : "application/x-protobuf";
    this.gzip = gzip;
    this.timeoutNanos = timeout.toNanos();
    this.group = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("loadgen-netty", true),
        NioIoHandler.newFactory());
    this.bootstrap = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
        .remoteAddress(host, port)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline()
                .addLast(new HttpClientCodec())
                .addLast(new HttpObjectAggregator(MAX_RESPONSE_BYTES))
                .addLast(new ResponseHandler());
          }
        });
  }

  @Override
  public void send(byte[] body, Completion completion) {
    Channel ch;
    while ((ch = idle.poll()) != null && !ch.isActive()) {
      // a connection the server closed while idle: drop it
    }
    if (ch != null) {
      write(ch, body, completion);
      return;
    }
    ChannelFuture connect = bootstrap.connect();
    connect.addListener(f -> {
      if (f.isSuccess()) {
        write(connect.channel(), body, completion);
      } else {
        completion.done(Outcome.ERROR, f.cause().getClass().getSimpleName(), 0);
      }
    });
  }

  private void write(Channel ch, byte[] body, Completion completion) {
    ResponseHandler handler = ch.pipeline().get(ResponseHandler.class);
    Exchange ex = new Exchange(completion);
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/traces",
        Unpooled.wrappedBuffer(body));
    request.headers()
        .set(HttpHeaderNames.HOST, hostHeader)
        .set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    if (gzip) {
      request.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
    }
    ch.eventLoop().execute(() -> {
      handler.current = ex;
      ex.timeout = ch.eventLoop().schedule(() -> handler.fail(ch, "timeout"), timeoutNanos, TimeUnit.NANOSECONDS);
      ch.writeAndFlush(request).addListener(f -> {
        if (!f.isSuccess()) {
          handler.fail(ch, f.cause().getClass().getSimpleName());
        }
      });
    });
  }

  /** One request's completion, finished once (all on the channel's event loop). */
  private static final class Exchange {
    final Completion completion;
    ScheduledFuture<?> timeout;

    Exchange(Completion completion) {
      this.completion = completion;
    }
  }

  private final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    Exchange current;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      Exchange ex = current;
      current = null;
      if (ex == null) {
        ctx.close(); // a response nobody asked for: this connection is out of step
        return;
      }
      ex.timeout.cancel(false);
      int status = response.status().code();
      Outcome outcome = Outcome.ofHttp(status);
      long rejected = 0;
      if (outcome == Outcome.OK && response.content().isReadable()) {
        rejected = HttpTransport.rejected(ByteBufUtil.getBytes(response.content()), json);
      }
      // back in the pool before the completion releases a permit, so the next send finds it
      if (HttpUtil.isKeepAlive(response)) {
        idle.offer(ctx.channel());
      } else {
        ctx.close();
      }
      ex.completion.done(outcome, "HTTP " + status, rejected);
    }

    void fail(Channel ch, String detail) {
      Exchange ex = current;
      current = null;
      ch.close();
      if (ex != null) {
        ex.timeout.cancel(false);
        ex.completion.done(Outcome.ERROR, detail, 0);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      fail(ctx.channel(), "connection closed");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(ctx.channel(), cause.getClass().getSimpleName());
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
