package io.spanfold.core.graph;

/**
 * Receives edge observations from a {@link ServiceGraphBuilder}: the hook a metrics layer hangs its counters and
 * histograms on.
 *
 * <p>Called while the builder holds its lock, on an ingest thread or the thread calling {@link
 * ServiceGraphBuilder#expire()}: implementations must be quick, must not block and must not call back into the
 * builder. The observation is a flyweight valid only during the call.
 */
public interface EdgeListener {
  /** A completed, database or virtual edge: one request from {@code client} to {@code server}. */
  void onEdge(EdgeObservation edge);

  /** A half edge expired without its other half and without a peer attribute to infer a virtual node from. */
  default void onUnpaired(EdgeObservation half) {}

  /** A span was dropped because the store was full; the observation carries that span's side. */
  default void onDropped(EdgeObservation half) {}

  /** Ignores everything. */
  EdgeListener NOOP = edge -> {};
}
