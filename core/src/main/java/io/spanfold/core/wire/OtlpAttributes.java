package io.spanfold.core.wire;

import static io.spanfold.core.wire.OtlpFields.*;

/**
 * Reads attributes ({@code repeated KeyValue}) straight out of OTLP message bytes without allocating: used on the
 * ingest path by span-metrics dimensions, the service-graph builder and the search index.
 *
 * <p>All methods take the bytes of one enclosing message ({@code Span}, {@code Resource}, {@code InstrumentationScope}
 * …) and the field number of its attributes. Malformed bytes never throw: the scan stops and reports "absent".
 */
public final class OtlpAttributes {
  private OtlpAttributes() {}

  /** Value types reported to an {@link AttributeVisitor}. */
  public static final int TYPE_STRING = ANY_STRING;
  public static final int TYPE_BOOL = ANY_BOOL;
  public static final int TYPE_INT = ANY_INT;
  public static final int TYPE_DOUBLE = ANY_DOUBLE;
  public static final int TYPE_ARRAY = ANY_ARRAY;
  public static final int TYPE_KVLIST = ANY_KVLIST;
  public static final int TYPE_BYTES = ANY_BYTES;
  /** A KeyValue without a value. */
  public static final int TYPE_EMPTY = 0;

  /** Receives each attribute of a message; slices point into the scanned buffer. */
  public interface AttributeVisitor {
    /**
     * @param type one of the {@code TYPE_*} constants
     * @param valueOffset for strings, bytes, arrays and kvlists: the value bytes' offset; otherwise unused
     * @param valueLength their length
     * @param bits for bool and int the value, for double its raw IEEE bits
     */
    void attribute(byte[] buf, int keyOffset, int keyLength, int type, int valueOffset, int valueLength, long bits);
  }

  /**
   * Finds a string attribute by key.
   *
   * @return {@code offset << 32 | length} of the UTF-8 value in {@code buf}, or {@code -1} when the key is absent or
   *     its value is not a string
   */
  public static long findString(byte[] buf, int offset, int length, int attributesField, byte[] key) {
    int end = offset + length;
    try {
      for (long kv = nextEntry(buf, offset, end, attributesField); kv != -1;
          kv = nextEntry(buf, sliceEnd(kv), end, attributesField)) {
        long found = stringValueIfKey(buf, sliceOffset(kv), sliceEnd(kv), key);
        if (found != -1) {
          return found;
        }
      }
    } catch (IndexOutOfBoundsException malformed) {
      return -1;
    }
    return -1;
  }

  /** Calls {@code visitor} for every attribute of the message, in wire order. Stops quietly at malformed bytes. */
  public static void forEach(byte[] buf, int offset, int length, int attributesField, AttributeVisitor visitor) {
    int end = offset + length;
    try {
      for (long kv = nextEntry(buf, offset, end, attributesField); kv != -1;
          kv = nextEntry(buf, sliceEnd(kv), end, attributesField)) {
        visitKeyValue(buf, sliceOffset(kv), sliceEnd(kv), visitor);
      }
    } catch (IndexOutOfBoundsException malformed) {
      // stop: the decoder that accepted this message already validated its framing
    }
  }

  /**
   * The next {@code KeyValue} of the attributes field at or after {@code p}: its slice as
   * {@code offset << 32 | length}, or -1 when there is none before {@code end}.
   */
  private static long nextEntry(byte[] buf, int p, int end, int attributesField) {
    while (p < end) {
      long tag = readSmall(buf, p, end);
      p = position(tag);
      int field = value(tag) >>> 3;
      int wire = value(tag) & 7;
      if (field == attributesField && wire == WIRE_LEN) {
        long len = readSmall(buf, p, end);
        p = position(len);
        return (long) p << 32 | checkedLength(value(len), p, end);
      }
      p = skip(buf, p, end, wire);
    }
    return -1;
  }

  /**
   * The slice of the last length-delimited occurrence of {@code wanted} in {@code buf[p, end)} (protobuf: the last
   * one wins) as {@code offset << 32 | length}, or -1 when absent.
   */
  private static long lastLengthDelimited(byte[] buf, int p, int end, int wanted) {
    long found = -1;
    while (p < end) {
      long tag = readSmall(buf, p, end);
      p = position(tag);
      int field = value(tag) >>> 3;
      int wire = value(tag) & 7;
      if (wire == WIRE_LEN) {
        long len = readSmall(buf, p, end);
        p = position(len);
        int l = checkedLength(value(len), p, end);
        if (field == wanted) {
          found = (long) p << 32 | l;
        }
        p += l;
      } else {
        p = skip(buf, p, end, wire);
      }
    }
    return found;
  }

  private static int sliceOffset(long slice) {
    return (int) (slice >>> 32);
  }

  private static int sliceLength(long slice) {
    return (int) slice;
  }

  private static int sliceEnd(long slice) {
    return sliceOffset(slice) + sliceLength(slice);
  }

  /** True when the UTF-8 bytes at {@code buf[offset..offset+length)} equal {@code expected}. */
  public static boolean bytesEqual(byte[] buf, int offset, int length, byte[] expected) {
    if (length != expected.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (buf[offset + i] != expected[i]) {
        return false;
      }
    }
    return true;
  }

  private static long stringValueIfKey(byte[] buf, int p, int end, byte[] key) {
    long k = lastLengthDelimited(buf, p, end, KEY_VALUE_KEY);
    if (k == -1 || !bytesEqual(buf, sliceOffset(k), sliceLength(k), key)) {
      return -1;
    }
    long v = lastLengthDelimited(buf, p, end, KEY_VALUE_VALUE);
    if (v == -1) {
      return -1;
    }
    int valOff = sliceOffset(v);
    int valLen = sliceLength(v);
    // AnyValue: look for string_value (last one wins, as in protobuf)
    long result = -1;
    int q = valOff;
    int vend = valOff + valLen;
    while (q < vend) {
      long tag = readSmall(buf, q, vend);
      q = position(tag);
      int field = value(tag) >>> 3;
      int wire = value(tag) & 7;
      if (wire == WIRE_LEN) {
        long len = readSmall(buf, q, vend);
        q = position(len);
        int l = checkedLength(value(len), q, vend);
        result = field == ANY_STRING ? ((long) q << 32 | l) : -1;
        q += l;
      } else {
        result = -1;
        q = skip(buf, q, vend, wire);
      }
    }
    return result;
  }

  private static void visitKeyValue(byte[] buf, int p, int end, AttributeVisitor visitor) {
    long k = lastLengthDelimited(buf, p, end, KEY_VALUE_KEY);
    int keyOff = k == -1 ? p : sliceOffset(k); // an absent key reads as the empty key
    int keyLen = k == -1 ? 0 : sliceLength(k);
    long val = lastLengthDelimited(buf, p, end, KEY_VALUE_VALUE);
    int valOff = val == -1 ? -1 : sliceOffset(val);
    int valLen = val == -1 ? 0 : sliceLength(val);
    if (valOff < 0) {
      visitor.attribute(buf, keyOff, keyLen, TYPE_EMPTY, 0, 0, 0);
      return;
    }
    int type = TYPE_EMPTY;
    int vo = 0;
    int vl = 0;
    long bits = 0;
    int q = valOff;
    int vend = valOff + valLen;
    while (q < vend) {
      long tag = readSmall(buf, q, vend);
      q = position(tag);
      int field = value(tag) >>> 3;
      int wire = value(tag) & 7;
      if (wire == WIRE_LEN) {
        long len = readSmall(buf, q, vend);
        q = position(len);
        int l = checkedLength(value(len), q, vend);
        if (field == ANY_STRING || field == ANY_ARRAY || field == ANY_KVLIST || field == ANY_BYTES) {
          type = field;
          vo = q;
          vl = l;
        }
        q += l;
      } else if (wire == WIRE_VARINT) {
        long v = readVarint64(buf, q, vend);
        q = varintEnd(buf, q, vend);
        if (field == ANY_BOOL || field == ANY_INT) {
          type = field;
          bits = v;
        }
      } else if (wire == WIRE_FIXED64) {
        if (q + 8 > vend) {
          throw new IndexOutOfBoundsException();
        }
        if (field == ANY_DOUBLE) {
          type = ANY_DOUBLE;
          bits = readFixed64(buf, q);
        }
        q += 8;
      } else {
        q = skip(buf, q, vend, wire);
      }
    }
    visitor.attribute(buf, keyOff, keyLen, type, vo, vl, bits);
  }

  // ---- minimal bounds-checked reading. Small varints (tags, lengths) come back packed with the next position as
  // (value << 32 | position) so that no cursor object is needed; 64-bit values are read by readVarint64.

  /** Reads a varint that must fit in 32 unsigned bits; returns {@code value << 32 | nextPosition}. */
  static long readSmall(byte[] buf, int p, int end) {
    long result = 0;
    int shift = 0;
    while (true) {
      if (p >= end) {
        throw new IndexOutOfBoundsException("truncated varint");
      }
      byte b = buf[p++];
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (result > 0xFFFFFFFFL) {
          throw new IndexOutOfBoundsException("varint too large");
        }
        return result << 32 | p;
      }
      shift += 7;
      if (shift >= 35) {
        throw new IndexOutOfBoundsException("varint too large");
      }
    }
  }

  static long readVarint64(byte[] buf, int p, int end) {
    long result = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p >= end) {
        throw new IndexOutOfBoundsException("truncated varint");
      }
      byte b = buf[p++];
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new IndexOutOfBoundsException("varint too long");
  }

  static int varintEnd(byte[] buf, int p, int end) {
    for (int i = 0; i < 10; i++) {
      if (p >= end) {
        throw new IndexOutOfBoundsException("truncated varint");
      }
      if ((buf[p++] & 0x80) == 0) {
        return p;
      }
    }
    throw new IndexOutOfBoundsException("varint too long");
  }

  static int value(long packed) {
    return (int) (packed >>> 32);
  }

  static int position(long packed) {
    return (int) packed;
  }

  static long readFixed64(byte[] buf, int p) {
    return (buf[p] & 0xFFL)
        | (buf[p + 1] & 0xFFL) << 8
        | (buf[p + 2] & 0xFFL) << 16
        | (buf[p + 3] & 0xFFL) << 24
        | (buf[p + 4] & 0xFFL) << 32
        | (buf[p + 5] & 0xFFL) << 40
        | (buf[p + 6] & 0xFFL) << 48
        | (buf[p + 7] & 0xFFL) << 56;
  }

  static int checkedLength(int len, int p, int end) {
    if (len < 0 || len > end - p) {
      throw new IndexOutOfBoundsException("length out of bounds");
    }
    return len;
  }

  /** Skips a field's value of the given wire type starting at {@code p}; returns the position after it. */
  static int skip(byte[] buf, int p, int end, int wire) {
    switch (wire) {
      case WIRE_VARINT:
        return varintEnd(buf, p, end);
      case WIRE_FIXED64:
        if (p + 8 > end) {
          throw new IndexOutOfBoundsException("truncated fixed64");
        }
        return p + 8;
      case WIRE_LEN:
        long len = readSmall(buf, p, end);
        int q = position(len);
        return q + checkedLength(value(len), q, end);
      case WIRE_FIXED32:
        if (p + 4 > end) {
          throw new IndexOutOfBoundsException("truncated fixed32");
        }
        return p + 4;
      default:
        throw new IndexOutOfBoundsException("unsupported wire type " + wire);
    }
  }
}
