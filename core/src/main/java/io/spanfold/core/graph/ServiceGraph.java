package io.spanfold.core.graph;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An immutable snapshot of the service graph over a recent window: one node per service (or inferred peer) and one
 * edge per (client, server, connection type). For embedders that want the graph without Prometheus.
 *
 * <p>Counts are exact over the window's time slots; rates divide by the window length; latencies come from small
 * log2 histograms (p50/p95 are interpolated within a factor-of-two bucket, so treat them as estimates).
 */
public final class ServiceGraph {
  private final Duration window;
  private final List<Node> nodes;
  private final List<Edge> edges;

  public ServiceGraph(Duration window, List<Node> nodes, List<Edge> edges) {
    this.window = Objects.requireNonNull(window, "window");
    this.nodes = List.copyOf(nodes);
    this.edges = List.copyOf(edges);
  }

  /** The window the figures cover (the requested one, clamped to the builder's retention). */
  public Duration window() {
    return window;
  }

  /** Nodes sorted by name. */
  public List<Node> nodes() {
    return nodes;
  }

  /** Edges sorted by client, server, connection type. */
  public List<Edge> edges() {
    return edges;
  }

  /** The node with this name, or {@code null}. */
  public Node node(String name) {
    for (Node n : nodes) {
      if (n.name.equals(name)) {
        return n;
      }
    }
    return null;
  }

  /** The edge from {@code client} to {@code server} (any connection type), or {@code null}. */
  public Edge edge(String client, String server) {
    for (Edge e : edges) {
      if (e.client.equals(client) && e.server.equals(server)) {
        return e;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "ServiceGraph{window=" + window + ", nodes=" + nodes + ", edges=" + edges + '}';
  }

  /** Latency figures in seconds. */
  public static final class Latency {
    public static final Latency NONE = new Latency(0, 0, 0);
    private final double avg;
    private final double p50;
    private final double p95;

    public Latency(double avgSeconds, double p50Seconds, double p95Seconds) {
      this.avg = avgSeconds;
      this.p50 = p50Seconds;
      this.p95 = p95Seconds;
    }

    public double avgSeconds() {
      return avg;
    }

    public double p50Seconds() {
      return p50;
    }

    public double p95Seconds() {
      return p95;
    }

    @Override
    public String toString() {
      return String.format("{avg=%.6fs p50=%.6fs p95=%.6fs}", avg, p50, p95);
    }
  }

  /**
   * A service. Its figures are those of the requests it served (incoming edges): a node that only calls others (a
   * virtual {@code user}) has zero requests.
   */
  public static final class Node {
    private final String name;
    private final long requests;
    private final long failed;
    private final double requestRate;
    private final double errorRate;
    private final Latency latency;

    public Node(String name, long requests, long failed, double requestRate, double errorRate, Latency latency) {
      this.name = Objects.requireNonNull(name, "name");
      this.requests = requests;
      this.failed = failed;
      this.requestRate = requestRate;
      this.errorRate = errorRate;
      this.latency = Objects.requireNonNull(latency, "latency");
    }

    public String name() {
      return name;
    }

    /** Requests served in the window. */
    public long requests() {
      return requests;
    }

    /** Failed requests served in the window. */
    public long failed() {
      return failed;
    }

    /** Requests per second. */
    public double requestRate() {
      return requestRate;
    }

    /** Failed requests per second. */
    public double errorRate() {
      return errorRate;
    }

    /** Share of requests that failed, 0 when there were none. */
    public double failedRatio() {
      return requests == 0 ? 0 : (double) failed / requests;
    }

    /** Server-side latency of the requests served. */
    public Latency latency() {
      return latency;
    }

    @Override
    public String toString() {
      return name + "{requests=" + requests + ", failed=" + failed + ", latency=" + latency + '}';
    }
  }

  /** Requests from one client to one server over one connection type. */
  public static final class Edge {
    private final String client;
    private final String server;
    private final ConnectionType connectionType;
    private final long requests;
    private final long failed;
    private final double requestRate;
    private final double errorRate;
    private final Latency clientLatency;
    private final Latency serverLatency;

    public Edge(
        String client,
        String server,
        ConnectionType connectionType,
        long requests,
        long failed,
        double requestRate,
        double errorRate,
        Latency clientLatency,
        Latency serverLatency) {
      this.client = Objects.requireNonNull(client, "client");
      this.server = Objects.requireNonNull(server, "server");
      this.connectionType = Objects.requireNonNull(connectionType, "connectionType");
      this.requests = requests;
      this.failed = failed;
      this.requestRate = requestRate;
      this.errorRate = errorRate;
      this.clientLatency = Objects.requireNonNull(clientLatency, "clientLatency");
      this.serverLatency = Objects.requireNonNull(serverLatency, "serverLatency");
    }

    /** A stable id, {@code client->server} plus {@code /connection_type} when it is not plain. */
    public String id() {
      return connectionType == ConnectionType.UNKNOWN
          ? client + "->" + server
          : client + "->" + server + "/" + connectionType.label();
    }

    public String client() {
      return client;
    }

    public String server() {
      return server;
    }

    public ConnectionType connectionType() {
      return connectionType;
    }

    public long requests() {
      return requests;
    }

    public long failed() {
      return failed;
    }

    public double requestRate() {
      return requestRate;
    }

    public double errorRate() {
      return errorRate;
    }

    public double failedRatio() {
      return requests == 0 ? 0 : (double) failed / requests;
    }

    /** Latency as the client saw it (0 for an inferred client). */
    public Latency clientLatency() {
      return clientLatency;
    }

    /**
     * Latency as the server saw it. For a database edge that is the client span's duration (there is no server
     * span), and for a virtual server likewise the client's view.
     */
    public Latency serverLatency() {
      return serverLatency;
    }

    @Override
    public String toString() {
      return id() + "{requests=" + requests + ", failed=" + failed + ", server=" + serverLatency + '}';
    }
  }
}
