package io.spanfold.core.store;

import java.util.Objects;

/**
 * A snapshot of one block of the {@link SpanStore}. Times are the block's data time range: span start/end nanos,
 * where a span stamped more than the ingestion slack away from its arrival counts at its arrival time instead (so
 * spans with very old or future timestamps neither expire at once nor live forever).
 */
public final class BlockInfo {
  private final String tenant;
  private final long id;
  private final BlockState state;
  private final long minTimeNanos;
  private final long maxTimeNanos;
  private final long spanCount;
  private final long traceCount;
  private final long bytes;

  public BlockInfo(
      String tenant,
      long id,
      BlockState state,
      long minTimeNanos,
      long maxTimeNanos,
      long spanCount,
      long traceCount,
      long bytes) {
    this.tenant = Objects.requireNonNull(tenant, "tenant");
    this.id = id;
    this.state = Objects.requireNonNull(state, "state");
    this.minTimeNanos = minTimeNanos;
    this.maxTimeNanos = maxTimeNanos;
    this.spanCount = spanCount;
    this.traceCount = traceCount;
    this.bytes = bytes;
  }

  public String tenant() {
    return tenant;
  }

  /** Increasing with creation order within a tenant; also the block directory's name. */
  public long id() {
    return id;
  }

  public BlockState state() {
    return state;
  }

  public long minTimeNanos() {
    return minTimeNanos;
  }

  public long maxTimeNanos() {
    return maxTimeNanos;
  }

  public long spanCount() {
    return spanCount;
  }

  /** Distinct trace ids in this block. */
  public long traceCount() {
    return traceCount;
  }

  /** Bytes on disk (for the head block: bytes written to its span log). */
  public long bytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof BlockInfo)) {
      return false;
    }
    BlockInfo b = (BlockInfo) o;
    return id == b.id
        && minTimeNanos == b.minTimeNanos
        && maxTimeNanos == b.maxTimeNanos
        && spanCount == b.spanCount
        && traceCount == b.traceCount
        && bytes == b.bytes
        && tenant.equals(b.tenant)
        && state == b.state;
  }

  @Override
  public int hashCode() {
    return Objects.hash(tenant, id, state, minTimeNanos, maxTimeNanos, spanCount, traceCount, bytes);
  }

  @Override
  public String toString() {
    return "BlockInfo{tenant=" + tenant + ", id=" + id + ", state=" + state + ", time=[" + minTimeNanos + ", "
        + maxTimeNanos + "], spans=" + spanCount + ", traces=" + traceCount + ", bytes=" + bytes + '}';
  }
}
