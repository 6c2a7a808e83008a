package io.spanfold.bench.load;

import java.io.Closeable;
import java.io.IOException;

/** A blocking HTTP GET against the query port, one at a time: what {@link TraceChecker} looks traces up with. */
interface LookupClient extends Closeable {
  /** An answer: status and the whole body. */
  record Response(int status, byte[] body) {}

  /**
   * Sends {@code GET path} ({@code accept} as the Accept header, or none when null) and waits for the whole answer.
   *
   * @throws IOException on a connection failure or timeout
   */
  Response get(String path, String accept) throws IOException, InterruptedException;

  @Override
  void close();

  /** The client named by {@code --lookup-client}. */
  static LookupClient create(String kind, String host, String uriHost, int port, java.time.Duration timeout) {
    return switch (kind) {
      case "socket" -> new SocketLookupClient(host, uriHost, port, timeout);
      case "jdk" -> new JdkLookupClient(uriHost, port, timeout);
      default -> throw new IllegalArgumentException("unknown lookup client " + kind);
    };
  }
}
