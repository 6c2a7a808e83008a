package io.spanfold.core.query.traceql;

/**
 * The query is valid TraceQL but uses a construct spanfold does not evaluate (TraceQL metrics such as {@code rate()},
 * {@code event.}/{@code link.}/{@code instrumentation.} scopes, {@code parent.} …). The message names the construct.
 */
public final class TraceQLUnsupportedException extends TraceQLException {
  private static final long serialVersionUID = 1L;

  private final String construct;

  public TraceQLUnsupportedException(String construct) {
    super(construct + " not yet supported");
    this.construct = construct;
  }

  /** The construct, as written in the message. */
  public String construct() {
    return construct;
  }
}
