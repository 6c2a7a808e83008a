package io.spanfold.redmetrics.spanmetrics.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Open-addressing (linear probing) table from a 64-bit key hash to {@link Cell}. Equal hashes of different keys are
 * allowed: a lookup compares the key bytes of every cell with the same hash. Single-threaded (stripe lock).
 */
final class CellTable {
  private long[] hashes;
  private Cell[] cells;
  private int size;

  CellTable(int initialCapacity) {
    int cap = Integer.highestOneBit(Math.max(16, initialCapacity * 2 - 1)) * 2;
    hashes = new long[cap];
    cells = new Cell[cap];
  }

  int size() {
    return size;
  }

  private static int slot(long h, int mask) {
    return (int) (h ^ (h >>> 32)) & mask;
  }

  Cell find(long h, String service, byte[] key, int len) {
    Cell[] cs = cells;
    long[] hs = hashes;
    int mask = cs.length - 1;
    for (int i = slot(h, mask); ; i = (i + 1) & mask) {
      Cell c = cs[i];
      if (c == null) {
        return null;
      }
      if (hs[i] == h && c.matches(service, key, len)) {
        return c;
      }
    }
  }

  void insert(Cell c) {
    if ((size + 1) * 2 > cells.length) {
      resize(cells.length * 2);
    }
    put(c);
    size++;
  }

  private void put(Cell c) {
    int mask = cells.length - 1;
    int i = slot(c.hash, mask);
    while (cells[i] != null) {
      i = (i + 1) & mask;
    }
    cells[i] = c;
    hashes[i] = c.hash;
  }

  private void resize(int cap) {
    Cell[] old = cells;
    cells = new Cell[cap];
    hashes = new long[cap];
    for (Cell c : old) {
      if (c != null) {
        put(c);
      }
    }
  }

  /** Removes a cell (by identity), closing the probe gap by shifting later entries back. */
  void remove(Cell c) {
    int mask = cells.length - 1;
    int i = slot(c.hash, mask);
    while (cells[i] != c) {
      if (cells[i] == null) {
        return;
      }
      i = (i + 1) & mask;
    }
    cells[i] = null;
    size--;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      Cell m = cells[j];
      if (m == null) {
        return;
      }
      int home = slot(m.hash, mask);
      // move m into the hole at i if its home is not in the cyclic range (i, j]
      boolean homeInRange = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!homeInRange) {
        cells[i] = m;
        hashes[i] = m.hash;
        cells[j] = null;
        i = j;
      }
    }
  }

  List<Cell> cells() {
    List<Cell> out = new ArrayList<>(size);
    for (Cell c : cells) {
      if (c != null) {
        out.add(c);
      }
    }
    return out;
  }
}
