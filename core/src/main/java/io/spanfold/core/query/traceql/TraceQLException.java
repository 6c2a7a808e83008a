package io.spanfold.core.query.traceql;

/**
 * A TraceQL query that cannot be run. The HTTP layer answers 400 with {@code "invalid TraceQL query: " + getMessage()}
 * (Tempo's wording), never an empty result.
 */
public abstract class TraceQLException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  TraceQLException(String message) {
    super(message);
  }
}
