package io.spanfold.redmetrics.servicegraph.internal;

import java.util.Arrays;

/**
 * Internal, unstable. Maps a fixed-width tuple of name ids (client, server, connection type, dimension values …) to a
 * dense series number with open addressing; a lookup of a known tuple allocates nothing.
 *
 * <p>Not thread-safe: guarded by the owner's lock.
 */
public final class SeriesIndex {
  private final int width;
  private int[] keys; // series * width
  private int[] hashes;
  private int[] table; // series + 1, 0 = free
  private int mask;
  private int size;

  public SeriesIndex(int width) {
    this.width = width;
    this.keys = new int[16 * width];
    this.hashes = new int[16];
    this.table = new int[32];
    this.mask = 31;
  }

  public int size() {
    return size;
  }

  public int width() {
    return width;
  }

  /** Component {@code c} of series {@code s}'s key. */
  public int key(int s, int c) {
    return keys[s * width + c];
  }

  /** @return the series of {@code key[0..width)}, or -1 */
  public int find(int[] key) {
    int h = hash(key);
    int i = h & mask;
    while (true) {
      int slot = table[i];
      if (slot == 0) {
        return -1;
      }
      int s = slot - 1;
      if (hashes[s] == h && sameKey(s, key)) {
        return s;
      }
      i = (i + 1) & mask;
    }
  }

  private boolean sameKey(int s, int[] key) {
    // a plain loop: keys are a few ints, where Arrays.equals' range checks and mismatch stub cost more than the compare
    int base = s * width;
    for (int c = 0; c < width; c++) {
      if (keys[base + c] != key[c]) {
        return false;
      }
    }
    return true;
  }

  /** Adds a key known to be absent; returns its series number. */
  public int add(int[] key) {
    int s = size;
    if (s == hashes.length) {
      keys = Arrays.copyOf(keys, s * 2 * width);
      hashes = Arrays.copyOf(hashes, s * 2);
    }
    System.arraycopy(key, 0, keys, s * width, width);
    hashes[s] = hash(key);
    size = s + 1;
    if (size * 2 > table.length) {
      table = new int[table.length * 2];
      mask = table.length - 1;
      for (int t = 0; t < size; t++) {
        place(t);
      }
    } else {
      place(s);
    }
    return s;
  }

  private void place(int s) {
    int i = hashes[s] & mask;
    while (table[i] != 0) {
      i = (i + 1) & mask;
    }
    table[i] = s + 1;
  }

  private int hash(int[] key) {
    int h = 1;
    for (int c = 0; c < width; c++) {
      h = h * 0x9E3779B1 + key[c];
    }
    return h ^ (h >>> 15);
  }
}
