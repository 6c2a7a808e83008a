package io.spanfold.bench.load;

/** Sends one OTLP export request asynchronously. Implementations are thread-safe. */
interface Transport extends AutoCloseable {

  /** Called exactly once per {@link #send}, on any thread; must be quick. */
  interface Completion {
    /**
     * @param outcome how the request ended
     * @param detail the exact status ("HTTP 413", "grpc INVALID_ARGUMENT", "ConnectException") for the breakdown
     * @param rejectedSpans spans the server reported as rejected in a partial success (0 when none)
     */
    void done(Outcome outcome, String detail, long rejectedSpans);
  }

  /** Starts sending {@code body} (an encoded {@code ExportTraceServiceRequest}); never blocks on the response. */
  void send(byte[] body, Completion completion);

  @Override
  void close();
}
