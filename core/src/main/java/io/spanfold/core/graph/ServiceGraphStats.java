package io.spanfold.core.graph;

/**
 * Counters of a {@link ServiceGraphBuilder}'s edge store, read consistently at one instant. Totals are cumulative
 * since the builder was created; {@code pending*} are gauges.
 *
 * <p>Conservation: every client/server/producer/consumer span of a named service is accounted for exactly once,
 * {@code spansSeen == pairedSpans + virtualSpans + unpairedSpans + droppedSpans + pendingSpans}.
 */
public final class ServiceGraphStats {
  private final long spansSeen;
  private final long spansWithoutService;
  private final long edgesCreated;
  private final long completedEdges;
  private final long virtualEdges;
  private final long expiredEdges;
  private final long pairedSpans;
  private final long virtualSpans;
  private final long unpairedSpans;
  private final long droppedSpans;
  private final long pendingEdges;
  private final long pendingSpans;
  private final long capacity;
  private final long namesOverflowed;

  /** For the builder; embedders read the fields. */
  public ServiceGraphStats(
      long spansSeen,
      long spansWithoutService,
      long edgesCreated,
      long completedEdges,
      long virtualEdges,
      long expiredEdges,
      long pairedSpans,
      long virtualSpans,
      long unpairedSpans,
      long droppedSpans,
      long pendingEdges,
      long pendingSpans,
      long capacity,
      long namesOverflowed) {
    this.spansSeen = spansSeen;
    this.spansWithoutService = spansWithoutService;
    this.edgesCreated = edgesCreated;
    this.completedEdges = completedEdges;
    this.virtualEdges = virtualEdges;
    this.expiredEdges = expiredEdges;
    this.pairedSpans = pairedSpans;
    this.virtualSpans = virtualSpans;
    this.unpairedSpans = unpairedSpans;
    this.droppedSpans = droppedSpans;
    this.pendingEdges = pendingEdges;
    this.pendingSpans = pendingSpans;
    this.capacity = capacity;
    this.namesOverflowed = namesOverflowed;
  }

  /** Client, server, producer and consumer spans of resources with a {@code service.name}. */
  public long spansSeen() {
    return spansSeen;
  }

  /** Edge-kind spans skipped because their resource had no {@code service.name}. */
  public long spansWithoutService() {
    return spansWithoutService;
  }

  /**
   * Edges started: new store entries plus database calls completed at once. Tempo's
   * {@code tempo_metrics_generator_processor_service_graphs_edges}.
   */
  public long edgesCreated() {
    return edgesCreated;
  }

  /** Edges completed by pairing or as database calls. */
  public long completedEdges() {
    return completedEdges;
  }

  /** Edges completed on expiry with an inferred (virtual) node. */
  public long virtualEdges() {
    return virtualEdges;
  }

  /**
   * Half edges that expired with nothing to infer a node from: Tempo's
   * {@code tempo_metrics_generator_processor_service_graphs_expired_edges} (2.10 counts only these).
   */
  public long expiredEdges() {
    return expiredEdges;
  }

  public long pairedSpans() {
    return pairedSpans;
  }

  public long virtualSpans() {
    return virtualSpans;
  }

  /** Spans in expired half edges: {@code traces_service_graph_unpaired_spans_total}. */
  public long unpairedSpans() {
    return unpairedSpans;
  }

  /** Spans dropped because the store was full: {@code traces_service_graph_dropped_spans_total}. */
  public long droppedSpans() {
    return droppedSpans;
  }

  /** Half edges waiting for their other half now. */
  public long pendingEdges() {
    return pendingEdges;
  }

  public long pendingSpans() {
    return pendingSpans;
  }

  /** The store's bound ({@code maxItems}). */
  public long capacity() {
    return capacity;
  }

  /** Names that were mapped to {@code __overflow__} because the name table was full. */
  public long namesOverflowed() {
    return namesOverflowed;
  }

  @Override
  public String toString() {
    return "ServiceGraphStats{seen=" + spansSeen + ", paired=" + pairedSpans + ", virtual=" + virtualSpans
        + ", unpaired=" + unpairedSpans + ", dropped=" + droppedSpans + ", pendingSpans=" + pendingSpans
        + ", pendingEdges=" + pendingEdges + ", edgesCreated=" + edgesCreated + ", completed=" + completedEdges
        + ", virtualEdges=" + virtualEdges + ", expiredEdges=" + expiredEdges + '}';
  }
}
