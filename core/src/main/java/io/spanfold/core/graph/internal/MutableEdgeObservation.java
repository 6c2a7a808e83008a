package io.spanfold.core.graph.internal;

import io.spanfold.core.graph.ConnectionType;
import io.spanfold.core.graph.EdgeObservation;
import io.spanfold.core.graph.VirtualNode;

/** Internal, unstable. The reusable {@link EdgeObservation} the builder fills before each listener call. */
public final class MutableEdgeObservation implements EdgeObservation {
  private final NameTable names;
  private final String[] dimensionNames;
  public final int[] clientDims;
  public final int[] serverDims;
  public int client;
  public int server;
  public ConnectionType connectionType = ConnectionType.UNKNOWN;
  public VirtualNode virtualNode = VirtualNode.NONE;
  public boolean failed;
  public long clientLatency;
  public long serverLatency;
  public long clientEnd;
  public long serverStart;
  public long traceHi;
  public long traceLo;
  public int spans;

  public MutableEdgeObservation(NameTable names, String[] dimensionNames) {
    this.names = names;
    this.dimensionNames = dimensionNames;
    this.clientDims = new int[dimensionNames.length];
    this.serverDims = new int[dimensionNames.length];
  }

  /** Loads entry {@code e} of the store. */
  public void load(EdgeStore store, int e) {
    client = store.client(e);
    server = store.server(e);
    connectionType = ConnectionType.of(store.connectionType(e));
    virtualNode = VirtualNode.NONE;
    failed = store.failed(e);
    clientLatency = store.clientLatency(e);
    serverLatency = store.serverLatency(e);
    clientEnd = store.clientEnd(e);
    serverStart = store.serverStart(e);
    traceHi = store.traceIdHigh(e);
    traceLo = store.traceIdLow(e);
    spans = store.spans(e);
    for (int d = 0; d < clientDims.length; d++) {
      clientDims[d] = store.clientDim(e, d);
      serverDims[d] = store.serverDim(e, d);
    }
  }

  @Override
  public String client() {
    return names.name(client);
  }

  @Override
  public String server() {
    return names.name(server);
  }

  @Override
  public int clientId() {
    return client;
  }

  @Override
  public int serverId() {
    return server;
  }

  @Override
  public ConnectionType connectionType() {
    return connectionType;
  }

  @Override
  public VirtualNode virtualNode() {
    return virtualNode;
  }

  @Override
  public boolean failed() {
    return failed;
  }

  @Override
  public long clientLatencyNanos() {
    return clientLatency;
  }

  @Override
  public long serverLatencyNanos() {
    return serverLatency;
  }

  @Override
  public long clientEndNanos() {
    return clientEnd;
  }

  @Override
  public long serverStartNanos() {
    return serverStart;
  }

  @Override
  public long traceIdHigh() {
    return traceHi;
  }

  @Override
  public long traceIdLow() {
    return traceLo;
  }

  @Override
  public int spans() {
    return spans;
  }

  @Override
  public int dimensionCount() {
    return dimensionNames.length;
  }

  @Override
  public String dimensionName(int d) {
    return dimensionNames[d];
  }

  @Override
  public String clientDimension(int d) {
    return names.name(clientDims[d]);
  }

  @Override
  public String serverDimension(int d) {
    return names.name(serverDims[d]);
  }

  @Override
  public int clientDimensionId(int d) {
    return clientDims[d];
  }

  @Override
  public int serverDimensionId(int d) {
    return serverDims[d];
  }
}
