package io.spanfold.core.ingest;

import io.spanfold.core.model.SpanBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The entry point of the ingest path: validates each span of a batch, drops and counts the bad ones, and hands the
 * rest to every registered {@link SpanConsumer} in registration order (register the store first: a request is
 * acknowledged only after the store accepted it).
 *
 * <p>Thread-safe: several receiver threads may call {@link #ingest} at once, each with its own batch.
 */
public final class SpanIngest {
  private final SpanConsumer[] consumers;
  private final IngestMetrics metrics;
  private final TraceLimiter traceLimiter;
  private final int maxAttributeBytes;
  private final ThreadLocal<AttributeTruncator> truncators;
  private final ThreadLocal<boolean[]> keepScratch = ThreadLocal.withInitial(() -> new boolean[256]);

  private SpanIngest(Builder b) {
    this.consumers = b.consumers.toArray(new SpanConsumer[0]);
    this.metrics = b.metrics;
    this.traceLimiter = b.traceLimiter;
    this.maxAttributeBytes = b.maxAttributeBytes;
    this.truncators = ThreadLocal.withInitial(() -> new AttributeTruncator(b.maxAttributeBytes));
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Validates the batch in place (invalid spans are removed from it), then fans it out. Never throws for bad span
   * data; an exception from a consumer propagates, meaning the batch must not be acknowledged.
   */
  public IngestResult ingest(SpanBatch batch) {
    int n = batch.size();
    String tenant = batch.tenant();
    metrics.received(tenant, n, batch.bufferLength());
    if (n == 0) {
      return IngestResult.EMPTY;
    }
    boolean[] keep = keepScratch.get();
    if (keep.length < n) {
      keep = new boolean[Math.max(n, keep.length * 2)];
      keepScratch.set(keep);
    }
    int badTrace = 0;
    int badSpan = 0;
    int badParent = 0;
    int badTime = 0;
    for (int i = 0; i < n; i++) {
      DiscardReason reason = check(batch, i);
      keep[i] = reason == null;
      if (reason != null) {
        switch (reason) {
          case INVALID_TRACE_ID:
            badTrace++;
            break;
          case INVALID_SPAN_ID:
            badSpan++;
            break;
          case INVALID_PARENT_SPAN_ID:
            badParent++;
            break;
          default:
            badTime++;
        }
      }
    }
    int invalid = badTrace + badSpan + badParent + badTime;
    if (invalid > 0) {
      batch.retain(keep);
    }
    // Cut long attributes before the per-trace byte count, so a trace is measured as it will be stored (Tempo's
    // distributor truncates before its ingesters count trace sizes).
    int truncated = 0;
    AttributeTruncator t = null;
    if (maxAttributeBytes > 0 && batch.size() > 0) {
      t = truncators.get();
      truncated = t.truncate(batch);
    }
    int tooLarge = 0;
    int tooMany = 0;
    if (traceLimiter != null && batch.size() > 0) {
      int m = batch.size();
      java.util.Arrays.fill(keep, 0, m, true);
      int[] counts = new int[2];
      traceLimiter.admit(batch, keep, counts);
      tooLarge = counts[0];
      tooMany = counts[1];
      if (tooLarge + tooMany > 0) {
        batch.retain(keep);
      }
    }
    int rejected = invalid + tooLarge + tooMany;
    String message = "";
    if (rejected > 0) {
      StringBuilder sb = new StringBuilder();
      sb.append(rejected).append(" of ").append(n).append(" spans rejected:");
      describe(sb, tenant, DiscardReason.INVALID_TRACE_ID, badTrace);
      describe(sb, tenant, DiscardReason.INVALID_SPAN_ID, badSpan);
      describe(sb, tenant, DiscardReason.INVALID_PARENT_SPAN_ID, badParent);
      describe(sb, tenant, DiscardReason.INVALID_TIMESTAMPS, badTime);
      describe(sb, tenant, DiscardReason.TRACE_TOO_LARGE, tooLarge);
      describe(sb, tenant, DiscardReason.LIVE_TRACES_EXCEEDED, tooMany);
      sb.setLength(sb.length() - 1);
      message = sb.toString();
    }
    if (truncated > 0) {
      for (int s = 0; s < t.counts.length; s++) {
        if (t.counts[s] > 0) {
          metrics.attributesTruncated(tenant, AttributeTruncator.SCOPES[s], t.counts[s]);
        }
      }
      // Not a rejection, but never silent: OTLP clients see it as a partial-success warning.
      String note = truncated + " attribute values truncated to " + maxAttributeBytes + " bytes";
      message = message.isEmpty() ? note : message + "; " + note;
    }
    if (batch.size() > 0) {
      for (SpanConsumer c : consumers) {
        c.accept(batch);
      }
    }
    return new IngestResult(n - rejected, rejected, message);
  }

  private void describe(StringBuilder sb, String tenant, DiscardReason reason, int count) {
    if (count > 0) {
      metrics.discarded(tenant, reason, count);
      sb.append(' ').append(count).append(' ').append(reason.label()).append(" (").append(reason.description())
          .append(");");
    }
  }

  /** Returns why span {@code i} is invalid, or {@code null} when it is fine. */
  static DiscardReason check(SpanBatch b, int i) {
    if (b.traceIdLength(i) != 16 || (b.traceIdHigh(i) == 0 && b.traceIdLow(i) == 0)) {
      return DiscardReason.INVALID_TRACE_ID;
    }
    if (b.spanIdLength(i) != 8 || b.spanId(i) == 0) {
      return DiscardReason.INVALID_SPAN_ID;
    }
    int parentLength = b.parentSpanIdLength(i);
    if (parentLength != 0 && parentLength != 8) {
      return DiscardReason.INVALID_PARENT_SPAN_ID;
    }
    if (b.endNanos(i) < b.startNanos(i)) {
      return DiscardReason.INVALID_TIMESTAMPS;
    }
    return null;
  }

  public static final class Builder {
    private final List<SpanConsumer> consumers = new ArrayList<>();
    private IngestMetrics metrics = IngestMetrics.NOOP;
    private TraceLimiter traceLimiter;
    private int maxAttributeBytes;

    private Builder() {}

    /** Adds a consumer; consumers are called in the order added. */
    public Builder consumer(SpanConsumer consumer) {
      consumers.add(Objects.requireNonNull(consumer, "consumer"));
      return this;
    }

    public Builder metrics(IngestMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * Applies per-trace limits (max bytes per trace, max live traces per tenant) after validation; refused spans are
     * dropped, counted and reported in the result like invalid ones. Default: none.
     */
    public Builder traceLimits(TraceLimiter traceLimiter) {
      this.traceLimiter = Objects.requireNonNull(traceLimiter, "traceLimiter");
      return this;
    }

    /**
     * Cuts string attribute values and keys longer than {@code maxAttributeBytes} (Tempo's
     * {@code max_attribute_bytes}, default there 2048) before the batch reaches the consumers; counted through
     * {@link IngestMetrics#attributesTruncated} and noted in the result's message. 0 (default) for no limit.
     */
    public Builder maxAttributeBytes(int maxAttributeBytes) {
      if (maxAttributeBytes < 0) {
        throw new IllegalArgumentException("maxAttributeBytes < 0: " + maxAttributeBytes);
      }
      this.maxAttributeBytes = maxAttributeBytes;
      return this;
    }

    public SpanIngest build() {
      return new SpanIngest(this);
    }
  }
}
