package io.spanfold.core.query.traceql;

import io.spanfold.core.query.traceql.internal.Parser;

/** Entry point: parses TraceQL as Tempo 2.10 does. */
public final class TraceQL {
  private TraceQL() {}

  /**
   * Parses and validates a TraceQL search query.
   *
   * @throws TraceQLParseException on a syntax error (with Tempo's {@code parse error at line L, col C: …} message) or a
   *     type error
   * @throws TraceQLUnsupportedException on valid TraceQL that spanfold does not evaluate (metrics functions,
   *     {@code parent.}, {@code event.}/{@code link.}/{@code instrumentation.} scopes, …)
   */
  public static Query parse(String query) {
    return new Query(query, Parser.parse(query));
  }
}
