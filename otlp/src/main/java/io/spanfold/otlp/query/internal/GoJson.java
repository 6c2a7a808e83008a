package io.spanfold.otlp.query.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Internal, unstable. Formats JSON scalars byte-for-byte as Go's {@code encoding/json} does (which gogo {@code jsonpb}
 * and therefore Tempo use): string escaping with HTML-safe escapes and per-byte replacement of invalid UTF-8, and
 * shortest round-trip float formatting with Go's switch to exponent form.
 */
public final class GoJson {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private GoJson() {}

  /**
   * Appends the quoted JSON string for the UTF-8 bytes {@code buf[off, off+len)} as Go escapes it: {@code " \\} and
   * {@code \b \f \n \r \t} short escapes, other control characters and {@code < > &} as {@code \\u00xx}, U+2028 and
   * U+2029 escaped, each byte of an invalid UTF-8 sequence as {@code \\ufffd}.
   */
  public static void appendQuoted(StringBuilder out, byte[] buf, int off, int len) {
    out.append('"');
    int end = off + len;
    int i = off;
    while (i < end) {
      int b = buf[i] & 0xFF;
      if (b < 0x80) {
        appendAscii(out, b);
        i++;
        continue;
      }
      int size = validRuneSize(buf, i, end);
      if (size == 0) {
        out.append("\\ufffd");
        i++;
        continue;
      }
      int cp = decode(buf, i, size);
      if (cp == 0x2028 || cp == 0x2029) {
        out.append("\\u202").append(HEX[cp & 0xF]);
      } else {
        out.appendCodePoint(cp);
      }
      i += size;
    }
    out.append('"');
  }

  /** Appends a quoted JSON string for a Java string (assumed valid UTF-16) with Go's escaping. */
  public static void appendQuoted(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        appendAscii(out, c);
      } else if (c == 0x2028 || c == 0x2029) {
        out.append("\\u202").append(HEX[c & 0xF]);
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }

  private static void appendAscii(StringBuilder out, int b) {
    switch (b) {
      case '"':
        out.append("\\\"");
        return;
      case '\\':
        out.append("\\\\");
        return;
      case '\b':
        out.append("\\b");
        return;
      case '\f':
        out.append("\\f");
        return;
      case '\n':
        out.append("\\n");
        return;
      case '\r':
        out.append("\\r");
        return;
      case '\t':
        out.append("\\t");
        return;
      case '<':
      case '>':
      case '&':
        out.append("\\u00").append(HEX[b >> 4]).append(HEX[b & 0xF]);
        return;
      default:
        if (b < 0x20) {
          out.append("\\u00").append(HEX[b >> 4]).append(HEX[b & 0xF]);
        } else {
          out.append((char) b);
        }
    }
  }

  /** Size of the valid UTF-8 sequence at {@code i} under Go's rules (no surrogates, no overlongs), or 0. */
  private static int validRuneSize(byte[] buf, int i, int end) {
    int b0 = buf[i] & 0xFF;
    int lo = 0x80;
    int hi = 0xBF;
    int size;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      size = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      size = 3;
      if (b0 == 0xE0) {
        lo = 0xA0;
      } else if (b0 == 0xED) {
        hi = 0x9F;
      }
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      size = 4;
      if (b0 == 0xF0) {
        lo = 0x90;
      } else if (b0 == 0xF4) {
        hi = 0x8F;
      }
    } else {
      return 0;
    }
    if (i + size > end) {
      return 0;
    }
    int b1 = buf[i + 1] & 0xFF;
    if (b1 < lo || b1 > hi) {
      return 0;
    }
    for (int k = 2; k < size; k++) {
      int bk = buf[i + k] & 0xFF;
      if (bk < 0x80 || bk > 0xBF) {
        return 0;
      }
    }
    return size;
  }

  private static int decode(byte[] buf, int i, int size) {
    int b0 = buf[i] & 0xFF;
    switch (size) {
      case 2:
        return (b0 & 0x1F) << 6 | (buf[i + 1] & 0x3F);
      case 3:
        return (b0 & 0x0F) << 12 | (buf[i + 1] & 0x3F) << 6 | (buf[i + 2] & 0x3F);
      default:
        return (b0 & 0x07) << 18 | (buf[i + 1] & 0x3F) << 12 | (buf[i + 2] & 0x3F) << 6 | (buf[i + 3] & 0x3F);
    }
  }

  /**
   * A finite double as Go's {@code encoding/json} writes a float64: the shortest decimal that reads back as the same
   * value (ties to the closest), in plain form unless {@code |f| < 1e-6} or {@code |f| >= 1e21}, where exponent form
   * like {@code 1e+21} or {@code 1.5e-7} is used.
   */
  public static String formatDouble(double f) {
    if (Double.isNaN(f) || Double.isInfinite(f)) {
      throw new IllegalArgumentException("not finite: " + f);
    }
    if (f == 0) {
      return (Double.doubleToRawLongBits(f) < 0) ? "-0" : "0";
    }
    double abs = Math.abs(f);
    if (abs == Math.rint(abs) && abs < 1e15) {
      return Long.toString((long) f);
    }
    BigDecimal shortest = shortest(f);
    if (abs < 1e-6 || abs >= 1e21) {
      return exponentForm(shortest);
    }
    return shortest.toPlainString();
  }

  private static BigDecimal shortest(double f) {
    BigDecimal exact = new BigDecimal(f);
    for (int p = 1; p < 17; p++) {
      BigDecimal candidate = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (candidate.doubleValue() == f) {
        return candidate.stripTrailingZeros();
      }
      // Near a power of two the round-trip interval is lopsided: a neighbour may read back when the nearest does not.
      BigDecimal ulp = candidate.ulp();
      BigDecimal up = candidate.add(ulp);
      if (up.doubleValue() == f) {
        return up.stripTrailingZeros();
      }
      BigDecimal down = candidate.subtract(ulp);
      if (down.doubleValue() == f) {
        return down.stripTrailingZeros();
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
  }

  private static String exponentForm(BigDecimal d) {
    BigDecimal n = d.stripTrailingZeros();
    String digits = n.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - n.scale();
    StringBuilder sb = new StringBuilder(digits.length() + 8);
    if (n.signum() < 0) {
      sb.append('-');
    }
    sb.append(digits.charAt(0));
    if (digits.length() > 1) {
      sb.append('.').append(digits, 1, digits.length());
    }
    sb.append('e').append(exp < 0 ? '-' : '+');
    int e = Math.abs(exp);
    if (e < 10 && exp >= 0) {
      sb.append('0');
    }
    sb.append(e);
    return sb.toString();
  }

  /** Quotes a value as Go's {@code strconv.Quote} does for the ASCII range (used in Go error messages). */
  public static String goQuote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20 || c == 0x7F) {
            sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xF]);
          } else {
            sb.append(c);
          }
      }
    }
    return sb.append('"').toString();
  }
}
