package io.spanfold.core.store;

import java.io.IOException;

/** Finds a whole trace by id. Implemented by the span store; used by the Tempo trace-by-id API. */
public interface TraceLookup {
  /**
   * Returns the trace as OTLP {@code TracesData} protobuf bytes (wire-identical to Tempo's {@code tempopb.Trace}):
   * every span with its resource and scope exactly as received, spans grouped under their resource and scope, the
   * same span received twice returned once. Returns {@code null} when no span of the trace is stored.
   *
   * @param fromNanos only blocks holding data at or after this time are searched; 0 for no bound
   * @param toNanos only blocks holding data at or before this time are searched; 0 for no bound
   */
  byte[] findTrace(long traceIdHigh, long traceIdLow, long fromNanos, long toNanos) throws IOException;
}
