package io.spanfold.core.query.traceql.internal;

/**
 * Internal, unstable: structural spanset operators. Given the left and right spans (sorted indexes) returns, sorted:
 * for {@code > < >> << ~} the right spans that have a matching left span; for the negated forms the right spans that
 * have none; for the union forms ({@code &> …}) the spans of both sides that take part in a match.
 */
final class Relations {
  private Relations() {}

  static int[] apply(Op op, int[] ls, int[] rs, TraceStructure t) {
    boolean[] inL = mark(ls, t.n);
    boolean[] inR = mark(rs, t.n);
    boolean[] out = new boolean[t.n];
    switch (op) {
      case SS_CHILD:
      case SS_NOT_CHILD:
        for (int r : rs) {
          out[r] = hasParentIn(r, inL, t) != (op == Op.SS_NOT_CHILD);
        }
        break;
      case SS_PARENT:
      case SS_NOT_PARENT:
        {
          boolean[] parentOfL = parentsOf(ls, t);
          for (int r : rs) {
            out[r] = parentOfL[r] != (op == Op.SS_NOT_PARENT);
          }
        }
        break;
      case SS_DESC:
      case SS_NOT_DESC:
        for (int r : rs) {
          out[r] = hasAncestorIn(r, inL, t) != (op == Op.SS_NOT_DESC);
        }
        break;
      case SS_ANCE:
      case SS_NOT_ANCE:
        {
          boolean[] ancOfL = ancestorsOf(ls, t);
          for (int r : rs) {
            out[r] = ancOfL[r] != (op == Op.SS_NOT_ANCE);
          }
        }
        break;
      case SS_SIBL:
      case SS_NOT_SIBL:
        {
          int[] groupCount = groupCounts(ls, t);
          for (int r : rs) {
            out[r] = hasSiblingIn(r, inL, groupCount, t) != (op == Op.SS_NOT_SIBL);
          }
        }
        break;
      case SS_UNION_CHILD:
        unionChild(ls, rs, inL, inR, out, t); // parents on the left
        break;
      case SS_UNION_PARENT:
        unionChild(rs, ls, inR, inL, out, t); // parents on the right
        break;
      case SS_UNION_DESC:
        unionDesc(ls, rs, inL, inR, out, t);
        break;
      case SS_UNION_ANCE:
        unionDesc(rs, ls, inR, inL, out, t);
        break;
      case SS_UNION_SIBL:
        {
          int[] lCount = groupCounts(ls, t);
          int[] rCount = groupCounts(rs, t);
          for (int r : rs) {
            out[r] |= hasSiblingIn(r, inL, lCount, t);
          }
          for (int l : ls) {
            out[l] |= hasSiblingIn(l, inR, rCount, t);
          }
        }
        break;
      default:
        throw new AssertionError(op);
    }
    int k = 0;
    for (boolean b : out) {
      if (b) {
        k++;
      }
    }
    int[] result = new int[k];
    k = 0;
    for (int i = 0; i < out.length; i++) {
      if (out[i]) {
        result[k++] = i;
      }
    }
    return result;
  }

  private static boolean[] mark(int[] spans, int n) {
    boolean[] m = new boolean[n];
    for (int s : spans) {
      m[s] = true;
    }
    return m;
  }

  private static boolean hasParentIn(int s, boolean[] set, TraceStructure t) {
    return t.valid[s] && t.parent[s] >= 0 && set[t.parent[s]];
  }

  private static boolean[] parentsOf(int[] spans, TraceStructure t) {
    boolean[] m = new boolean[t.n];
    for (int s : spans) {
      if (t.valid[s] && t.parent[s] >= 0) {
        m[t.parent[s]] = true;
      }
    }
    return m;
  }

  private static boolean hasAncestorIn(int s, boolean[] set, TraceStructure t) {
    if (!t.valid[s]) {
      return false;
    }
    for (int p = t.parent[s]; p >= 0; p = t.parent[p]) {
      if (set[p]) {
        return true;
      }
    }
    return false;
  }

  private static boolean[] ancestorsOf(int[] spans, TraceStructure t) {
    boolean[] m = new boolean[t.n];
    for (int s : spans) {
      if (!t.valid[s]) {
        continue;
      }
      for (int p = t.parent[s]; p >= 0 && !m[p]; p = t.parent[p]) {
        m[p] = true;
      }
    }
    return m;
  }

  private static int[] groupCounts(int[] spans, TraceStructure t) {
    int[] c = new int[t.n + 1];
    for (int s : spans) {
      if (t.valid[s]) {
        c[t.siblingGroup(s)]++;
      }
    }
    return c;
  }

  private static boolean hasSiblingIn(int s, boolean[] set, int[] groupCount, TraceStructure t) {
    if (!t.valid[s]) {
      return false;
    }
    return groupCount[t.siblingGroup(s)] - (set[s] ? 1 : 0) > 0;
  }

  private static void unionChild(
      int[] parents, int[] children, boolean[] inParents, boolean[] inChildren, boolean[] out, TraceStructure t) {
    for (int c : children) {
      if (hasParentIn(c, inParents, t)) {
        out[c] = true;
        out[t.parent[c]] = true;
      }
    }
  }

  private static void unionDesc(
      int[] ancestors, int[] descendants, boolean[] inAnc, boolean[] inDesc, boolean[] out, TraceStructure t) {
    for (int d : descendants) {
      if (!t.valid[d]) {
        continue;
      }
      for (int p = t.parent[d]; p >= 0; p = t.parent[p]) {
        if (inAnc[p]) {
          out[d] = true;
          out[p] = true;
        }
      }
    }
  }
}
