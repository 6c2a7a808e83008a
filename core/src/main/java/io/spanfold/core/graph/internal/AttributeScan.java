package io.spanfold.core.graph.internal;

import io.spanfold.core.wire.OtlpAttributes;
import io.spanfold.core.wire.OtlpFields;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Internal, unstable. One pass over a message's attributes that records where each of a fixed set of wanted keys
 * was found (first occurrence wins, as Tempo's lookup does). Values stay slices of the scanned buffer; {@link
 * #intern} turns one into a name id, rendering ints, bools and doubles as text the way Tempo stringifies them.
 *
 * <p>Why not {@link OtlpAttributes#forEach}: that decodes every value for its visitor, and on the pairing path the
 * scan was three quarters of the cost (JMH stack profile). Here a key is compared only when its length is one of the
 * wanted lengths, and then only against the wanted keys of that length, eight bytes at a time (a loop over every
 * wanted key with a byte-wise compare was the builder's top cost on Beyla-like spans); only matched values are
 * decoded, lazily. Malformed bytes end the scan quietly (the decoder already validated the span's framing).
 *
 * <p>Reusable and allocation-free per scan; not thread-safe.
 */
public final class AttributeScan {
  private static final int WIRE_VARINT = OtlpFields.WIRE_VARINT;
  private static final int WIRE_FIXED64 = OtlpFields.WIRE_FIXED64;
  private static final int WIRE_LEN = OtlpFields.WIRE_LEN;
  private static final int WIRE_FIXED32 = OtlpFields.WIRE_FIXED32;

  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final byte[][] keys;
  private final long lengthMask; // bit n set when some wanted key has length n (< 64)
  private final boolean longKeys; // some wanted key is 64 bytes or longer
  private final int[] firstOfLength; // [n < 64]: a wanted key of length n, -1 for none; [64]: first key of 64+ bytes
  private final int[] nextOfLength; // [k]: the next wanted key in k's length chain, -1 at the end
  private final long[] head; // first eight bytes of each key of 8+ bytes (little-endian)
  private final long[] tail; // last eight bytes of each key of 8+ bytes
  private final int[] valueOffset; // AnyValue message slice
  private final int[] valueLength;
  private byte[] buf;
  private long found;
  private int pos; // cursor of the varint reader
  private final byte[] scratch = new byte[32];

  /** @param keys distinct UTF-8 attribute keys, at most 64 */
  public AttributeScan(byte[][] keys) {
    if (keys.length > 64) {
      throw new IllegalArgumentException("more than 64 attribute keys");
    }
    this.keys = keys;
    long mask = 0;
    boolean longer = false;
    for (byte[] k : keys) {
      if (k.length < 64) {
        mask |= 1L << k.length;
      } else {
        longer = true;
      }
    }
    this.lengthMask = mask;
    this.longKeys = longer;
    firstOfLength = new int[65];
    java.util.Arrays.fill(firstOfLength, -1);
    nextOfLength = new int[keys.length];
    head = new long[keys.length];
    tail = new long[keys.length];
    for (int k = keys.length - 1; k >= 0; k--) {
      int chain = Math.min(keys[k].length, 64);
      nextOfLength[k] = firstOfLength[chain];
      firstOfLength[chain] = k;
      if (keys[k].length >= 8) {
        head[k] = (long) LONG_LE.get(keys[k], 0);
        tail[k] = (long) LONG_LE.get(keys[k], keys[k].length - 8);
      }
    }
    valueOffset = new int[keys.length];
    valueLength = new int[keys.length];
  }

  /** Forgets the previous scan and scans the attributes field of the message at {@code buf[offset..+length)}. */
  public void scan(byte[] buf, int offset, int length, int attributesField) {
    this.buf = buf;
    this.found = 0;
    if (length <= 0) {
      return;
    }
    // the cursor lives in locals (packed returns), not in a field: this loop is the hottest code of the builder
    int end = offset + length;
    int p = offset;
    try {
      while (p < end) {
        int tag = buf[p++];
        if (tag < 0) {
          long v = varint32(buf, p - 1, end);
          tag = (int) (v >>> 32);
          p = (int) v;
        }
        int wire = tag & 7;
        if (wire == WIRE_LEN) {
          int len = buf[p++];
          if (len < 0) {
            long v = varint32(buf, p - 1, end);
            len = (int) (v >>> 32);
            p = (int) v;
          }
          if (len < 0 || len > end - p) {
            return;
          }
          if ((tag >>> 3) == attributesField) {
            keyValue(buf, p, p + len);
          }
          p += len;
        } else if (wire == WIRE_FIXED64) {
          p += 8;
        } else if (wire == WIRE_VARINT) {
          while (buf[p++] < 0) {
            if (p >= end) {
              return;
            }
          }
        } else if (wire == WIRE_FIXED32) {
          p += 4;
        } else {
          return;
        }
      }
    } catch (IndexOutOfBoundsException malformed) {
      // stop quietly (the key compare's VarHandle reads throw the superclass of the array reads' exception)
    }
  }

  /** Reads a varint of at most 32 bits starting at {@code p}; returns {@code value << 32 | nextPosition}. */
  private static long varint32(byte[] buf, int p, int end) {
    long result = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (p >= end) {
        throw new ArrayIndexOutOfBoundsException();
      }
      byte b = buf[p++];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return (result & 0xFFFFFFFFL) << 32 | p;
      }
    }
    throw new ArrayIndexOutOfBoundsException();
  }

  private void keyValue(byte[] buf, int p, int end) {
    int keyOff = -1;
    int keyLen = 0;
    int valOff = -1;
    int valLen = 0;
    while (p < end) {
      int tag = buf[p++];
      int wire = tag & 7;
      if (tag < 0 || wire != WIRE_LEN) {
        return; // KeyValue has only two length-delimited fields with one-byte tags; anything else is not ours
      }
      int len = buf[p++];
      if (len < 0) {
        long v = varint32(buf, p - 1, end);
        len = (int) (v >>> 32);
        p = (int) v;
      }
      if (len < 0 || len > end - p) {
        return;
      }
      int field = tag >>> 3;
      if (field == OtlpFields.KEY_VALUE_KEY) {
        if (!wantedLength(len)) {
          return; // no wanted key has this length: don't look at the value
        }
        keyOff = p;
        keyLen = len;
      } else if (field == OtlpFields.KEY_VALUE_VALUE) {
        valOff = p;
        valLen = len;
      }
      p += len;
    }
    if (keyOff < 0 || valOff < 0) {
      return;
    }
    for (int k = firstOfLength[Math.min(keyLen, 64)]; k >= 0; k = nextOfLength[k]) {
      if (keyEquals(buf, keyOff, keyLen, k)) {
        // keys are distinct, so no other one can match; a repeated key keeps its first value, as in Tempo
        if ((found & (1L << k)) == 0) {
          found |= 1L << k;
          valueOffset[k] = valOff;
          valueLength[k] = valLen;
        }
        return;
      }
    }
  }

  private boolean keyEquals(byte[] buf, int off, int len, int k) {
    byte[] key = keys[k];
    if (len != key.length) {
      return false;
    }
    if (len < 8) {
      return OtlpAttributes.bytesEqual(buf, off, len, key);
    }
    if ((long) LONG_LE.get(buf, off) != head[k] || (long) LONG_LE.get(buf, off + len - 8) != tail[k]) {
      return false;
    }
    for (int i = 8; i < len - 8; i += 8) {
      if ((long) LONG_LE.get(buf, off + i) != (long) LONG_LE.get(key, i)) {
        return false;
      }
    }
    return true;
  }

  private boolean wantedLength(int len) {
    return len < 64 ? (lengthMask & (1L << len)) != 0 : longKeys;
  }

  /** Forgets the previous scan: nothing is found. */
  public void reset() {
    found = 0;
  }

  public boolean found(int k) {
    return (found & (1L << k)) != 0;
  }

  // ---- values, decoded on demand. Kind is one of the AnyValue field numbers; the last value field wins.
  private int vKind;
  private int vOff;
  private int vLen;
  private long vBits;

  private void decodeValue(int k) {
    vKind = 0;
    int end = valueOffset[k] + valueLength[k];
    int saved = pos;
    pos = valueOffset[k];
    try {
      while (pos < end) {
        int tag = readVarint32(end);
        int field = tag >>> 3;
        int wire = tag & 7;
        if (wire == WIRE_LEN) {
          int len = readVarint32(end);
          if (len < 0 || len > end - pos) {
            vKind = 0;
            break;
          }
          vKind = field;
          vOff = pos;
          vLen = len;
          pos += len;
        } else if (wire == WIRE_VARINT) {
          vKind = field;
          vBits = readVarint64(end);
        } else if (wire == WIRE_FIXED64) {
          if (pos + 8 > end) {
            vKind = 0;
            break;
          }
          vKind = field;
          vBits = fixed64(pos);
          pos += 8;
        } else if (!skip(wire, end)) {
          vKind = 0;
          break;
        }
      }
    } catch (ArrayIndexOutOfBoundsException malformed) {
      vKind = 0;
    }
    pos = saved;
  }

  /**
   * The interned text of key {@code k}'s value, {@link NameTable#EMPTY} when the key is absent or its value is not
   * a scalar (arrays, maps and bytes are not used as node names).
   */
  public int intern(int k, NameTable names) {
    if (!found(k)) {
      return NameTable.EMPTY;
    }
    decodeValue(k);
    switch (vKind) {
      case OtlpFields.ANY_STRING:
        return names.intern(buf, vOff, vLen);
      case OtlpFields.ANY_INT:
        int n = writeLong(vBits, scratch);
        return names.intern(scratch, scratch.length - n, n);
      case OtlpFields.ANY_BOOL:
        return vBits != 0 ? names.intern("true") : names.intern("false");
      case OtlpFields.ANY_DOUBLE:
        // rare for a name; allocating here is acceptable
        return names.intern(Double.toString(Double.longBitsToDouble(vBits)));
      default:
        return NameTable.EMPTY;
    }
  }

  /** Appends key {@code k}'s string or int value as text to {@code out} at {@code at}; the new end, or -1. */
  public int appendText(int k, byte[] out, int at) {
    if (!found(k)) {
      return -1;
    }
    decodeValue(k);
    switch (vKind) {
      case OtlpFields.ANY_STRING:
        if (at + vLen > out.length) {
          return -1;
        }
        System.arraycopy(buf, vOff, out, at, vLen);
        return at + vLen;
      case OtlpFields.ANY_INT:
        int n = writeLong(vBits, scratch);
        if (at + n > out.length) {
          return -1;
        }
        System.arraycopy(scratch, scratch.length - n, out, at, n);
        return at + n;
      default:
        return -1;
    }
  }

  // ---- minimal protobuf reading over buf, cursor in pos

  private int readVarint32(int end) {
    int b = buf[pos++];
    if (b >= 0) {
      return b;
    }
    int result = b & 0x7F;
    for (int shift = 7; shift < 35; shift += 7) {
      if (pos >= end) {
        throw new ArrayIndexOutOfBoundsException();
      }
      b = buf[pos++];
      result |= (b & 0x7F) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw new ArrayIndexOutOfBoundsException();
  }

  private long readVarint64(int end) {
    long result = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos >= end) {
        throw new ArrayIndexOutOfBoundsException();
      }
      byte b = buf[pos++];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw new ArrayIndexOutOfBoundsException();
  }

  private boolean skip(int wire, int end) {
    switch (wire) {
      case WIRE_VARINT:
        readVarint64(end);
        return true;
      case WIRE_FIXED64:
        pos += 8;
        return pos <= end;
      case WIRE_FIXED32:
        pos += 4;
        return pos <= end;
      case WIRE_LEN:
        int len = readVarint32(end);
        if (len < 0 || len > end - pos) {
          return false;
        }
        pos += len;
        return true;
      default:
        return false;
    }
  }

  private long fixed64(int p) {
    return (buf[p] & 0xFFL)
        | (buf[p + 1] & 0xFFL) << 8
        | (buf[p + 2] & 0xFFL) << 16
        | (buf[p + 3] & 0xFFL) << 24
        | (buf[p + 4] & 0xFFL) << 32
        | (buf[p + 5] & 0xFFL) << 40
        | (buf[p + 6] & 0xFFL) << 48
        | (buf[p + 7] & 0xFFL) << 56;
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
