package io.spanfold.core.query.traceql.internal;

/** Internal, unstable: one lexed token with its 1-based position. */
final class Token {
  final Tok type;
  final String str;
  final long longValue;
  final double floatValue;
  final int line;
  final int col;

  Token(Tok type, String str, long longValue, double floatValue, int line, int col) {
    this.type = type;
    this.str = str;
    this.longValue = longValue;
    this.floatValue = floatValue;
    this.line = line;
    this.col = col;
  }

  /** How Tempo's parser names this token after "unexpected". */
  String display() {
    return type.text;
  }

  @Override
  public String toString() {
    return type + (str != null ? "(" + str + ")" : "") + "@" + line + ":" + col;
  }
}
