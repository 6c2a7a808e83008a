package io.spanfold.core.graph.internal;

import com.carrotsearch.hppc.LongIntHashMap;
import io.spanfold.core.graph.ConnectionType;
import io.spanfold.core.graph.ServiceGraph;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Internal, unstable. Rolling per-edge counters behind {@code ServiceGraphBuilder.snapshot}: a ring of {@value
 * #SLOTS} time slots per edge (client, server, connection type), each holding request and failure counts, latency
 * sums and a log2 latency histogram for client and server side. Recording allocates nothing once the edge exists.
 *
 * <pre>
 *  data:  [row][slot] -> epoch | count | failed | clientSumNanos | serverSumNanos       (5 longs)
 *  hist:  [row][slot] -> client buckets[BUCKETS] | server buckets[BUCKETS]                (ints)
 *  bucket 0 = [0, 2^16 ns), bucket b = [2^(15+b), 2^(16+b)) ns, the last bucket is open-ended (~1100 s)
 * </pre>
 *
 * <p>Not thread-safe: guarded by the owning builder's lock.
 */
public final class EdgeWindows {
  static final int SLOTS = 60;
  static final int BUCKETS = 24;
  private static final int SHIFT = 16;
  private static final int STRIDE = 5;

  private final long slotNanos;
  private final int maxEdges;
  private final LongIntHashMap rowOf = new LongIntHashMap();
  private long[] keys = new long[16];
  private long[] data = new long[16 * SLOTS * STRIDE];
  private int[] hist = new int[16 * SLOTS * 2 * BUCKETS];
  private int rows;
  private long overflowed;
  private long cachedEpoch;
  private int cachedSlot;
  private long cachedSlotStart = Long.MIN_VALUE / 2;

  /**
   * @param retention the longest window a snapshot can cover
   * @param maxEdges rows kept; observations of further edges are counted in {@link #overflowed()} only
   */
  public EdgeWindows(Duration retention, int maxEdges) {
    this.slotNanos = Math.max(1, retention.toNanos() / SLOTS);
    this.maxEdges = maxEdges;
  }

  public long overflowed() {
    return overflowed;
  }

  public int edges() {
    return rows;
  }

  private static long key(int client, int server, int type) {
    return (long) client << 34 | (long) server << 4 | type;
  }

  public void record(long now, int client, int server, int type, boolean failed, long clientNanos, long serverNanos) {
    long k = key(client, server, type);
    int row = rowOf.getOrDefault(k, -1);
    if (row < 0) {
      if (rows >= maxEdges) {
        overflowed++;
        return;
      }
      row = addRow(k);
    }
    if (now - cachedSlotStart >= slotNanos || now < cachedSlotStart) {
      // two long divisions cost more than the rest of a record: redo them only when the slot changes
      cachedEpoch = Math.floorDiv(now, slotNanos);
      cachedSlot = (int) Math.floorMod(cachedEpoch, (long) SLOTS);
      cachedSlotStart = cachedEpoch * slotNanos;
    }
    long epoch = cachedEpoch;
    int slot = cachedSlot;
    int cell = row * SLOTS + slot;
    int d = cell * STRIDE;
    int h = cell * 2 * BUCKETS;
    if (data[d] != epoch) {
      data[d] = epoch;
      Arrays.fill(data, d + 1, d + STRIDE, 0);
      Arrays.fill(hist, h, h + 2 * BUCKETS, 0);
    }
    data[d + 1]++;
    if (failed) {
      data[d + 2]++;
    }
    data[d + 3] += clientNanos;
    data[d + 4] += serverNanos;
    hist[h + bucket(clientNanos)]++;
    hist[h + BUCKETS + bucket(serverNanos)]++;
  }

  static int bucket(long nanos) {
    if (nanos <= 0) {
      return 0;
    }
    return Math.min(BUCKETS - 1, 64 - Long.numberOfLeadingZeros(nanos >>> SHIFT));
  }

  private int addRow(long k) {
    int row = rows;
    if (row == keys.length) {
      int n = row * 2;
      keys = Arrays.copyOf(keys, n);
      data = Arrays.copyOf(data, n * SLOTS * STRIDE);
      hist = Arrays.copyOf(hist, n * SLOTS * 2 * BUCKETS);
    }
    keys[row] = k;
    for (int s = 0; s < SLOTS; s++) {
      data[(row * SLOTS + s) * STRIDE] = Long.MIN_VALUE;
    }
    rowOf.put(k, row);
    rows = row + 1;
    return row;
  }

  /** Builds the graph over the last {@code window} (clamped to the retention) ending at {@code now}. */
  public ServiceGraph snapshot(long now, Duration window, NameTable names) {
    long requested = Math.max(1, window.toNanos());
    int k = (int) Math.min(SLOTS - 1, Math.max(1, (requested + slotNanos - 1) / slotNanos));
    Duration effective = requested > k * slotNanos ? Duration.ofNanos(k * slotNanos) : window;
    double seconds = effective.toNanos() / 1e9;
    long nowEpoch = Math.floorDiv(now, slotNanos);

    List<ServiceGraph.Edge> edges = new ArrayList<>();
    TreeMap<String, NodeAcc> nodes = new TreeMap<>();
    int[] clientH = new int[BUCKETS];
    int[] serverH = new int[BUCKETS];
    for (int row = 0; row < rows; row++) {
      long count = 0;
      long failed = 0;
      long clientSum = 0;
      long serverSum = 0;
      Arrays.fill(clientH, 0);
      Arrays.fill(serverH, 0);
      for (int s = 0; s < SLOTS; s++) {
        int cell = row * SLOTS + s;
        int d = cell * STRIDE;
        long epoch = data[d];
        if (epoch == Long.MIN_VALUE || epoch > nowEpoch || epoch <= nowEpoch - k) {
          continue;
        }
        count += data[d + 1];
        failed += data[d + 2];
        clientSum += data[d + 3];
        serverSum += data[d + 4];
        int h = cell * 2 * BUCKETS;
        for (int b = 0; b < BUCKETS; b++) {
          clientH[b] += hist[h + b];
          serverH[b] += hist[h + BUCKETS + b];
        }
      }
      long key = keys[row];
      String client = names.name((int) (key >>> 34));
      String server = names.name((int) (key >>> 4) & 0x3FFFFFFF);
      ConnectionType type = ConnectionType.of((int) (key & 0xF));
      nodes.computeIfAbsent(client, NodeAcc::new);
      if (count == 0) {
        nodes.computeIfAbsent(server, NodeAcc::new);
        continue;
      }
      ServiceGraph.Latency cl = latency(clientSum, count, clientH);
      ServiceGraph.Latency sl = latency(serverSum, count, serverH);
      edges.add(new ServiceGraph.Edge(client, server, type, count, failed, count / seconds, failed / seconds, cl, sl));
      NodeAcc n = nodes.computeIfAbsent(server, NodeAcc::new);
      n.count += count;
      n.failed += failed;
      n.sum += serverSum;
      for (int b = 0; b < BUCKETS; b++) {
        n.hist[b] += serverH[b];
      }
    }
    List<ServiceGraph.Node> nodeList = new ArrayList<>(nodes.size());
    for (NodeAcc n : nodes.values()) {
      if (n.count == 0 && !appearsIn(edges, n.name)) {
        continue; // an edge that had no traffic in the window contributes no node either
      }
      nodeList.add(new ServiceGraph.Node(n.name, n.count, n.failed, n.count / seconds, n.failed / seconds,
          n.count == 0 ? ServiceGraph.Latency.NONE : latency(n.sum, n.count, n.hist)));
    }
    edges.sort(Comparator.comparing(ServiceGraph.Edge::client).thenComparing(ServiceGraph.Edge::server)
        .thenComparing(ServiceGraph.Edge::connectionType));
    return new ServiceGraph(effective, nodeList, edges);
  }

  private static boolean appearsIn(List<ServiceGraph.Edge> edges, String name) {
    for (ServiceGraph.Edge e : edges) {
      if (e.client().equals(name) || e.server().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static ServiceGraph.Latency latency(long sum, long count, int[] h) {
    return new ServiceGraph.Latency(sum / 1e9 / count, quantile(h, count, 0.5), quantile(h, count, 0.95));
  }

  /** Linear interpolation inside the log2 bucket holding the q-th observation; seconds. */
  static double quantile(int[] h, long count, double q) {
    double target = q * count;
    long cum = 0;
    for (int b = 0; b < BUCKETS; b++) {
      if (h[b] == 0) {
        continue;
      }
      if (cum + h[b] >= target) {
        double lower = b == 0 ? 0 : (double) (1L << (SHIFT + b - 1));
        double upper = (double) (1L << (SHIFT + b));
        double f = (target - cum) / h[b];
        return (lower + f * (upper - lower)) / 1e9;
      }
      cum += h[b];
    }
    return (double) (1L << (SHIFT + BUCKETS - 1)) / 1e9;
  }

  private static final class NodeAcc {
    final String name;
    long count;
    long failed;
    long sum;
    final int[] hist = new int[BUCKETS];

    NodeAcc(String name) {
      this.name = name;
    }
  }
}
