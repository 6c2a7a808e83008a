package io.spanfold.core.query.traceql;

/**
 * The query is not valid TraceQL: a syntax error ({@code parse error at line 1, col 12: syntax error: unexpected …},
 * as Tempo words it) or a semantic error found after parsing (for example {@code span filter field expressions must
 * resolve to a boolean: { 1 }}), which carries no position.
 */
public final class TraceQLParseException extends TraceQLException {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final int column;

  /** A syntax error at a 1-based line and column (column counted in characters). */
  public TraceQLParseException(String message, int line, int column) {
    super("parse error at line " + line + ", col " + column + ": " + message);
    this.line = line;
    this.column = column;
  }

  /** A semantic error without a position. */
  public TraceQLParseException(String message) {
    super(message);
    this.line = 0;
    this.column = 0;
  }

  /** 1-based line of the offending token, 0 for a semantic error. */
  public int line() {
    return line;
  }

  /** 1-based column of the offending token, 0 for a semantic error. */
  public int column() {
    return column;
  }
}
