package io.spanfold.otlp.query.internal;

/**
 * Internal, unstable. A summary of one protobuf message's fields (numbers 1..16) read straight from its bytes, with
 * gogo-protobuf's unmarshal semantics: for a singular scalar the last occurrence wins, a singular message that occurs
 * several times is the merge (concatenation) of its occurrences, repeated fields are re-walked in wire order with
 * {@link #next}. Unknown field numbers are skipped; a known field with the wrong wire type is an error, as in gogo.
 * Reusable: one instance per nesting depth.
 */
public final class ProtoFields {
  public static final int VARINT = 0;
  public static final int FIXED64 = 1;
  public static final int LEN = 2;
  public static final int FIXED32 = 5;
  private static final int MAX_FIELD = 16;

  private final int[] count = new int[MAX_FIELD + 1];
  private final long[] value = new long[MAX_FIELD + 1];
  private final int[] offset = new int[MAX_FIELD + 1];
  private final int[] length = new int[MAX_FIELD + 1];
  private final byte[][] merged = new byte[MAX_FIELD + 1][];
  private final int[] order = new int[MAX_FIELD + 1];
  private int seq;

  private byte[] buf;
  private int start;
  private int end;
  // iteration state for next()
  private int pos;
  /** Offset of the payload found by the last successful {@link #next}. */
  public int nextOffset;
  /** Length of the payload found by the last successful {@link #next}. */
  public int nextLength;

  /**
   * Scans a message.
   *
   * @param wireTypes expected wire type per field number (index = field number), {@code -1} for unknown fields
   */
  public ProtoFields scan(byte[] buf, int off, int len, int[] wireTypes) {
    this.buf = buf;
    this.start = off;
    this.end = off + len;
    for (int i = 0; i <= MAX_FIELD; i++) {
      count[i] = 0;
      merged[i] = null;
      order[i] = 0;
    }
    seq = 0;
    int p = off;
    while (p < end) {
      long tag = varint(p);
      p = lastPos;
      int key = (int) tag;
      int field = key >>> 3;
      int wire = key & 7;
      if (field == 0) {
        throw malformed("field number 0");
      }
      boolean known = field <= MAX_FIELD && field < wireTypes.length && wireTypes[field] >= 0;
      if (known && wireTypes[field] != wire) {
        throw malformed("wrong wire type " + wire + " for field " + field);
      }
      switch (wire) {
        case VARINT: {
          long v = varint(p);
          p = lastPos;
          if (known) {
            value[field] = v;
          }
          break;
        }
        case FIXED64:
          need(p, 8);
          if (known) {
            value[field] = fixed64(p);
          }
          p += 8;
          break;
        case FIXED32:
          need(p, 4);
          if (known) {
            value[field] = fixed32(p) & 0xFFFFFFFFL;
          }
          p += 4;
          break;
        case LEN: {
          long l = varint(p);
          p = lastPos;
          if (l < 0 || l > end - p) {
            throw malformed("length out of range");
          }
          if (known) {
            // A repeated occurrence is merged only if asked for (buffer/offset/length), and then in one pass:
            // merging here, occurrence by occurrence, copied the whole prefix each time (quadratic in the count,
            // and every repeated field — spans, attributes — went through it).
            offset[field] = p;
            length[field] = (int) l;
          }
          p += (int) l;
          break;
        }
        case 3:
        case 4:
          throw malformed("groups are not supported");
        default:
          throw malformed("unknown wire type " + wire);
      }
      if (known) {
        count[field]++;
        order[field] = ++seq;
      }
    }
    return this;
  }

  public boolean has(int field) {
    return count[field] > 0;
  }

  /** The last scalar value (varint, fixed32 zero-extended, fixed64) of a field. */
  public long value(int field) {
    return value[field];
  }

  /** The buffer holding {@link #offset}/{@link #length} of a LEN field: the scanned one or a merged copy. */
  public byte[] buffer(int field) {
    return count[field] > 1 ? merged(field) : buf;
  }

  /** Offset of the last occurrence (or of the merged copy) of a LEN field. */
  public int offset(int field) {
    return count[field] > 1 ? 0 : offset[field];
  }

  /** Length of the last occurrence (or of the merged copy) of a LEN field. */
  public int length(int field) {
    return count[field] > 1 ? merged(field).length : length[field];
  }

  /** The concatenation of every occurrence of a LEN field (gogo's merge of a repeated singular message). */
  private byte[] merged(int field) {
    byte[] m = merged[field];
    if (m != null) {
      return m;
    }
    int savedPos = pos;
    int savedOffset = nextOffset;
    int savedLength = nextLength;
    int total = 0;
    rewind();
    while (next(field)) {
      total += nextLength; // cannot overflow: the occurrences are disjoint parts of one array
    }
    m = new byte[total];
    int at = 0;
    rewind();
    while (next(field)) {
      System.arraycopy(buf, nextOffset, m, at, nextLength);
      at += nextLength;
    }
    pos = savedPos;
    nextOffset = savedOffset;
    nextLength = savedLength;
    merged[field] = m;
    return m;
  }

  /** Of the given fields, the one that occurred last on the wire (a oneof's winner), or 0 if none occurred. */
  public int lastOf(int fromField, int toField) {
    int best = 0;
    int bestOrder = 0;
    for (int f = fromField; f <= toField; f++) {
      if (order[f] > bestOrder) {
        bestOrder = order[f];
        best = f;
      }
    }
    return best;
  }

  /** Offset of the last occurrence of a LEN field in {@link #bytes()} (no merging: a oneof member replaces). */
  public int lastOffset(int field) {
    return offset[field];
  }

  /** Length of the last occurrence of a LEN field. */
  public int lastLength(int field) {
    return length[field];
  }

  /** The scanned message bytes (for repeated-field walks). */
  public byte[] bytes() {
    return buf;
  }

  /** Restarts {@link #next}. */
  public void rewind() {
    pos = start;
  }

  /** Advances to the next occurrence of LEN field {@code field}; sets {@link #nextOffset}/{@link #nextLength}. */
  public boolean next(int field) {
    int p = pos;
    while (p < end) {
      long tag = varint(p);
      p = lastPos;
      int key = (int) tag;
      int f = key >>> 3;
      int wire = key & 7;
      switch (wire) {
        case VARINT:
          varint(p);
          p = lastPos;
          break;
        case FIXED64:
          p += 8;
          break;
        case FIXED32:
          p += 4;
          break;
        case LEN: {
          int l = (int) varint(p);
          p = lastPos;
          if (f == field) {
            nextOffset = p;
            nextLength = l;
            pos = p + l;
            return true;
          }
          p += l;
          break;
        }
        default:
          throw malformed("unknown wire type " + wire);
      }
    }
    pos = end;
    return false;
  }

  private int lastPos;

  private long varint(int p) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end) {
        throw malformed("truncated varint");
      }
      byte b = buf[p++];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        lastPos = p;
        return result;
      }
    }
    throw malformed("varint too long");
  }

  private void need(int p, int n) {
    if (end - p < n) {
      throw malformed("truncated fixed field");
    }
  }

  private long fixed64(int p) {
    return (fixed32(p) & 0xFFFFFFFFL) | ((long) fixed32(p + 4) << 32);
  }

  private int fixed32(int p) {
    return (buf[p] & 0xFF) | (buf[p + 1] & 0xFF) << 8 | (buf[p + 2] & 0xFF) << 16 | (buf[p + 3] & 0xFF) << 24;
  }

  private static IllegalArgumentException malformed(String what) {
    return new IllegalArgumentException("malformed protobuf: " + what);
  }
}
