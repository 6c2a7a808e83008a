package io.spanfold.otlp.guard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;

/**
 * Checks an HTTP {@code Authorization} header (gRPC: the {@code authorization} metadata) against one configured
 * credential: a bearer token or a basic-auth user and password. The comparison takes the same time whatever the
 * presented value (both sides are hashed with SHA-256 and compared with {@link MessageDigest#isEqual}), so timing does
 * not reveal how much of a guess was right. The secret never appears in {@link #toString()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Authenticator {
  /** What a check found. */
  public enum Outcome {
    /** No credential configured, or the right one presented. */
    ALLOWED,
    /** Nothing presented: HTTP 401 with {@code WWW-Authenticate}, gRPC {@code UNAUTHENTICATED}. */
    MISSING,
    /** Something else presented: HTTP 403, gRPC {@code PERMISSION_DENIED}. */
    WRONG
  }

  /** Lets everything through. */
  public static final Authenticator NONE = new Authenticator(null, null, "none");

  private static final String REALM = "spanfold";

  private final String scheme;
  private final byte[] expectedDigest;
  private final String kind;

  private Authenticator(String scheme, byte[] expectedDigest, String kind) {
    this.scheme = scheme;
    this.expectedDigest = expectedDigest;
    this.kind = kind;
  }

  /** Requires {@code Authorization: Bearer <token>}. */
  public static Authenticator bearerToken(String token) {
    Objects.requireNonNull(token, "token");
    if (token.isBlank()) {
      throw new IllegalArgumentException("token is empty");
    }
    return new Authenticator("bearer", sha256(token.getBytes(StandardCharsets.UTF_8)), "bearer");
  }

  /** Requires {@code Authorization: Basic base64(user:password)}. */
  public static Authenticator basic(String user, String password) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (user.isEmpty() || user.indexOf(':') >= 0) {
      throw new IllegalArgumentException("user must be non-empty and contain no ':'");
    }
    return new Authenticator("basic", sha256((user + ":" + password).getBytes(StandardCharsets.UTF_8)), "basic");
  }

  /**
   * Parses {@code user:password} as given on a command line.
   *
   * @throws IllegalArgumentException when the value is unusable (the value is not echoed)
   */
  public static Authenticator parseBasic(String userColonPassword) {
    int colon = userColonPassword.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("basic auth must be user:password");
    }
    return basic(userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1));
  }

  /** Whether a credential is configured. */
  public boolean required() {
    return scheme != null;
  }

  /** Checks a presented {@code Authorization} value ({@code null} when absent). */
  public Outcome check(String authorization) {
    if (scheme == null) {
      return Outcome.ALLOWED;
    }
    if (authorization == null || authorization.isBlank()) {
      return Outcome.MISSING;
    }
    String value = authorization.trim();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).toLowerCase(Locale.ROOT).equals(scheme)) {
      return Outcome.WRONG;
    }
    String credential = value.substring(space + 1).trim();
    byte[] presented;
    if (scheme.equals("basic")) {
      try {
        presented = Base64.getDecoder().decode(credential);
      } catch (IllegalArgumentException e) {
        return Outcome.WRONG;
      }
    } else {
      presented = credential.getBytes(StandardCharsets.UTF_8);
    }
    return MessageDigest.isEqual(sha256(presented), expectedDigest) ? Outcome.ALLOWED : Outcome.WRONG;
  }

  /** The {@code WWW-Authenticate} value of a 401. */
  public String challenge() {
    return (scheme == null || scheme.equals("bearer") ? "Bearer" : "Basic") + " realm=\"" + REALM + "\"";
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "Authenticator{" + kind + (scheme == null ? "" : ", credential=<redacted>") + "}";
  }
}
