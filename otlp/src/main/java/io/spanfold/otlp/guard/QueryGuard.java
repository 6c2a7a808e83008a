package io.spanfold.otlp.guard;

import io.spanfold.core.model.SpanBatch;
import io.spanfold.otlp.http.HttpGate;
import io.spanfold.otlp.http.HttpHandler;
import io.spanfold.otlp.http.HttpRequest;
import io.spanfold.otlp.http.HttpResponse;
import io.spanfold.otlp.http.NonBlockingHttpHandler;
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
  private final long timeoutNanos;
  private final String timeoutText;
  private final java.util.concurrent.ExecutorService executor;

  private QueryGuard(Builder b) {
    this.authenticator = b.authenticator;
    this.multitenancy = b.multitenancy;
    this.openPaths = Set.copyOf(b.openPaths);
    this.running = b.maxConcurrent > 0 ? new Semaphore(b.maxConcurrent) : null;
    this.timeoutNanos = b.timeout == null ? 0 : b.timeout.toNanos();
    this.timeoutText = b.timeout == null ? "" : b.timeout.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    // Queries run here when they have a time budget, so the caller can answer 504 without waiting; the pool is
    // bounded by the concurrency cap (handlers that overrun still hold their slot), else grows on demand.
    this.executor = timeoutNanos == 0 ? null : new java.util.concurrent.ThreadPoolExecutor(0,
        b.maxConcurrent > 0 ? b.maxConcurrent : Integer.MAX_VALUE, 30, java.util.concurrent.TimeUnit.SECONDS,
        new java.util.concurrent.SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "query-exec");
          t.setDaemon(true);
          return t;
        });
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

  /**
   * Wraps a query handler: at most {@code maxConcurrent} run at once (the rest get 429), and with a
   * {@link Builder#timeout time budget} each request carries a deadline ({@link HttpRequest#deadlineNanos()}) and is
   * answered 504 when the handler has not answered in time. A handler that overruns keeps its concurrency slot until
   * it really returns, so runaway queries cannot pile up beyond the cap.
   */
  public HttpHandler limit(HttpHandler handler) {
    Objects.requireNonNull(handler, "handler");
    if (running == null && timeoutNanos == 0) {
      return handler;
    }
    HttpHandler limited = request -> {
      if (running != null && !running.tryAcquire()) {
        return HttpResponse.text(429, TOO_MANY + "\n");
      }
      if (timeoutNanos == 0) {
        try {
          return handler.handle(request);
        } finally {
          running.release();
        }
      }
      HttpRequest timed = request.withDeadline(System.nanoTime() + timeoutNanos);
      java.util.concurrent.FutureTask<HttpResponse> task = new java.util.concurrent.FutureTask<>(() -> {
        try {
          return handler.handle(timed);
        } finally {
          if (running != null) {
            running.release();
          }
        }
      });
      try {
        executor.execute(task);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        if (running != null) {
          running.release();
        }
        return HttpResponse.text(429, TOO_MANY + "\n");
      }
      try {
        return task.get(timeoutNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // Never interrupt: an interrupt closes any FileChannel the handler is reading (the store's files).
        task.cancel(false);
        return HttpResponse.text(504, "query timed out after " + timeoutText + "\n");
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof Exception) {
          throw (Exception) c;
        }
        throw e;
      }
    };
    // Only the cap (a tryAcquire) keeps a handler non-blocking; the time budget waits on another thread.
    return handler instanceof NonBlockingHttpHandler && timeoutNanos == 0 ? NonBlockingHttpHandler.of(limited) : limited;
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
    private java.time.Duration timeout;

    private Builder() {}

    /** Time budget of one query: 504 when it is spent (default none). */
    public Builder timeout(java.time.Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout <= 0: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

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
