package io.spanfold.otlp.http;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContentDecompressor;
import java.util.Locale;

/**
 * Decompresses gzip, deflate and zlib request bodies and leaves every other encoding untouched (its
 * {@code Content-Encoding} header stays, and {@link RequestHandler} answers 400). Netty would also try snappy
 * (framed), which is not the block format OTLP clients send, so only the encodings that mean one thing are accepted.
 */
final class RequestDecompressor extends HttpContentDecompressor {
  @Override
  protected EmbeddedChannel newContentDecoder(String contentEncoding) throws Exception {
    String e = contentEncoding.trim().toLowerCase(Locale.ROOT);
    switch (e) {
      case "gzip":
      case "x-gzip":
      case "deflate":
      case "x-deflate":
        return super.newContentDecoder(e);
      case "zlib":
        // The OTel Collector's "zlib" is deflate in a zlib wrapper; Netty's deflate decoder takes zlib or raw.
        return super.newContentDecoder("deflate");
      default:
        return null;
    }
  }
}
