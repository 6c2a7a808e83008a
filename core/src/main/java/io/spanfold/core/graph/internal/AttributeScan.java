package io.spanfold.core.graph.internal;

import io.spanfold.core.wire.OtlpAttributes;
import java.nio.charset.StandardCharsets;

/**
 * Internal, unstable. One pass over a message's attributes that records where each of a fixed set of wanted keys
 * was found (first occurrence wins, as Tempo's lookup does). Values stay slices of the scanned buffer; {@link
 * #intern} turns one into a name id, rendering ints, bools and doubles as text the way Tempo stringifies them.
 *
 * <p>Reusable and allocation-free per scan; not thread-safe.
 */
public final class AttributeScan implements OtlpAttributes.AttributeVisitor {
  private final byte[][] keys;
  private final int[] type;
  private final int[] valueOffset;
  private final int[] valueLength;
  private final long[] bits;
  private byte[] buf;
  private long found;
  private final byte[] scratch = new byte[32];

  /** @param keys distinct UTF-8 attribute keys, at most 64 */
  public AttributeScan(byte[][] keys) {
    if (keys.length > 64) {
      throw new IllegalArgumentException("more than 64 attribute keys");
    }
    this.keys = keys;
    int n = keys.length;
    type = new int[n];
    valueOffset = new int[n];
    valueLength = new int[n];
    bits = new long[n];
  }

  /** Forgets the previous scan and scans the attributes field of the message at {@code buf[offset..+length)}. */
  public void scan(byte[] buf, int offset, int length, int attributesField) {
    this.buf = buf;
    this.found = 0;
    if (length > 0) {
      OtlpAttributes.forEach(buf, offset, length, attributesField, this);
    }
  }

  /** Forgets the previous scan: nothing is found. */
  public void reset() {
    found = 0;
  }

  public boolean found(int k) {
    return (found & (1L << k)) != 0;
  }

  @Override
  public void attribute(byte[] b, int keyOffset, int keyLength, int t, int vo, int vl, long v) {
    for (int k = 0; k < keys.length; k++) {
      if ((found & (1L << k)) == 0 && OtlpAttributes.bytesEqual(b, keyOffset, keyLength, keys[k])) {
        found |= 1L << k;
        type[k] = t;
        valueOffset[k] = vo;
        valueLength[k] = vl;
        bits[k] = v;
        return;
      }
    }
  }

  /**
   * The interned text of key {@code k}'s value, {@link NameTable#EMPTY} when the key is absent or its value is not
   * a scalar (arrays, maps and bytes are not used as node names).
   */
  public int intern(int k, NameTable names) {
    if (!found(k)) {
      return NameTable.EMPTY;
    }
    switch (type[k]) {
      case OtlpAttributes.TYPE_STRING:
        return names.intern(buf, valueOffset[k], valueLength[k]);
      case OtlpAttributes.TYPE_INT:
        return internLong(bits[k], names);
      case OtlpAttributes.TYPE_BOOL:
        return bits[k] != 0 ? names.intern("true") : names.intern("false");
      case OtlpAttributes.TYPE_DOUBLE:
        // rare for a name; allocating here is acceptable
        return names.intern(Double.toString(Double.longBitsToDouble(bits[k])));
      default:
        return NameTable.EMPTY;
    }
  }

  /** Appends key {@code k}'s value as text to {@code out} at {@code at}; returns the new end, or -1 if absent. */
  public int appendText(int k, byte[] out, int at) {
    if (!found(k)) {
      return -1;
    }
    switch (type[k]) {
      case OtlpAttributes.TYPE_STRING:
        if (at + valueLength[k] > out.length) {
          return -1;
        }
        System.arraycopy(buf, valueOffset[k], out, at, valueLength[k]);
        return at + valueLength[k];
      case OtlpAttributes.TYPE_INT:
        int n = writeLong(bits[k], scratch);
        if (at + n > out.length) {
          return -1;
        }
        System.arraycopy(scratch, scratch.length - n, out, at, n);
        return at + n;
      default:
        return -1;
    }
  }

  private int internLong(long v, NameTable names) {
    int n = writeLong(v, scratch);
    return names.intern(scratch, scratch.length - n, n);
  }

  /** Writes decimal digits right-aligned at the end of {@code out}; returns how many. */
  private static int writeLong(long v, byte[] out) {
    if (v == Long.MIN_VALUE) {
      byte[] s = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(s, 0, out, out.length - s.length, s.length);
      return s.length;
    }
    boolean neg = v < 0;
    long x = neg ? -v : v;
    int p = out.length;
    do {
      out[--p] = (byte) ('0' + (x % 10));
      x /= 10;
    } while (x != 0);
    if (neg) {
      out[--p] = '-';
    }
    return out.length - p;
  }
}
