package io.spanfold.otlp.guard;

import io.spanfold.core.model.SpanBatch;

/**
 * Tenant ids as Tempo takes them: the {@code X-Scope-OrgID} header (gRPC metadata {@code x-scope-orgid}) when
 * multi-tenancy is on, else every request belongs to {@value SpanBatch#DEFAULT_TENANT}. Ids are validated as Grafana's
 * dskit validates them (at most 150 characters of {@code [a-zA-Z0-9!-_.*'()]}, not {@code .} or {@code ..}).
 */
public final class Tenants {
  /** The header (lowercase) carrying the tenant id. */
  public static final String HEADER = "x-scope-orgid";
  /** dskit's error for a missing org id. */
  public static final String NO_ORG_ID = "no org id";

  private static final int MAX_LENGTH = 150;

  private Tenants() {}

  /**
   * Returns why {@code id} is not a valid tenant id, or {@code null} when it is.
   */
  public static String invalid(String id) {
    if (id.length() > MAX_LENGTH) {
      return "tenant ID is too long: max " + MAX_LENGTH + " characters";
    }
    if (id.equals(".") || id.equals("..")) {
      return "tenant ID is '.' or '..'";
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!-_.*'()".indexOf(c) >= 0;
      if (!ok) {
        return "tenant ID '" + id + "' contains unsupported character '" + c + "'";
      }
    }
    return null;
  }
}
