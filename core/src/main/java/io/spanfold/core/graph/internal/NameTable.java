package io.spanfold.core.graph.internal;

import com.carrotsearch.hppc.ObjectIntHashMap;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Internal, unstable. Interns names (service names, peer attribute values, dimension values) to small {@code int}
 * ids so the edge store holds no references. Id {@code 0} is the empty name, meaning "absent".
 *
 * <p>Names arrive either as {@code String}s (a resource's {@code service.name}, decoded once per resource) or as
 * UTF-8 slices of span bytes (attribute values); both resolve to the same id without allocating once the name is
 * known. The table is bounded: past {@code maxNames} every new name maps to {@link #OVERFLOW}, so hostile
 * cardinality (say, a random {@code network.peer.address}) cannot grow the heap without limit.
 *
 * <p>Not thread-safe: guarded by the owning builder's lock.
 */
public final class NameTable {
  public static final int EMPTY = 0;
  public static final int OVERFLOW = 1;
  public static final String OVERFLOW_NAME = "__overflow__";

  private final int maxNames;
  private final ObjectIntHashMap<String> byString = new ObjectIntHashMap<>();
  private int[] table; // open addressing over byte content: id + 1, 0 = free
  private int mask;
  private byte[][] bytes = new byte[16][];
  private int[] hashes = new int[16];
  private String[] strings = new String[16];
  private int size;
  private long overflowed;

  public NameTable(int maxNames) {
    if (maxNames < 2) {
      throw new IllegalArgumentException("maxNames < 2");
    }
    this.maxNames = maxNames;
    this.table = new int[64];
    this.mask = 63;
    add(new byte[0], "");
    add(OVERFLOW_NAME.getBytes(StandardCharsets.UTF_8), OVERFLOW_NAME);
  }

  /** Number of names held, including the two reserved ones. */
  public int size() {
    return size;
  }

  /** How many intern calls hit the bound and were mapped to {@link #OVERFLOW}. */
  public long overflowed() {
    return overflowed;
  }

  public String name(int id) {
    return strings[id];
  }

  /** Interns a string; {@code ""} is {@link #EMPTY}. */
  public int intern(String s) {
    if (s.isEmpty()) {
      return EMPTY;
    }
    int id = byString.getOrDefault(s, -1);
    if (id >= 0) {
      return id;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    id = intern(b, 0, b.length);
    if (id != OVERFLOW) {
      byString.put(s, id);
    }
    return id;
  }

  /** Interns the UTF-8 bytes {@code buf[offset..offset+length)}; allocates only for a name never seen before. */
  public int intern(byte[] buf, int offset, int length) {
    if (length == 0) {
      return EMPTY;
    }
    int h = hash(buf, offset, length);
    int i = h & mask;
    while (true) {
      int slot = table[i];
      if (slot == 0) {
        break;
      }
      int id = slot - 1;
      if (hashes[id] == h && equal(bytes[id], buf, offset, length)) {
        return id;
      }
      i = (i + 1) & mask;
    }
    if (size >= maxNames) {
      overflowed++;
      return OVERFLOW;
    }
    byte[] copy = Arrays.copyOfRange(buf, offset, offset + length);
    int id = add(copy, new String(copy, StandardCharsets.UTF_8));
    byString.put(strings[id], id);
    return id;
  }

  private int add(byte[] b, String s) {
    int id = size;
    if (id == bytes.length) {
      int n = id * 2;
      bytes = Arrays.copyOf(bytes, n);
      hashes = Arrays.copyOf(hashes, n);
      strings = Arrays.copyOf(strings, n);
    }
    int h = hash(b, 0, b.length);
    bytes[id] = b;
    hashes[id] = h;
    strings[id] = s;
    size = id + 1;
    if (size * 2 > table.length) {
      rehash(table.length * 2);
    } else {
      place(id);
    }
    return id;
  }

  private void rehash(int capacity) {
    table = new int[capacity];
    mask = capacity - 1;
    for (int id = 0; id < size; id++) {
      place(id);
    }
  }

  private void place(int id) {
    int i = hashes[id] & mask;
    while (table[i] != 0) {
      i = (i + 1) & mask;
    }
    table[i] = id + 1;
  }

  private static boolean equal(byte[] a, byte[] buf, int offset, int length) {
    return a.length == length && Arrays.equals(a, 0, length, buf, offset, offset + length);
  }

  private static int hash(byte[] buf, int offset, int length) {
    int h = 1;
    for (int i = 0; i < length; i++) {
      h = 31 * h + buf[offset + i];
    }
    return h ^ (h >>> 16);
  }
}
