package io.spanfold.core.query;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the {@code tags} parameter of Tempo's {@code /api/search}: logfmt ({@code k=v k2="v 2"}), decoded as the
 * go-logfmt decoder Tempo uses does. A bare key ({@code k}) or {@code k=} has the empty value; quoted values take the
 * JSON escapes {@code \" \\ \/ \b \f \n \r \t \\uXXXX}; newlines separate records, all of which are read.
 *
 * <p>Errors carry Tempo's wording: {@code invalid tags: unexpected '=' at pos 3}, {@code invalid tags: unterminated
 * quoted value at pos 9}, {@code invalid tags: tag k has been set twice}.
 */
public final class LogfmtTags {
  private LogfmtTags() {}

  /**
   * Parses tags in input order.
   *
   * @throws IllegalArgumentException with Tempo's message on a syntax error or a repeated key
   */
  public static Map<String, String> parse(String encoded) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : encoded.split("\r?\n", -1)) {
      parseLine(line, out);
    }
    return Collections.unmodifiableMap(out);
  }

  private static void parseLine(String line, Map<String, String> out) {
    int pos = 0;
    int n = line.length();
    while (true) {
      while (pos < n && line.charAt(pos) <= ' ') {
        pos++;
      }
      if (pos >= n) {
        return;
      }
      int start = pos;
      String key = null;
      String value = "";
      boolean equals = false;
      while (pos < n) {
        char c = line.charAt(pos);
        if (c == '=') {
          if (pos == start) {
            throw syntax("unexpected '='", pos);
          }
          key = line.substring(start, pos);
          equals = true;
          break;
        }
        if (c == '"') {
          throw syntax("unexpected '\"'", pos);
        }
        if (c <= ' ') {
          break;
        }
        pos++;
      }
      if (key == null) {
        key = line.substring(start, pos);
      }
      if (key.indexOf('\uFFFD') >= 0) {
        throw syntax("invalid key", pos);
      }
      if (equals) {
        pos++; // '='
        if (pos < n && line.charAt(pos) == '"') {
          int q = pos + 1;
          StringBuilder sb = new StringBuilder();
          boolean closed = false;
          while (q < n) {
            char c = line.charAt(q);
            if (c == '"') {
              closed = true;
              break;
            }
            if (c == '\\') {
              if (q + 1 >= n) {
                break;
              }
              char e = line.charAt(q + 1);
              q += 2;
              switch (e) {
                case '"':
                case '\\':
                case '/':
                  sb.append(e);
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
                case 'u':
                  if (q + 4 > n) {
                    throw syntax("invalid quoted value", closingQuoteOrEnd(line, q));
                  }
                  try {
                    sb.append((char) Integer.parseInt(line.substring(q, q + 4), 16));
                  } catch (NumberFormatException bad) {
                    throw syntax("invalid quoted value", closingQuoteOrEnd(line, q));
                  }
                  q += 4;
                  break;
                default:
                  throw syntax("invalid quoted value", closingQuoteOrEnd(line, q));
              }
              continue;
            }
            sb.append(c);
            q++;
          }
          if (!closed) {
            throw syntax("unterminated quoted value", n);
          }
          value = sb.toString();
          pos = q + 1;
        } else {
          int vs = pos;
          while (pos < n && line.charAt(pos) > ' ') {
            char c = line.charAt(pos);
            if (c == '=' || c == '"') {
              throw syntax("unexpected '" + c + "'", pos);
            }
            pos++;
          }
          value = line.substring(vs, pos);
        }
      }
      if (out.containsKey(key)) {
        throw new IllegalArgumentException("invalid tags: tag " + key + " has been set twice");
      }
      out.put(key, value);
    }
  }

  private static int closingQuoteOrEnd(String line, int from) {
    int i = line.indexOf('"', from);
    return i < 0 ? line.length() : i + 1;
  }

  /** go-logfmt reports 1-based byte positions. */
  private static IllegalArgumentException syntax(String msg, int zeroBasedPos) {
    return new IllegalArgumentException("invalid tags: " + msg + " at pos " + (zeroBasedPos + 1));
  }
}
