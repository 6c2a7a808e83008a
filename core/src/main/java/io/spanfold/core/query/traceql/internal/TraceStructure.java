package io.spanfold.core.query.traceql.internal;

import io.spanfold.core.query.traceql.TraceView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Internal, unstable: the span tree as Tempo's nested-set model sees it. Only spans reachable from a root (a span
 * without parent) take part in structural operators; roots are siblings of each other; a parent id shared by two spans
 * (Zipkin client/server) resolves by kind; more than two spans with one id invalidates the whole trace's structure.
 */
final class TraceStructure {
  static final int OTLP_KIND_SERVER = 2;
  static final int OTLP_KIND_CLIENT = 3;

  final int n;
  /** Tree parent index, -1 for roots and invalid spans. */
  final int[] parent;
  final boolean[] valid;
  /** Nested-set bounds of valid spans. */
  final int[] left;
  final int[] right;

  TraceStructure(TraceView view) {
    n = view.spanCount();
    parent = new int[n];
    valid = new boolean[n];
    left = new int[n];
    right = new int[n];
    java.util.Arrays.fill(parent, -1);
    Map<Long, List<Integer>> byId = new HashMap<>();
    boolean undo = false;
    List<Integer> roots = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (view.parentSpanId(i) == 0) {
        roots.add(i);
      }
      List<Integer> nodes = byId.computeIfAbsent(view.spanId(i), k -> new ArrayList<>(1));
      nodes.add(i);
      if (nodes.size() > 2) {
        undo = true;
      }
    }
    if (undo || roots.isEmpty()) {
      return;
    }
    List<List<Integer>> children = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      children.add(null);
    }
    int[] treeParent = new int[n];
    java.util.Arrays.fill(treeParent, -1);
    for (int i = 0; i < n; i++) {
      long pid = view.parentSpanId(i);
      if (pid == 0) {
        continue;
      }
      List<Integer> cand = byId.get(pid);
      int p = -1;
      if (cand != null && cand.size() == 1) {
        p = cand.get(0);
      } else if (cand != null && cand.size() == 2) {
        int want = view.kind(i) == OTLP_KIND_SERVER ? OTLP_KIND_CLIENT : OTLP_KIND_SERVER;
        if (view.kind(cand.get(0)) == want) {
          p = cand.get(0);
        } else if (view.kind(cand.get(1)) == want) {
          p = cand.get(1);
        }
      }
      if (p >= 0) {
        treeParent[i] = p;
        if (children.get(p) == null) {
          children.set(p, new ArrayList<>(2));
        }
        children.get(p).add(i);
      }
    }
    // depth-first from each root, iteratively: assign left on the way down and right on the way up
    int bound = 1;
    int[] stackNode = new int[n + 1];
    int[] stackNext = new int[n + 1];
    for (int root : roots) {
      int sp = 0;
      stackNode[0] = root;
      stackNext[0] = 0;
      valid[root] = true;
      left[root] = bound++;
      while (sp >= 0) {
        int node = stackNode[sp];
        List<Integer> ch = children.get(node);
        if (ch != null && stackNext[sp] < ch.size()) {
          int c = ch.get(stackNext[sp]++);
          if (valid[c] || sp + 1 >= stackNode.length) {
            continue; // already placed (cannot happen in a tree) — guards against malformed input
          }
          valid[c] = true;
          parent[c] = node;
          left[c] = bound++;
          sp++;
          stackNode[sp] = c;
          stackNext[sp] = 0;
        } else {
          right[node] = bound++;
          sp--;
        }
      }
    }
  }

  /** Sibling group of a valid span: its parent index, or {@code n} for roots. */
  int siblingGroup(int span) {
    return parent[span] < 0 ? n : parent[span];
  }

  /** True when {@code d} is a descendant of {@code a} (both valid). */
  boolean isDescendant(int d, int a) {
    return valid[d] && valid[a] && left[d] > left[a] && right[d] < right[a];
  }
}
