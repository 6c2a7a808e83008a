package io.spanfold.core.query.traceql.internal;

import io.spanfold.core.query.traceql.TraceQLParseException;

/**
 * Internal, unstable: TraceQL lexer following Tempo's (Go {@code text/scanner} tokens, longest match of operator
 * tokens, an attribute mode after {@code .}/{@code span.}/{@code resource.}… that reads a name up to a delimiter, with
 * quoted parts, and numbers immediately followed by duration units read as durations).
 */
final class Lexer {
  private final int[] cp;
  private int pos;
  private int line = 1;
  private int col = 1;

  private boolean parsingAttribute;
  private Tok currentScope;
  // position of the last token read by the regular scanner: attribute tokens report it, as Tempo does
  private int lastLine = 1;
  private int lastCol = 1;

  Lexer(String input) {
    this.cp = input.codePoints().toArray();
  }

  private int peek() {
    return pos < cp.length ? cp[pos] : -1;
  }

  private int peek(int ahead) {
    return pos + ahead < cp.length ? cp[pos + ahead] : -1;
  }

  private int advance() {
    int c = cp[pos++];
    if (c == '\n') {
      line++;
      col = 1;
    } else {
      col++;
    }
    return c;
  }

  static boolean isAttributeRune(int r) {
    if (r < 0 || Character.isWhitespace(r)) {
      return false;
    }
    switch (r) {
      case '{':
      case '}':
      case '(':
      case ')':
      case '=':
      case '~':
      case '!':
      case '<':
      case '>':
      case '&':
      case '|':
      case '^':
      case ',':
        return false;
      default:
        return true;
    }
  }

  private static boolean isDurationRune(int r) {
    switch (r) {
      case 'n':
      case 's':
      case 'u':
      case 'm':
      case 'h':
      case 'µ':
      case 'd':
      case 'w':
      case 'y':
        return true;
      default:
        return false;
    }
  }

  private TraceQLParseException error(String msg, int l, int c) {
    return new TraceQLParseException(msg, l, c);
  }

  Token next() {
    if (parsingAttribute) {
      if (!isAttributeRune(peek())) {
        parsingAttribute = false;
        return new Token(Tok.END_ATTRIBUTE, null, 0, 0, lastLine, lastCol);
      }
      if (currentScope == Tok.PARENT_DOT) {
        Tok scope = tryScope();
        if (scope != null) {
          currentScope = scope;
          return new Token(scope, null, 0, 0, lastLine, lastCol);
        }
      }
      return new Token(Tok.IDENTIFIER, readAttributeName(), 0, 0, lastLine, lastCol);
    }
    skipSpaceAndComments();
    lastLine = line;
    lastCol = col;
    int startLine = line;
    int startCol = col;
    int c = peek();
    if (c < 0) {
      return new Token(Tok.EOF, null, 0, 0, startLine, startCol);
    }
    if (c == '"' || c == '`') {
      return new Token(Tok.STRING, readString(), 0, 0, startLine, startCol);
    }
    if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
      return readNumber(startLine, startCol);
    }
    String text;
    if (Character.isLetter(c) || c == '_') {
      StringBuilder sb = new StringBuilder();
      while (Character.isLetter(peek()) || isDigit(peek()) || Character.isDigit(peek()) || peek() == '_') {
        sb.appendCodePoint(advance());
      }
      text = sb.toString();
    } else {
      text = new String(Character.toChars(advance()));
    }
    // longest combination of fixed tokens (`!` `>` `>` → `!>>`, `span` `.` → `span.`)
    Tok multi = null;
    String combined = text;
    while (peek() >= 0) {
      String candidate = combined + new String(Character.toChars(peek()));
      Tok t = Tok.forText(candidate);
      if (t == null) {
        break;
      }
      multi = t;
      combined = candidate;
      advance();
    }
    Tok tok = multi != null ? multi : Tok.forText(text);
    if (tok == null) {
      return new Token(Tok.IDENTIFIER, text, 0, 0, startLine, startCol);
    }
    if (tok.startsAttribute() || tok.name().endsWith("_COLON")) {
      currentScope = tok;
    }
    parsingAttribute = tok.startsAttribute();
    return new Token(tok, null, 0, 0, startLine, startCol);
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private void skipSpaceAndComments() {
    while (true) {
      int c = peek();
      if (c >= 0 && Character.isWhitespace(c)) {
        advance();
      } else if (c == '/' && peek(1) == '/') {
        while (peek() >= 0 && peek() != '\n') {
          advance();
        }
      } else if (c == '/' && peek(1) == '*') {
        int l = line;
        int cc = col;
        advance();
        advance();
        while (!(peek() == '*' && peek(1) == '/')) {
          if (peek() < 0) {
            throw error("comment not terminated", l, cc);
          }
          advance();
        }
        advance();
        advance();
      } else {
        return;
      }
    }
  }

  private Tok tryScope() {
    String[] scopes = {"span.", "resource."};
    Tok[] toks = {Tok.SPAN_DOT, Tok.RESOURCE_DOT};
    for (int s = 0; s < scopes.length; s++) {
      String scope = scopes[s];
      boolean match = pos + scope.length() <= cp.length;
      for (int i = 0; match && i < scope.length(); i++) {
        match = cp[pos + i] == scope.charAt(i);
      }
      if (match) {
        for (int i = 0; i < scope.length(); i++) {
          advance();
        }
        return toks[s];
      }
    }
    return null;
  }

  private String readAttributeName() {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int r = peek();
      if (r == '"') {
        advance();
        while (true) {
          r = peek();
          if (r < 0) {
            throw error("unexpected EOF, expecting \"", lastLine, lastCol);
          }
          advance();
          if (r == '"') {
            break;
          }
          if (r == '\\') {
            int e = peek();
            if (e == '"' || e == '\\') {
              sb.appendCodePoint(advance());
            } else {
              throw error("invalid escape sequence", lastLine, lastCol);
            }
          } else {
            sb.appendCodePoint(r);
          }
        }
      } else if (isAttributeRune(r)) {
        sb.appendCodePoint(advance());
      } else {
        return sb.toString();
      }
    }
  }

  private String readString() {
    int l = line;
    int c = col;
    int quote = advance();
    StringBuilder sb = new StringBuilder();
    if (quote == '`') {
      while (true) {
        int r = peek();
        if (r < 0) {
          throw error("literal not terminated", l, c);
        }
        advance();
        if (r == '`') {
          return sb.toString();
        }
        if (r != '\r') { // Go drops carriage returns from raw strings
          sb.appendCodePoint(r);
        }
      }
    }
    while (true) {
      int r = peek();
      if (r < 0 || r == '\n') {
        throw error("literal not terminated", l, c);
      }
      advance();
      if (r == '"') {
        return sb.toString();
      }
      if (r != '\\') {
        sb.appendCodePoint(r);
        continue;
      }
      int e = peek();
      if (e < 0) {
        throw error("literal not terminated", l, c);
      }
      advance();
      switch (e) {
        case 'a':
          sb.append('\u0007');
          break;
        case 'b':
          sb.append('\b');
          break;
        case 'f':
          sb.append('\f');
          break;
        case 'n':
          sb.append('\n');
          break;
        case 'r':
          sb.append('\r');
          break;
        case 't':
          sb.append('\t');
          break;
        case 'v':
          sb.append('\u000b');
          break;
        case '\\':
          sb.append('\\');
          break;
        case '"':
          sb.append('"');
          break;
        case 'x':
          sb.appendCodePoint(readHex(2, l, c));
          break;
        case 'u':
          sb.appendCodePoint(readHex(4, l, c));
          break;
        case 'U':
          sb.appendCodePoint(readHex(8, l, c));
          break;
        default:
          if (e >= '0' && e <= '7') {
            int v = e - '0';
            for (int i = 0; i < 2; i++) {
              int d = peek();
              if (d < '0' || d > '7') {
                throw error("invalid char escape", line, col);
              }
              v = v * 8 + (advance() - '0');
            }
            if (v > 255) {
              throw error("octal escape value > 255: " + v, line, col);
            }
            sb.append((char) v);
          } else {
            throw error("invalid char escape", line, col);
          }
      }
    }
  }

  private int readHex(int n, int l, int c) {
    int v = 0;
    for (int i = 0; i < n; i++) {
      int d = Character.digit(peek(), 16);
      if (peek() < 0 || d < 0) {
        throw error("invalid char escape", line, col);
      }
      advance();
      v = v * 16 + d;
    }
    if (v > Character.MAX_CODE_POINT || (v >= 0xD800 && v < 0xE000)) {
      throw error("escape sequence is invalid Unicode code point", line, col);
    }
    return v;
  }

  private Token readNumber(int l, int c) {
    StringBuilder sb = new StringBuilder();
    boolean isFloat = false;
    while (isDigit(peek())) {
      sb.appendCodePoint(advance());
    }
    if (peek() == '.') {
      isFloat = true;
      sb.appendCodePoint(advance());
      while (isDigit(peek())) {
        sb.appendCodePoint(advance());
      }
    }
    if ((peek() == 'e' || peek() == 'E')
        && (isDigit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && isDigit(peek(2))))) {
      isFloat = true;
      sb.appendCodePoint(advance());
      if (peek() == '+' || peek() == '-') {
        sb.appendCodePoint(advance());
      }
      while (isDigit(peek())) {
        sb.appendCodePoint(advance());
      }
    }
    String number = sb.toString();
    // a number immediately followed by duration runes may be a duration: 1h30m, 1.5s, 100ms
    int consumed = 0;
    StringBuilder dur = new StringBuilder(number);
    while (pos + consumed < cp.length) {
      int r = cp[pos + consumed];
      if (Character.isWhitespace(r) || !(Character.isDigit(r) || isDurationRune(r) || r == '.')) {
        break;
      }
      dur.appendCodePoint(r);
      consumed++;
    }
    if (consumed > 0) {
      Long d = Durations.parse(dur.toString());
      if (d != null) {
        for (int i = 0; i < consumed; i++) {
          advance();
        }
        return new Token(Tok.DURATION, null, d, 0, l, c);
      }
    }
    if (isFloat) {
      try {
        return new Token(Tok.FLOAT, null, 0, Double.parseDouble(number), l, c);
      } catch (NumberFormatException e) {
        throw error("strconv.ParseFloat: parsing \"" + number + "\": invalid syntax", l, c);
      }
    }
    try {
      return new Token(Tok.INTEGER, null, Long.parseLong(number), 0, l, c);
    } catch (NumberFormatException e) {
      throw error("strconv.Atoi: parsing \"" + number + "\": value out of range", l, c);
    }
  }
}
