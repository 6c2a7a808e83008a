package io.spanfold.core.search;

import io.spanfold.core.query.TagSearch;
import io.spanfold.core.query.traceql.Query;
import java.time.Duration;
import java.util.Objects;

/**
 * One search: a TraceQL {@link Query} or a legacy {@link TagSearch}, a time range, a result limit, spans per spanset
 * and a time budget. Immutable; built with {@link #builder()}, which validates and names the field.
 *
 * <p>Time range: {@code fromNanos}/{@code toNanos} (epoch nanos) keep traces overlapping it. Both 0 means "recent
 * data", as Tempo without {@code start}/{@code end} asks only its ingesters: blocks holding data of the last
 * {@link #recentWindow()} (default 30 minutes, Tempo's {@code query_ingesters_until}) are searched, whatever the trace
 * timestamps.
 */
public final class SearchRequest {
  public static final int DEFAULT_LIMIT = 20;
  public static final int DEFAULT_SPANS_PER_SPANSET = 3;
  public static final Duration DEFAULT_RECENT_WINDOW = Duration.ofMinutes(30);
  public static final Duration DEFAULT_TIME_BUDGET = Duration.ofSeconds(10);

  private final Query query;
  private final TagSearch tags;
  private final long fromNanos;
  private final long toNanos;
  private final int limit;
  private final int spansPerSpanset;
  private final Duration timeBudget;
  private final Duration recentWindow;

  private SearchRequest(Builder b) {
    this.query = b.query;
    this.tags = b.tags;
    this.fromNanos = b.fromNanos;
    this.toNanos = b.toNanos;
    this.limit = b.limit;
    this.spansPerSpanset = b.spansPerSpanset;
    this.timeBudget = b.timeBudget;
    this.recentWindow = b.recentWindow;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The TraceQL query, or null for a tag search. */
  public Query query() {
    return query;
  }

  /** The tag search, or null for a TraceQL search. */
  public TagSearch tags() {
    return tags;
  }

  public long fromNanos() {
    return fromNanos;
  }

  public long toNanos() {
    return toNanos;
  }

  public boolean isRecentOnly() {
    return fromNanos == 0 && toNanos == 0;
  }

  public int limit() {
    return limit;
  }

  public int spansPerSpanset() {
    return spansPerSpanset;
  }

  public Duration timeBudget() {
    return timeBudget;
  }

  public Duration recentWindow() {
    return recentWindow;
  }

  /** Builds a {@link SearchRequest}. */
  public static final class Builder {
    private Query query;
    private TagSearch tags;
    private long fromNanos;
    private long toNanos;
    private int limit = DEFAULT_LIMIT;
    private int spansPerSpanset = DEFAULT_SPANS_PER_SPANSET;
    private Duration timeBudget = DEFAULT_TIME_BUDGET;
    private Duration recentWindow = DEFAULT_RECENT_WINDOW;

    private Builder() {}

    public Builder query(Query query) {
      this.query = Objects.requireNonNull(query, "query");
      return this;
    }

    public Builder tags(TagSearch tags) {
      this.tags = Objects.requireNonNull(tags, "tags");
      return this;
    }

    /** Epoch nanos; both 0 (default) = recent data only. */
    public Builder timeRange(long fromNanos, long toNanos) {
      if (fromNanos < 0 || toNanos < 0) {
        throw new IllegalArgumentException("timeRange must not be negative: " + fromNanos + ", " + toNanos);
      }
      if (toNanos != 0 && fromNanos > toNanos) {
        throw new IllegalArgumentException("timeRange from > to: " + fromNanos + " > " + toNanos);
      }
      this.fromNanos = fromNanos;
      this.toNanos = toNanos;
      return this;
    }

    public Builder limit(int limit) {
      if (limit <= 0) {
        throw new IllegalArgumentException("limit <= 0: " + limit);
      }
      this.limit = limit;
      return this;
    }

    public Builder spansPerSpanset(int spss) {
      if (spss <= 0) {
        throw new IllegalArgumentException("spansPerSpanset <= 0: " + spss);
      }
      this.spansPerSpanset = spss;
      return this;
    }

    public Builder timeBudget(Duration budget) {
      Objects.requireNonNull(budget, "timeBudget");
      if (budget.isNegative() || budget.isZero()) {
        throw new IllegalArgumentException("timeBudget must be > 0: " + budget);
      }
      this.timeBudget = budget;
      return this;
    }

    public Builder recentWindow(Duration window) {
      Objects.requireNonNull(window, "recentWindow");
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("recentWindow must be > 0: " + window);
      }
      this.recentWindow = window;
      return this;
    }

    public SearchRequest build() {
      if ((query == null) == (tags == null)) {
        throw new IllegalStateException("exactly one of query and tags is required");
      }
      return new SearchRequest(this);
    }
  }
}
