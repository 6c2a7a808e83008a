package io.spanfold.core.query.traceql.internal;

import java.math.BigDecimal;

/** Internal, unstable: Go's number and duration formats, so canonical query strings read as Tempo's do. */
public final class GoFormat {
  private GoFormat() {}

  /** Go's {@code time.Duration.String()}: {@code 1h30m0s}, {@code 1.5s}, {@code 100ms}, {@code 1µs}, {@code 0s}. */
  public static String formatDuration(long d) {
    if (d == 0) {
      return "0s";
    }
    boolean neg = d < 0;
    // magnitude as unsigned: Long.MIN_VALUE stays representable through unsigned arithmetic
    long u = neg ? -d : d;
    StringBuilder sb = new StringBuilder();
    if (Long.compareUnsigned(u, 1_000_000_000L) < 0) {
      // sub-second: use smaller units
      String unit;
      long div;
      if (u < 1_000L) {
        return (neg ? "-" : "") + u + "ns";
      } else if (u < 1_000_000L) {
        unit = "µs";
        div = 1_000L;
      } else {
        unit = "ms";
        div = 1_000_000L;
      }
      sb.append(fraction(u, div)).append(unit);
    } else {
      long secsTotal = Long.divideUnsigned(u, 1_000_000_000L);
      long nanos = Long.remainderUnsigned(u, 1_000_000_000L);
      long h = secsTotal / 3600;
      long m = (secsTotal / 60) % 60;
      long s = secsTotal % 60;
      if (h > 0) {
        sb.append(h).append('h');
      }
      if (h > 0 || m > 0) {
        sb.append(m).append('m');
      }
      sb.append(fraction(s * 1_000_000_000L + nanos, 1_000_000_000L)).append('s');
    }
    return (neg ? "-" : "") + sb;
  }

  private static String fraction(long v, long div) {
    long whole = v / div;
    long frac = v % div;
    if (frac == 0) {
      return Long.toString(whole);
    }
    String f = Long.toString(div + frac).substring(1);
    int end = f.length();
    while (end > 0 && f.charAt(end - 1) == '0') {
      end--;
    }
    return whole + "." + f.substring(0, end);
  }

  /**
   * Go's {@code strconv.FormatFloat(f, 'g', -1, 64)} plus Tempo's ".0" suffix when the result has neither a point nor
   * an exponent.
   */
  public static String formatFloat(double f) {
    String s;
    if (Double.isNaN(f)) {
      s = "NaN";
    } else if (Double.isInfinite(f)) {
      s = f > 0 ? "+Inf" : "-Inf";
    } else if (f == 0) {
      s = (1 / f < 0) ? "-0" : "0";
    } else {
      BigDecimal bd = new BigDecimal(Double.toString(Math.abs(f))).stripTrailingZeros();
      String digits = bd.unscaledValue().toString();
      int exp = digits.length() - 1 - bd.scale(); // decimal exponent of the first digit
      StringBuilder sb = new StringBuilder();
      if (f < 0) {
        sb.append('-');
      }
      if (exp < -4 || exp >= 6) {
        sb.append(digits.charAt(0));
        if (digits.length() > 1) {
          sb.append('.').append(digits, 1, digits.length());
        }
        sb.append('e').append(exp < 0 ? '-' : '+');
        int ae = Math.abs(exp);
        if (ae < 10) {
          sb.append('0');
        }
        sb.append(ae);
      } else if (exp < 0) {
        sb.append("0.");
        for (int i = -1; i > exp; i--) {
          sb.append('0');
        }
        sb.append(digits);
      } else if (digits.length() <= exp + 1) {
        sb.append(digits);
        for (int i = digits.length(); i <= exp; i++) {
          sb.append('0');
        }
      } else {
        sb.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, digits.length());
      }
      s = sb.toString();
    }
    if (s.indexOf('e') < 0 && s.indexOf('.') < 0 && s.indexOf('N') < 0 && s.indexOf('I') < 0) {
      s += ".0";
    }
    return s;
  }
}
