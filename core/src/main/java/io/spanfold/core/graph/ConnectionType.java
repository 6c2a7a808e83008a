package io.spanfold.core.graph;

/** How a client reached a server, as Tempo's {@code connection_type} label names it. */
public enum ConnectionType {
  /** A plain request (client/server span pair): label {@code ""}. */
  UNKNOWN(""),
  /** A producer/consumer pair: {@code messaging_system}. */
  MESSAGING_SYSTEM("messaging_system"),
  /** A client span carrying a database name attribute: {@code database}. */
  DATABASE("database"),
  /** One side was never instrumented and was inferred on expiry: {@code virtual_node}. */
  VIRTUAL_NODE("virtual_node");

  private static final ConnectionType[] VALUES = values();
  private final String label;

  ConnectionType(String label) {
    this.label = label;
  }

  /** The Prometheus label value. */
  public String label() {
    return label;
  }

  /** The constant with the given {@link #ordinal()}. */
  public static ConnectionType of(int ordinal) {
    return VALUES[ordinal];
  }
}
