package io.spanfold.core.graph;

/** Which side of an edge was inferred rather than seen, as Tempo's optional {@code virtual_node} label says. */
public enum VirtualNode {
  /** Both sides were seen (or the edge is a database call). Label {@code ""}. */
  NONE(""),
  /** The client was inferred: a root server span with no caller (a browser, {@code curl}). */
  CLIENT("client"),
  /** The server was inferred from the client span's peer attribute (an external or uninstrumented service). */
  SERVER("server");

  private final String label;

  VirtualNode(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
