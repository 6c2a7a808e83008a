package io.spanfold.otlp.guard;

import io.spanfold.core.model.SpanBatch;
import io.spanfold.otlp.http.HttpGate;
import io.spanfold.otlp.http.HttpHandler;
import io.spanfold.otlp.http.HttpRequest;
import io.spanfold.otlp.http.HttpResponse;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * Protection of the query port: credentials and tenant checked on each request's head ({@link #gate()}; paths in
 * {@link Builder#openPaths}, by default {@code /ready} and {@code /metrics}, stay open), and a cap on queries running
 * at once ({@link #limit}): beyond it a query gets 429 at once instead of queueing (Tempo's frontend answers 429
 * {@code too many outstanding requests} when its queue is full).
 *
 * <p>Thread-safe.
 */
public final class QueryGuard {
  /** Tempo's frontend message for a full queue. */
  public static final String TOO_MANY = "too many outstanding requests";

  private final Authenticator authenticator;
  private final boolean multitenancy;
  private final Set<String> openPaths;
  private final Semaphore running;

  private QueryGuard(Builder b) {
    this.authenticator = b.authenticator;
    this.multitenancy = b.multitenancy;
    this.openPaths = Set.copyOf(b.openPaths);
    this.running = b.maxConcurrent > 0 ? new Semaphore(b.maxConcurrent) : null;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The head check for the query server: 401 with {@code WWW-Authenticate} without credentials, 403 with wrong ones,
   * 401 {@code no org id} without a tenant when multi-tenancy is on, 400 for an invalid tenant id.
   */
  public HttpGate gate() {
    return head -> {
      if (openPaths.contains(head.path())) {
        return null;
      }
      Authenticator.Outcome auth = authenticator.check(head.header("authorization"));
      if (auth == Authenticator.Outcome.MISSING) {
        return HttpResponse.text(401, "missing credentials\n").header("WWW-Authenticate", authenticator.challenge());
      }
      if (auth == Authenticator.Outcome.WRONG) {
        return HttpResponse.text(403, "invalid credentials\n");
      }
      IngestGuard.Verdict v = IngestGuard.tenant(multitenancy, head::header);
      return v.ok() ? null : HttpResponse.text(v.kind().httpStatus(), v.message() + "\n");
    };
  }

  /** Wraps a query handler so that at most {@code maxConcurrent} run at once; the rest get 429. */
  public HttpHandler limit(HttpHandler handler) {
    Objects.requireNonNull(handler, "handler");
    if (running == null) {
      return handler;
    }
    return request -> {
      if (!running.tryAcquire()) {
        return HttpResponse.text(429, TOO_MANY + "\n");
      }
      try {
        return handler.handle(request);
      } finally {
        running.release();
      }
    };
  }

  /** The tenant a query runs for: its {@code X-Scope-OrgID} with multi-tenancy on, else the single tenant. */
  public Function<HttpRequest, String> tenantResolver() {
    return tenantResolver(multitenancy);
  }

  /** As {@link #tenantResolver()} for a given multi-tenancy setting. */
  public static Function<HttpRequest, String> tenantResolver(boolean multitenancy) {
    if (!multitenancy) {
      return r -> SpanBatch.DEFAULT_TENANT;
    }
    return r -> {
      String t = r.header(Tenants.HEADER);
      return t == null || t.isEmpty() ? SpanBatch.DEFAULT_TENANT : t;
    };
  }

  @Override
  public String toString() {
    return "QueryGuard{authenticator=" + authenticator + ", multitenancy=" + multitenancy + ", openPaths=" + openPaths
        + ", maxConcurrent=" + (running == null ? "unlimited" : running.availablePermits() + " free") + "}";
  }

  /** Settings; everything off by default. */
  public static final class Builder {
    private Authenticator authenticator = Authenticator.NONE;
    private boolean multitenancy;
    private Set<String> openPaths = Set.of("/ready", "/metrics");
    private int maxConcurrent;

    private Builder() {}

    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    public Builder multitenancy(boolean multitenancy) {
      this.multitenancy = multitenancy;
      return this;
    }

    /** Paths served without credentials or tenant (default {@code /ready}, {@code /metrics}). */
    public Builder openPaths(Set<String> openPaths) {
      this.openPaths = Objects.requireNonNull(openPaths, "openPaths");
      return this;
    }

    /** Queries running at once; 0 (default) for no cap. */
    public Builder maxConcurrent(int maxConcurrent) {
      if (maxConcurrent < 0) {
        throw new IllegalArgumentException("maxConcurrent < 0: " + maxConcurrent);
      }
      this.maxConcurrent = maxConcurrent;
      return this;
    }

    public QueryGuard build() {
      return new QueryGuard(this);
    }
  }
}
