package io.spanfold.core.graph;

/**
 * One observation of an edge handed to an {@link EdgeListener}: a completed client/server pair, a database call, a
 * virtual edge inferred on expiry, or (for {@link EdgeListener#onUnpaired}/{@link EdgeListener#onDropped}) the half
 * that was seen.
 *
 * <p>A flyweight: valid only during the listener call, reused afterwards. Names are interned strings (the same
 * instance every time), and each name also has a small integer id, stable for the builder's lifetime, that a metrics
 * layer can use to key its series without hashing strings. Id {@code 0} is the empty name.
 */
public interface EdgeObservation {
  /** Client service ({@code ""} when unknown, e.g. an unpaired server half). */
  String client();

  String server();

  int clientId();

  int serverId();

  ConnectionType connectionType();

  VirtualNode virtualNode();

  /** Whether either side had status ERROR. */
  boolean failed();

  /** Duration of the client span, nanoseconds (0 when no client span). */
  long clientLatencyNanos();

  /** Duration of the server span (for database edges the client's), nanoseconds; 0 for a virtual server. */
  long serverLatencyNanos();

  /** End of the client span (epoch nanos), 0 when absent: with {@link #serverStartNanos} gives messaging latency. */
  long clientEndNanos();

  /** Start of the server span (epoch nanos), 0 when absent. */
  long serverStartNanos();

  long traceIdHigh();

  long traceIdLow();

  /** How many spans this observation accounts for (normally 1 or 2; more when a half was sent twice). */
  int spans();

  /** Number of configured dimensions. */
  int dimensionCount();

  /** The configured attribute name of dimension {@code d}. */
  String dimensionName(int d);

  /** The client side's value of dimension {@code d} (resource attribute first, then span), {@code ""} if absent. */
  String clientDimension(int d);

  String serverDimension(int d);

  int clientDimensionId(int d);

  int serverDimensionId(int d);
}
