package io.spanfold.core.query.traceql.internal;

/**
 * Internal, unstable: duration literals as Tempo reads them — Prometheus style first ({@code 1y2w3d4h5m6s7ms}, integer
 * parts, units in that order), else Go's {@code time.ParseDuration} ({@code 1.5h}, {@code 300us}, {@code 2h45m}).
 */
public final class Durations {
  private Durations() {}

  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;
  private static final long M = 60 * S;
  private static final long H = 60 * M;
  private static final long D = 24 * H;

  /** Nanoseconds, or null when {@code s} is not a duration in either syntax. */
  public static Long parse(String s) {
    Long p = parsePrometheus(s);
    return p != null ? p : parseGo(s);
  }

  static Long parsePrometheus(String s) {
    if (s.isEmpty()) {
      return null;
    }
    if (s.equals("0")) {
      return 0L;
    }
    String[] units = {"y", "w", "d", "h", "m", "s", "ms"};
    long[] mult = {365 * D, 7 * D, D, H, M, S, MS};
    int p = 0;
    int nextUnit = 0;
    long total = 0;
    while (p < s.length()) {
      int start = p;
      while (p < s.length() && s.charAt(p) >= '0' && s.charAt(p) <= '9') {
        p++;
      }
      if (p == start) {
        return null;
      }
      String digits = s.substring(start, p);
      int unitIdx = -1;
      // try "ms" before "m"
      for (int u = nextUnit; u < units.length; u++) {
        if (s.startsWith(units[u], p) && !(units[u].equals("m") && s.startsWith("ms", p))) {
          unitIdx = u;
          break;
        }
      }
      if (unitIdx < 0) {
        return null;
      }
      p += units[unitIdx].length();
      nextUnit = unitIdx + 1;
      try {
        long v = Long.parseLong(digits);
        total = Math.addExact(total, Math.multiplyExact(v, mult[unitIdx]));
      } catch (ArithmeticException | NumberFormatException overflow) {
        return null;
      }
    }
    return total;
  }

  /** Go's {@code time.ParseDuration} only: nanoseconds, or null. */
  public static Long parseGoDuration(String s) {
    return parseGo(s);
  }

  static Long parseGo(String s) {
    boolean neg = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      neg = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return 0L;
    }
    if (s.isEmpty()) {
      return null;
    }
    long exact = 0;
    boolean exactOk = true;
    int p = 0;
    while (p < s.length()) {
      int start = p;
      while (p < s.length() && Character.isDigit(s.charAt(p)) && s.charAt(p) < 128) {
        p++;
      }
      String intPart = s.substring(start, p);
      String fracPart = "";
      if (p < s.length() && s.charAt(p) == '.') {
        p++;
        int fs = p;
        while (p < s.length() && s.charAt(p) >= '0' && s.charAt(p) <= '9') {
          p++;
        }
        fracPart = s.substring(fs, p);
      }
      if (intPart.isEmpty() && fracPart.isEmpty()) {
        return null;
      }
      int us = p;
      while (p < s.length() && s.charAt(p) != '.' && !(s.charAt(p) >= '0' && s.charAt(p) <= '9')) {
        p++;
      }
      String unit = s.substring(us, p);
      long mult;
      switch (unit) {
        case "ns":
          mult = 1;
          break;
        case "us":
        case "µs":
        case "μs":
          mult = 1_000;
          break;
        case "ms":
          mult = MS;
          break;
        case "s":
          mult = S;
          break;
        case "m":
          mult = M;
          break;
        case "h":
          mult = H;
          break;
        default:
          return null;
      }
      try {
        long whole = intPart.isEmpty() ? 0 : Long.parseLong(intPart);
        long part = Math.multiplyExact(whole, mult);
        if (!fracPart.isEmpty()) {
          // fraction * unit, truncated toward zero like Go
          java.math.BigDecimal f = new java.math.BigDecimal("0." + fracPart).multiply(java.math.BigDecimal.valueOf(mult));
          part = Math.addExact(part, f.longValue());
        }
        exact = Math.addExact(exact, part);
      } catch (ArithmeticException | NumberFormatException overflow) {
        exactOk = false;
      }
    }
    if (!exactOk) {
      return null;
    }
    return neg ? -exact : exact;
  }
}
