package io.spanfold.otlp.query;

import io.spanfold.otlp.http.HttpRequest;
import io.spanfold.otlp.query.internal.GoJson;

/** Parsing of the query API's numeric parameters with Go's {@code strconv} error wording, as Tempo reports them. */
final class QueryParams {
  private QueryParams() {}

  /** A non-empty parameter value, else null (Tempo's {@code extractQueryParam}). */
  static String param(HttpRequest r, String name) {
    String v = r.queryParam(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /** {@code strconv.ParseInt(s, 10, 32)} then {@code uint32}: unix seconds. */
  static long parseInt32(String param, String s) {
    long v;
    try {
      v = Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
    } catch (NumberFormatException e) {
      boolean digits = s.matches("[+-]?[0-9]+");
      throw new BadRequest("invalid " + param + ": strconv.ParseInt: parsing " + GoJson.goQuote(s) + ": "
          + (digits ? "value out of range" : "invalid syntax"));
    }
    if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
      throw new BadRequest("invalid " + param + ": strconv.ParseInt: parsing " + GoJson.goQuote(s)
          + ": value out of range");
    }
    return v & 0xFFFF_FFFFL;
  }

  /** {@code strconv.Atoi}. */
  static long atoi(String param, String s) {
    try {
      return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
    } catch (NumberFormatException e) {
      boolean digits = s.matches("[+-]?[0-9]+");
      throw new BadRequest("invalid " + param + ": strconv.Atoi: parsing " + GoJson.goQuote(s) + ": "
          + (digits ? "value out of range" : "invalid syntax"));
    }
  }

  /** A 400 with a plain-text message. */
  static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message, null, false, false);
    }
  }
}
