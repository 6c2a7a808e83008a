package io.spanfold.otlp.guard;

import io.spanfold.core.ingest.DiscardReason;
import io.spanfold.core.ingest.IngestLimiter;
import io.spanfold.core.ingest.IngestMetrics;
import io.spanfold.core.ingest.IngestRateLimiter;
import io.spanfold.core.model.SpanBatch;
import java.util.Objects;
import java.util.function.Function;

/**
 * What both OTLP receivers check before they take a request: credentials ({@link Authenticator}), the tenant
 * ({@link Tenants}), the shared memory budget ({@link IngestLimiter}) and the tenant's byte rate limit
 * ({@link IngestRateLimiter}). Every refusal is counted through {@link IngestMetrics}. {@link #NONE} checks nothing.
 *
 * <p>Immutable and thread-safe.
 */
public final class IngestGuard {
  /** Checks nothing: every request is the default tenant's and is taken. */
  public static final IngestGuard NONE = builder().build();

  private final Authenticator authenticator;
  private final boolean multitenancy;
  private final IngestLimiter memoryBudget;
  private final IngestRateLimiter rateLimiter;
  private final int retryAfterSeconds;
  private final IngestMetrics metrics;

  private IngestGuard(Builder b) {
    this.authenticator = b.authenticator;
    this.multitenancy = b.multitenancy;
    this.memoryBudget = b.memoryBudget;
    this.rateLimiter = b.rateLimiter;
    this.retryAfterSeconds = b.retryAfterSeconds;
    this.metrics = b.metrics;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The verdict on a request's credentials and tenant. */
  public static final class Verdict {
    /** The answer kinds, with the HTTP status and gRPC code each maps to. */
    public enum Kind {
      OK(200),
      UNAUTHENTICATED(401),
      PERMISSION_DENIED(403),
      INVALID_TENANT(400);

      private final int httpStatus;

      Kind(int httpStatus) {
        this.httpStatus = httpStatus;
      }

      public int httpStatus() {
        return httpStatus;
      }
    }

    private final Kind kind;
    private final String tenant;
    private final String message;

    private Verdict(Kind kind, String tenant, String message) {
      this.kind = kind;
      this.tenant = tenant;
      this.message = message;
    }

    public boolean ok() {
      return kind == Kind.OK;
    }

    public Kind kind() {
      return kind;
    }

    /** The request's tenant when {@link #ok()}. */
    public String tenant() {
      return tenant;
    }

    /** Why the request is refused ({@code ""} when ok). */
    public String message() {
      return message;
    }
  }

  private static final Verdict DEFAULT_TENANT = new Verdict(Verdict.Kind.OK, SpanBatch.DEFAULT_TENANT, "");

  /**
   * Checks credentials and the tenant from a request's headers.
   *
   * @param header looks a header (HTTP) or metadata key (gRPC) up by lowercase name; {@code null} when absent
   */
  public Verdict admit(Function<String, String> header) {
    Authenticator.Outcome auth = authenticator.check(header.apply("authorization"));
    if (auth != Authenticator.Outcome.ALLOWED) {
      metrics.requestRejected(SpanBatch.DEFAULT_TENANT, "unauthenticated", -1);
      return auth == Authenticator.Outcome.MISSING
          ? new Verdict(Verdict.Kind.UNAUTHENTICATED, null, "missing credentials")
          : new Verdict(Verdict.Kind.PERMISSION_DENIED, null, "invalid credentials");
    }
    Verdict v = tenant(multitenancy, header);
    if (!v.ok()) {
      metrics.requestRejected(SpanBatch.DEFAULT_TENANT,
          v.kind() == Verdict.Kind.UNAUTHENTICATED ? "no_org_id" : "invalid_tenant", -1);
    }
    return v;
  }

  /** The tenant of a request (Tempo's rules; shared with the query side). */
  static Verdict tenant(boolean multitenancy, Function<String, String> header) {
    if (!multitenancy) {
      return DEFAULT_TENANT;
    }
    String id = header.apply(Tenants.HEADER);
    if (id == null || id.isEmpty()) {
      return new Verdict(Verdict.Kind.UNAUTHENTICATED, null, Tenants.NO_ORG_ID);
    }
    String invalid = Tenants.invalid(id);
    if (invalid != null) {
      return new Verdict(Verdict.Kind.INVALID_TENANT, null, invalid);
    }
    return new Verdict(Verdict.Kind.OK, id, "");
  }

  /** The {@code WWW-Authenticate} value of a 401 ({@code null} when no credential is configured). */
  public String challenge() {
    return authenticator.required() ? authenticator.challenge() : null;
  }

  /**
   * Reserves {@code bytes} of the memory budget (always true without one).
   *
   * @return whether the request may be read; when false the refusal has been counted
   */
  public boolean reserve(long bytes) {
    if (memoryBudget == null || memoryBudget.tryAcquire(bytes)) {
      return true;
    }
    overloaded(bytes);
    return false;
  }

  /** Counts a request refused because the memory budget was exhausted ({@code bytes} -1 when unknown). */
  public void overloaded(long bytes) {
    metrics.requestRejected(SpanBatch.DEFAULT_TENANT, "memory_budget", bytes);
  }

  /** Releases bytes {@link #reserve reserved}. */
  public void release(long bytes) {
    if (memoryBudget != null) {
      memoryBudget.release(bytes);
    }
  }

  /** The memory budget, or {@code null}. */
  public IngestLimiter memoryBudget() {
    return memoryBudget;
  }

  /**
   * Applies the tenant's rate limit to a decoded request of {@code bytes} bytes and {@code spans} spans.
   *
   * @return {@code null} when it may pass, else Tempo's error message (the spans have been counted as discarded)
   */
  public String rateLimit(String tenant, long bytes, int spans) {
    if (rateLimiter == null || spans == 0 || rateLimiter.tryAcquire(tenant, bytes)) {
      return null;
    }
    metrics.discarded(tenant, DiscardReason.RATE_LIMITED, spans);
    metrics.requestRejected(tenant, "rate_limited", bytes);
    return rateLimiter.rejectionMessage(tenant, bytes);
  }

  /** Seconds clients are told to wait after an overload refusal ({@code Retry-After}, gRPC {@code RetryInfo}). */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** The message of a memory-budget refusal. */
  public String overloadMessage() {
    return "server overloaded: ingest memory budget of " + (memoryBudget == null ? 0 : memoryBudget.capacity())
        + " bytes exhausted, retry later";
  }

  @Override
  public String toString() {
    return "IngestGuard{authenticator=" + authenticator + ", multitenancy=" + multitenancy + ", memoryBudget="
        + memoryBudget + ", rateLimiter=" + rateLimiter + ", retryAfterSeconds=" + retryAfterSeconds + "}";
  }

  /** Settings; everything off by default. */
  public static final class Builder {
    private Authenticator authenticator = Authenticator.NONE;
    private boolean multitenancy;
    private IngestLimiter memoryBudget;
    private IngestRateLimiter rateLimiter;
    private int retryAfterSeconds = 1;
    private IngestMetrics metrics = IngestMetrics.NOOP;

    private Builder() {}

    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    /** Requires {@code X-Scope-OrgID} and files spans under it (default off: one tenant). */
    public Builder multitenancy(boolean multitenancy) {
      this.multitenancy = multitenancy;
      return this;
    }

    /** Bounds request bytes held at once; share one limiter between both receivers. */
    public Builder memoryBudget(IngestLimiter memoryBudget) {
      this.memoryBudget = Objects.requireNonNull(memoryBudget, "memoryBudget");
      return this;
    }

    public Builder rateLimiter(IngestRateLimiter rateLimiter) {
      this.rateLimiter = Objects.requireNonNull(rateLimiter, "rateLimiter");
      return this;
    }

    /** Default 1. */
    public Builder retryAfterSeconds(int retryAfterSeconds) {
      if (retryAfterSeconds < 0) {
        throw new IllegalArgumentException("retryAfterSeconds < 0: " + retryAfterSeconds);
      }
      this.retryAfterSeconds = retryAfterSeconds;
      return this;
    }

    /** Where refusals are counted (use the same instance as {@code SpanIngest}'s). */
    public Builder metrics(IngestMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    public IngestGuard build() {
      return new IngestGuard(this);
    }
  }
}
