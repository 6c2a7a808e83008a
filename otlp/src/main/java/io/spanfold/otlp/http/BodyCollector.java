package io.spanfold.otlp.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.spanfold.core.ingest.IngestLimiter;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Collects a request's body (after decompression) into one buffer, as Netty's {@code HttpObjectAggregator} does, but
 * decides before buffering: the {@link HttpGate} sees the head first; a {@code Content-Length} over the body cap is
 * refused up front (413), and with a memory budget the declared length is reserved up front, or, for chunked and
 * decompressed bodies, each chunk as it arrives; a reservation that does not fit refuses the request (the refusal
 * comes from the server's settings, e.g. 429 with Retry-After). A refused request's remaining body is read and
 * dropped, never buffered. {@code Expect: 100-continue} is answered here; a refused request that expected it gets
 * its refusal and the connection is closed.
 *
 * <p>Emits {@link Collected}: a full request carrying its reservation (released by {@link RequestHandler} once the
 * response is written) or the refusal, in order with the connection's other requests. Event loop only.
 */
final class BodyCollector extends ChannelInboundHandlerAdapter {
  /** A collected request, or a refused one ({@link #rejection} set, empty body). */
  static final class Collected extends DefaultFullHttpRequest {
    final long reserved;
    final HttpResponse rejection;
    final boolean closeAfter;

    Collected(io.netty.handler.codec.http.HttpRequest head, ByteBuf content, long reserved, HttpResponse rejection,
        boolean closeAfter) {
      super(head.protocolVersion(), head.method(), head.uri(), content, head.headers(), EmptyHttpHeaders.INSTANCE);
      setDecoderResult(head.decoderResult());
      this.reserved = reserved;
      this.rejection = rejection;
      this.closeAfter = closeAfter;
    }
  }

  private final int maxBodyBytes;
  private final IngestLimiter budget;
  private final Function<HttpRequest, HttpResponse> budgetRefusal;
  private final HttpGate gate;

  private io.netty.handler.codec.http.HttpRequest head;
  private CompositeByteBuf body;
  private long reserved;
  private boolean reserveChunks;
  private boolean discarding;

  BodyCollector(int maxBodyBytes, IngestLimiter budget, Function<HttpRequest, HttpResponse> budgetRefusal,
      HttpGate gate) {
    this.maxBodyBytes = maxBodyBytes;
    this.budget = budget;
    this.budgetRefusal = budgetRefusal;
    this.gate = gate;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof io.netty.handler.codec.http.HttpRequest) {
      startRequest(ctx, (io.netty.handler.codec.http.HttpRequest) msg);
    }
    if (msg instanceof HttpContent) {
      content(ctx, (HttpContent) msg);
    } else if (!(msg instanceof io.netty.handler.codec.http.HttpRequest)) {
      ctx.fireChannelRead(msg);
    }
  }

  private void startRequest(ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpRequest h) {
    resetBody();
    discarding = false;
    head = h;
    if (h.decoderResult().isFailure()) {
      emit(ctx, new Collected(h, Unpooled.EMPTY_BUFFER, 0, null, true));
      discarding = true;
      return;
    }
    boolean expect = HttpUtil.is100ContinueExpected(h);
    if (gate != null) {
      HttpResponse refusal = gate.check(headOnly(h));
      if (refusal != null) {
        refuse(ctx, refusal, expect);
        return;
      }
    }
    long length = HttpUtil.getContentLength(h, -1L);
    if (length > maxBodyBytes) {
      refuse(ctx, HttpResponse.empty(413), true);
      return;
    }
    if (budget != null) {
      if (length >= 0) {
        if (!budget.tryAcquire(length)) {
          refuse(ctx, budgetRefusal.apply(headOnly(h)), expect);
          return;
        }
        reserved = length;
        reserveChunks = false;
      } else {
        reserveChunks = true;
      }
    }
    if (expect) {
      h.headers().remove(HttpHeaderNames.EXPECT);
      ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
          Unpooled.EMPTY_BUFFER));
    }
    body = ctx.alloc().compositeBuffer(1024);
  }

  private void content(ChannelHandlerContext ctx, HttpContent c) {
    try {
      if (discarding || head == null || body == null) {
        if (c instanceof LastHttpContent) {
          discarding = false;
          head = null;
        }
        return;
      }
      ByteBuf data = c.content();
      int n = data.readableBytes();
      if (n > 0) {
        if ((long) body.readableBytes() + n > maxBodyBytes) {
          refuse(ctx, HttpResponse.empty(413), false);
          finishDiscardIfLast(c);
          return;
        }
        if (reserveChunks) {
          if (!budget.tryAcquire(n)) {
            refuse(ctx, budgetRefusal.apply(headOnly(head)), false);
            finishDiscardIfLast(c);
            return;
          }
          reserved += n;
        }
        body.addComponent(true, data.retain());
      }
      if (c instanceof LastHttpContent) {
        Collected full = new Collected(head, body, reserved, null, false);
        body = null;
        reserved = 0;
        head = null;
        emit(ctx, full);
      }
    } finally {
      ReferenceCountUtil.release(c);
    }
  }

  private void finishDiscardIfLast(HttpContent c) {
    if (c instanceof LastHttpContent) {
      discarding = false;
      head = null;
    }
  }

  /** Answers {@code response} in order, drops the rest of the body; closes after it when asked. */
  private void refuse(ChannelHandlerContext ctx, HttpResponse response, boolean close) {
    io.netty.handler.codec.http.HttpRequest h = head;
    resetBody();
    discarding = true;
    emit(ctx, new Collected(h, Unpooled.EMPTY_BUFFER, 0, response, close));
  }

  private void emit(ChannelHandlerContext ctx, Collected c) {
    ctx.fireChannelRead(c);
  }

  private void resetBody() {
    if (body != null) {
      body.release();
      body = null;
    }
    if (reserved > 0) {
      budget.release(reserved);
      reserved = 0;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    resetBody();
    head = null;
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    resetBody();
  }

  /** The head as handlers see it, with an empty body (for gates and refusals). */
  static HttpRequest headOnly(io.netty.handler.codec.http.HttpRequest h) {
    QueryStringDecoder qs = new QueryStringDecoder(h.uri());
    Map<String, String> headers = new HashMap<>(h.headers().size() * 2);
    for (Map.Entry<String, String> e : h.headers()) {
      headers.merge(e.getKey().toLowerCase(Locale.ROOT), e.getValue(), (a, b) -> a + "," + b);
    }
    return new HttpRequest(h.method().name(), qs.path(), qs.parameters(), headers, new byte[0])
        .withPathParams(Collections.emptyMap());
  }
}
