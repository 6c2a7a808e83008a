package io.spanfold.otlp.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.zip.GZIPOutputStream;

/**
 * Per-connection handler of {@link NettyHttpServer}: turns an aggregated Netty request into an {@link HttpRequest},
 * runs the routed handler on the worker pool, writes the answer back. Requests of one connection are answered in
 * order, one at a time (HTTP/1.1 pipelining keeps working); the connection is not read while one is being handled.
 * All fields are touched on the connection's event loop only, except in {@link #handleOnWorker}.
 */
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final System.Logger LOG = System.getLogger(NettyHttpServer.class.getName());
  private static final byte[] NOT_FOUND = "404 page not found\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  /** What every connection of one server shares. */
  static final class Settings {
    final HttpRoutes routes;
    final Executor workers;
    final InflightTracker inflight;
    final int gzipMinBytes;
    final io.spanfold.core.ingest.IngestLimiter budget;
    final HttpRequestObserver observer;

    Settings(HttpRoutes routes, Executor workers, InflightTracker inflight, int gzipMinBytes,
        io.spanfold.core.ingest.IngestLimiter budget, HttpRequestObserver observer) {
      this.routes = routes;
      this.workers = workers;
      this.inflight = inflight;
      this.gzipMinBytes = gzipMinBytes;
      this.budget = budget;
      this.observer = observer;
    }
  }

  /** A request waiting for its turn on this connection. */
  private static final class Pending {
    final HttpHandler handler;
    final HttpRequest request;
    final boolean head;
    final boolean gzip;
    final HttpResponse immediate;
    long reserved;
    boolean closeAfter;
    // timing, for the observer: System.nanoTime() when read, when the handler started and how long it ran
    String method;
    String route;
    boolean websocket;
    long receivedNanos;
    long handlerStartNanos;
    long handlerNanos = -1;

    Pending(HttpHandler handler, HttpRequest request, boolean head, boolean gzip, HttpResponse immediate) {
      this.handler = handler;
      this.request = request;
      this.head = head;
      this.gzip = gzip;
      this.immediate = immediate;
    }
  }

  private final Settings settings;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>(2);
  private boolean busy;
  /** The request being answered (event loop only). */
  private Pending current;

  RequestHandler(Settings settings) {
    super(FullHttpRequest.class, true);
    this.settings = settings;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
    long receivedNanos = System.nanoTime();
    long reserved = 0;
    HttpResponse rejection = null;
    boolean closeAfter = false;
    if (msg instanceof BodyCollector.Collected) {
      BodyCollector.Collected c = (BodyCollector.Collected) msg;
      reserved = c.reserved;
      rejection = c.rejection;
      closeAfter = c.closeAfter;
    }
    if (msg.decoderResult().isFailure()) {
      release(reserved);
      Throwable cause = msg.decoderResult().cause();
      writeAndClose(ctx, HttpResponse.text(400, "bad request: " + (cause == null ? "malformed" : cause.getMessage())));
      return;
    }
    String method = msg.method().name();
    boolean head = "HEAD".equals(method);
    boolean gzip = acceptsGzip(msg.headers().get(HttpHeaderNames.ACCEPT_ENCODING));
    String encoding = msg.headers().get(HttpHeaderNames.CONTENT_ENCODING);
    QueryStringDecoder qs = new QueryStringDecoder(msg.uri());
    HttpRoutes.Match match = settings.routes.match(qs.rawPath());
    HttpResponse immediate = null;
    HttpRequest request = null;
    if (rejection != null) {
      immediate = rejection;
    } else if (encoding != null && !encoding.isBlank() && !"identity".equalsIgnoreCase(encoding.trim())) {
      immediate = HttpResponse.text(400, "unsupported content encoding: " + encoding);
    } else if (match == null) {
      immediate = HttpResponse.of(404, "text/plain; charset=utf-8", NOT_FOUND);
    } else if (!match.allows(method)) {
      immediate = HttpResponse.empty(405).header("Allow", String.join(", ", match.allowedMethods()));
    } else {
      request = new HttpRequest(method, qs.path(), qs.parameters(), headers(msg.headers()),
          ByteBufUtil.getBytes(msg.content()));
      if (!match.pathParams().isEmpty()) {
        request = request.withPathParams(match.pathParams());
      }
    }
    settings.inflight.begin();
    Pending pending = new Pending(match == null ? null : match.handler(), request, head, gzip, immediate);
    pending.reserved = reserved;
    pending.closeAfter = closeAfter;
    if (settings.observer != null) {
      pending.method = method;
      pending.route = match == null ? HttpRequestObserver.UNMATCHED_ROUTE : match.routeName();
      pending.websocket = isWebSocketHandshake(msg.headers());
      pending.receivedNanos = receivedNanos;
    }
    queue.add(pending);
    if (!busy) {
      next(ctx);
    }
  }

  /** Starts the next queued request of this connection; event loop only. */
  private void next(ChannelHandlerContext ctx) {
    Pending p = queue.poll();
    if (p == null) {
      busy = false;
      ctx.channel().config().setAutoRead(true);
      return;
    }
    busy = true;
    current = p;
    ctx.channel().config().setAutoRead(false);
    if (p.immediate != null) {
      write(ctx, toNetty(p.immediate, p.head, p.gzip));
      return;
    }
    if (p.handler instanceof NonBlockingHttpHandler) {
      // bounded, never-waiting work: answered here, without the two hand-offs to a worker and back
      write(ctx, run(p));
      return;
    }
    try {
      settings.workers.execute(() -> handleOnWorker(ctx, p));
    } catch (RejectedExecutionException e) {
      write(ctx, toNetty(HttpResponse.text(503, "server busy, retry later"), p.head, false));
    }
  }

  private void handleOnWorker(ChannelHandlerContext ctx, Pending p) {
    FullHttpResponse out = run(p);
    ctx.executor().execute(() -> write(ctx, out));
  }

  /** Runs the request's handler and encodes its answer (a failing handler is a 500), timing the handler. */
  private FullHttpResponse run(Pending p) {
    long startNanos = System.nanoTime();
    HttpResponse response;
    try {
      response = p.handler.handle(p.request);
      if (response == null) {
        response = HttpResponse.text(500, "handler returned no response");
      }
    } catch (Exception | LinkageError | AssertionError e) {
      LOG.log(System.Logger.Level.WARNING, "handler for " + p.request.method() + " " + p.request.path() + " failed", e);
      response = HttpResponse.text(500, "internal error: " + e);
    }
    FullHttpResponse out;
    try {
      out = toNetty(response, p.head, p.gzip);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot encode response", e);
      out = toNetty(HttpResponse.text(500, "internal error: " + e), p.head, false);
    }
    p.handlerStartNanos = startNanos;
    p.handlerNanos = System.nanoTime() - startNanos;
    return out;
  }

  private void write(ChannelHandlerContext ctx, FullHttpResponse response) {
    Pending p = current;
    current = null;
    boolean close = p != null && p.closeAfter;
    if (close) {
      response.headers().set(HttpHeaderNames.CONNECTION, "close");
    }
    int status = response.status().code();
    ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> {
      if (p != null && settings.observer != null && f.isSuccess()) {
        observe(p, status);
      }
      settings.inflight.end();
      if (p != null) {
        release(p.reserved);
      }
      if (!f.isSuccess() || close) {
        f.channel().close();
      }
      if (f.channel().isActive()) {
        next(ctx);
      } else {
        drainClosed();
      }
    });
  }

  private void observe(Pending p, int status) {
    long total = System.nanoTime() - p.receivedNanos;
    long queued = p.handlerNanos < 0 ? -1 : p.handlerStartNanos - p.receivedNanos;
    try {
      settings.observer.requestDone(p.method, p.route, status, p.websocket,
          new HttpRequestObserver.Timing(total, queued, p.handlerNanos));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "request observer failed", e);
    }
  }

  /** A WebSocket handshake: {@code Upgrade: websocket} with {@code upgrade} among the Connection tokens. */
  static boolean isWebSocketHandshake(HttpHeaders headers) {
    String upgrade = headers.get(HttpHeaderNames.UPGRADE);
    if (upgrade == null || !upgrade.trim().equalsIgnoreCase("websocket")) {
      return false;
    }
    String connection = headers.get(HttpHeaderNames.CONNECTION);
    if (connection == null) {
      return false;
    }
    for (String token : connection.split(",")) {
      if (token.trim().equalsIgnoreCase("upgrade")) {
        return true;
      }
    }
    return false;
  }

  private void drainClosed() {
    Pending p;
    while ((p = queue.poll()) != null) {
      settings.inflight.end();
      release(p.reserved);
    }
    busy = false;
  }

  private void release(long reserved) {
    if (reserved > 0) {
      settings.budget.release(reserved);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (!busy) {
      drainClosed();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException && ctx.channel().isActive()) {
      // e.g. a corrupt gzip body: the request can't be read, answer and drop the connection.
      Throwable root = cause.getCause() != null ? cause.getCause() : cause;
      writeAndClose(ctx, HttpResponse.text(400, "cannot decode request body: " + root.getMessage()));
      return;
    }
    if (!(cause instanceof IOException)) {
      LOG.log(System.Logger.Level.DEBUG, "connection error", cause);
    }
    ctx.close();
  }

  private static void writeAndClose(ChannelHandlerContext ctx, HttpResponse response) {
    FullHttpResponse out = build(response, response.body(), false, false);
    out.headers().set(HttpHeaderNames.CONNECTION, "close");
    ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
  }

  private FullHttpResponse toNetty(HttpResponse r, boolean head, boolean acceptsGzip) {
    byte[] body = r.body();
    boolean gzip = acceptsGzip && body.length > 0 && body.length >= settings.gzipMinBytes
        && !r.headers().containsKey("Content-Encoding");
    return build(r, body, head, gzip);
  }

  private static FullHttpResponse build(HttpResponse r, byte[] body, boolean head, boolean gzip) {
    byte[] payload = gzip ? gzip(body) : body;
    DefaultFullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(r.status()), head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(payload));
    HttpHeaders h = out.headers();
    if (r.contentType() != null) {
      h.set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    }
    for (Map.Entry<String, String> e : r.headers().entrySet()) {
      h.set(e.getKey(), e.getValue());
    }
    if (gzip) {
      h.set(HttpHeaderNames.CONTENT_ENCODING, "gzip");
      h.add(HttpHeaderNames.VARY, "Accept-Encoding");
    }
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, payload.length);
    return out;
  }

  private static byte[] gzip(byte[] body) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream(Math.max(64, body.length / 4));
    try (GZIPOutputStream gz = new GZIPOutputStream(bos, 8192)) {
      gz.write(body);
    } catch (IOException e) {
      throw new IllegalStateException("gzip into memory failed", e);
    }
    return bos.toByteArray();
  }

  /** Whether an Accept-Encoding header admits gzip (a {@code gzip} or {@code *} token whose q is not 0). */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String token : acceptEncoding.split(",")) {
      String[] parts = token.split(";");
      String coding = parts[0].trim().toLowerCase(Locale.ROOT);
      if (!coding.equals("gzip") && !coding.equals("x-gzip") && !coding.equals("*")) {
        continue;
      }
      boolean zeroQ = false;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim().toLowerCase(Locale.ROOT);
        if (p.startsWith("q=")) {
          try {
            zeroQ = Double.parseDouble(p.substring(2)) == 0.0;
          } catch (NumberFormatException e) {
            zeroQ = false;
          }
        }
      }
      if (!zeroQ) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, String> headers(HttpHeaders headers) {
    Map<String, String> out = new HashMap<>(headers.size() * 2);
    for (Map.Entry<String, String> e : headers) {
      out.merge(e.getKey().toLowerCase(Locale.ROOT), e.getValue(), (a, b) -> a + "," + b);
    }
    return out;
  }
}
