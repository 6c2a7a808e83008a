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

  /**
   * As {@link #findTrace(long, long, long, long)} within one tenant's data: a trace of another tenant is never
   * returned. The default serves only the single tenant ({@code SpanBatch.DEFAULT_TENANT}) from the lookup above and
   * finds nothing for any other tenant; multi-tenant stores override it.
   */
  default byte[] findTrace(String tenant, long traceIdHigh, long traceIdLow, long fromNanos, long toNanos)
      throws IOException {
    if (!io.spanfold.core.model.SpanBatch.DEFAULT_TENANT.equals(tenant)) {
      return null;
    }
    return findTrace(traceIdHigh, traceIdLow, fromNanos, toNanos);
  }
}
