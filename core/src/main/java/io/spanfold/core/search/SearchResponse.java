package io.spanfold.core.search;

import io.spanfold.core.query.traceql.Spanset;
import java.util.List;
import java.util.Map;

/**
 * The traces a search found, newest first (by trace start), at most the request's limit, with what was inspected.
 * {@code partial} is set when the time budget ran out before every candidate was inspected.
 */
public final class SearchResponse {
  private final List<TraceSummary> traces;
  private final long inspectedTraces;
  private final long inspectedSpans;
  private final long inspectedBytes;
  private final int totalBlocks;
  private final boolean partial;

  public SearchResponse(List<TraceSummary> traces, long inspectedTraces, long inspectedSpans, long inspectedBytes,
      int totalBlocks, boolean partial) {
    this.traces = List.copyOf(traces);
    this.inspectedTraces = inspectedTraces;
    this.inspectedSpans = inspectedSpans;
    this.inspectedBytes = inspectedBytes;
    this.totalBlocks = totalBlocks;
    this.partial = partial;
  }

  public List<TraceSummary> traces() {
    return traces;
  }

  public long inspectedTraces() {
    return inspectedTraces;
  }

  public long inspectedSpans() {
    return inspectedSpans;
  }

  public long inspectedBytes() {
    return inspectedBytes;
  }

  public int totalBlocks() {
    return totalBlocks;
  }

  public boolean partial() {
    return partial;
  }

  /** One found trace (Tempo's {@code TraceSearchMetadata}). */
  public static final class TraceSummary {
    private final long traceIdHigh;
    private final long traceIdLow;
    private final String rootServiceName;
    private final String rootTraceName;
    private final long startNanos;
    private final long durationNanos;
    private final List<SpansetSummary> spansets;
    private final Map<String, long[]> serviceStats;

    /**
     * @param rootServiceName null while the root span is missing
     * @param rootTraceName null while the root span is missing
     * @param serviceStats service → {span count, error count}
     */
    public TraceSummary(long traceIdHigh, long traceIdLow, String rootServiceName, String rootTraceName,
        long startNanos, long durationNanos, List<SpansetSummary> spansets, Map<String, long[]> serviceStats) {
      this.traceIdHigh = traceIdHigh;
      this.traceIdLow = traceIdLow;
      this.rootServiceName = rootServiceName;
      this.rootTraceName = rootTraceName;
      this.startNanos = startNanos;
      this.durationNanos = durationNanos;
      this.spansets = List.copyOf(spansets);
      this.serviceStats = serviceStats;
    }

    public long traceIdHigh() {
      return traceIdHigh;
    }

    public long traceIdLow() {
      return traceIdLow;
    }

    public String rootServiceName() {
      return rootServiceName;
    }

    public String rootTraceName() {
      return rootTraceName;
    }

    public long startNanos() {
      return startNanos;
    }

    public long durationNanos() {
      return durationNanos;
    }

    public List<SpansetSummary> spansets() {
      return spansets;
    }

    /** Service name → {span count, error count}, sorted by name. */
    public Map<String, long[]> serviceStats() {
      return serviceStats;
    }
  }

  /** One matching spanset: its first {@code spss} spans, how many matched, and by()/aggregate attributes. */
  public static final class SpansetSummary {
    private final List<SpanSummary> spans;
    private final int matched;
    private final List<Spanset.SpansetAttribute> attributes;

    public SpansetSummary(List<SpanSummary> spans, int matched, List<Spanset.SpansetAttribute> attributes) {
      this.spans = List.copyOf(spans);
      this.matched = matched;
      this.attributes = List.copyOf(attributes);
    }

    public List<SpanSummary> spans() {
      return spans;
    }

    public int matched() {
      return matched;
    }

    public List<Spanset.SpansetAttribute> attributes() {
      return attributes;
    }
  }

  /** A span of a spanset, with the attributes the query read (scope stripped). */
  public static final class SpanSummary {
    private final long spanId;
    private final String name;
    private final long startNanos;
    private final long durationNanos;
    private final List<Spanset.SpansetAttribute> attributes;

    public SpanSummary(long spanId, String name, long startNanos, long durationNanos,
        List<Spanset.SpansetAttribute> attributes) {
      this.spanId = spanId;
      this.name = name;
      this.startNanos = startNanos;
      this.durationNanos = durationNanos;
      this.attributes = List.copyOf(attributes);
    }

    public long spanId() {
      return spanId;
    }

    public String name() {
      return name;
    }

    public long startNanos() {
      return startNanos;
    }

    public long durationNanos() {
      return durationNanos;
    }

    public List<Spanset.SpansetAttribute> attributes() {
      return attributes;
    }
  }
}
