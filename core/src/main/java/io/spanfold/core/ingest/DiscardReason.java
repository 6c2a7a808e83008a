package io.spanfold.core.ingest;

/** Why a span was dropped at ingest; {@link #label()} is the {@code reason} label of the discard counter. */
public enum DiscardReason {
  INVALID_TRACE_ID("invalid_trace_id", "trace id must be 16 bytes and not all zero"),
  INVALID_SPAN_ID("invalid_span_id", "span id must be 8 bytes and not zero"),
  INVALID_PARENT_SPAN_ID("invalid_parent_span_id", "parent span id must be empty or 8 bytes"),
  INVALID_TIMESTAMPS("invalid_timestamps", "end time is before start time"),
  /** The tenant's byte rate limit refused the request (Tempo's {@code rate_limited}). */
  RATE_LIMITED("rate_limited", "ingestion rate limit exceeded"),
  /** The span would have made its trace larger than the per-trace byte limit (Tempo's {@code trace_too_large}). */
  TRACE_TOO_LARGE("trace_too_large", "trace exceeds the max bytes per trace"),
  /** The span would have started a trace beyond the tenant's live-trace limit ({@code live_traces_exceeded}). */
  LIVE_TRACES_EXCEEDED("live_traces_exceeded", "too many live traces for the tenant");

  private final String label;
  private final String description;

  DiscardReason(String label, String description) {
    this.label = label;
    this.description = description;
  }

  public String label() {
    return label;
  }

  public String description() {
    return description;
  }
}
