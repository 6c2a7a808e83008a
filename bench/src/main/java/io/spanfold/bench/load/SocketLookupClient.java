package io.spanfold.bench.load;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * HTTP/1.1 GETs on one kept-alive socket, written and read by the calling thread: no selector thread, no hand-over,
 * so the latency measured is the server's answer plus the loopback and nothing of a client library's scheduling.
 * Enough HTTP for the query port: answers must carry {@code Content-Length} (spanfold's always do); a connection the
 * server closed while idle is reopened once.
 */
final class SocketLookupClient implements LookupClient {
  private static final int MAX_HEADER_LINE = 16 * 1024;

  private final String host;
  private final int port;
  private final String hostHeader;
  private final int timeoutMillis;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  SocketLookupClient(String host, String uriHost, int port, Duration timeout) {
    this.host = host;
    this.port = port;
    this.hostHeader = uriHost + ":" + port;
    this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
  }

  @Override
  public Response get(String path, String accept) throws IOException {
    boolean reused = socket != null;
    try {
      return exchange(path, accept);
    } catch (IOException e) {
      close();
      if (!reused || e instanceof java.net.SocketTimeoutException) {
        throw e;
      }
      // the server may have closed the idle connection: once more on a fresh one
      return exchange(path, accept);
    }
  }

  private Response exchange(String path, String accept) throws IOException {
    if (socket == null) {
      Socket s = new Socket();
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(host, port), timeoutMillis);
      s.setSoTimeout(timeoutMillis);
      socket = s;
      in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
      out = s.getOutputStream();
    }
    StringBuilder req = new StringBuilder(128).append("GET ").append(path).append(" HTTP/1.1\r\nHost: ")
        .append(hostHeader).append("\r\n");
    if (accept != null) {
      req.append("Accept: ").append(accept).append("\r\n");
    }
    out.write(req.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();

    String statusLine = line();
    // "HTTP/1.1 200 OK"
    if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
      throw new IOException("not an HTTP/1.x status line: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    long length = -1;
    boolean close = false;
    for (String h = line(); !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        throw new IOException("malformed header line: " + h);
      }
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim();
      if (name.equals("content-length")) {
        length = Long.parseLong(value);
      } else if (name.equals("transfer-encoding") && !value.equalsIgnoreCase("identity")) {
        throw new IOException("Transfer-Encoding " + value + " is not supported by this client");
      } else if (name.equals("connection") && value.toLowerCase(Locale.ROOT).contains("close")) {
        close = true;
      }
    }
    if (length < 0 || length > Integer.MAX_VALUE) {
      throw new IOException("answer without a usable Content-Length (status " + status + ")");
    }
    byte[] body = in.readNBytes((int) length);
    if (body.length != length) {
      throw new EOFException("connection closed after " + body.length + " of " + length + " body bytes");
    }
    if (close) {
      close();
    }
    return new Response(status, body);
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder(64);
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed in the answer's head");
      }
      if (c == '\n') {
        int n = sb.length();
        if (n > 0 && sb.charAt(n - 1) == '\r') {
          sb.setLength(n - 1);
        }
        return sb.toString();
      }
      if (sb.length() >= MAX_HEADER_LINE) {
        throw new IOException("header line longer than " + MAX_HEADER_LINE + " bytes");
      }
      sb.append((char) c);
    }
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    socket = null;
    in = null;
    out = null;
  }
}
