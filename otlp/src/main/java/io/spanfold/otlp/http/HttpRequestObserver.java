package io.spanfold.otlp.http;

/**
 * Told about every request a {@link NettyHttpServer} answered, with its timing: the hook for request-duration metrics
 * (the server jar binds it to Tempo's {@code tempo_request_duration_seconds}) without {@code otlp} depending on a
 * metrics library.
 *
 * <p>Called once per answered request on the connection's event loop, after the response was written to the socket
 * (or the write failed), so it must be quick and must not block; it is not called for requests whose connection
 * closed before their answer could be written.
 */
@FunctionalInterface
public interface HttpRequestObserver {
  /** Route label of requests no route matched (as Tempo's instrumentation middleware labels them). */
  String UNMATCHED_ROUTE = "other";

  /**
   * @param method the request method as received, e.g. {@code GET}
   * @param route the matched route's name ({@link HttpRoutes#routeName}, e.g. {@code api_v2_traces_traceid}), or
   *     {@link #UNMATCHED_ROUTE}
   * @param status the HTTP status answered
   * @param websocket whether the request was a WebSocket handshake ({@code Upgrade: websocket})
   * @param timing where the time went
   */
  void requestDone(String method, String route, int status, boolean websocket, Timing timing);

  /**
   * How long one request took, in nanoseconds, from the moment its whole request was read (head and body) on the
   * event loop.
   */
  final class Timing {
    private final long totalNanos;
    private final long queuedNanos;
    private final long handlerNanos;

    Timing(long totalNanos, long queuedNanos, long handlerNanos) {
      this.totalNanos = totalNanos;
      this.queuedNanos = queuedNanos;
      this.handlerNanos = handlerNanos;
    }

    /** Until the response was written to the socket: what the server is responsible for. */
    public long totalNanos() {
      return totalNanos;
    }

    /**
     * Waiting before the handler ran (earlier requests of the same connection, the hand-over to the worker pool and
     * its queue); -1 for answers the event loop gave itself (404, 405, refusals) without running a handler.
     */
    public long queuedNanos() {
      return queuedNanos;
    }

    /** Running the handler, encoding and compressing its response; -1 when no handler ran. */
    public long handlerNanos() {
      return handlerNanos;
    }

    /** The rest: handing the response back to the event loop and writing it ({@code total - queued - handler}). */
    public long respondNanos() {
      return handlerNanos < 0 ? totalNanos : Math.max(0, totalNanos - queuedNanos - handlerNanos);
    }

    @Override
    public String toString() {
      return "Timing[total=" + totalNanos + "ns queued=" + queuedNanos + "ns handler=" + handlerNanos + "ns]";
    }
  }
}
