package io.spanfold.core.ingest;

import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.core.wire.OtlpProtoDecoder;
import java.util.Arrays;

/**
 * Cuts string attribute values (and keys) longer than a limit, as Tempo's distributor applies
 * {@code max_attribute_bytes} (default 2048) to resource, scope, span, event and link attributes. Spans are read from
 * their original bytes; only when some attribute is too long is the batch rebuilt as a request whose messages have
 * the long strings cut (at a UTF-8 character boundary) and decoded again, so the stored bytes are the truncated ones.
 * Nested array and key-list values are left as they are (Tempo cuts only top-level values too).
 *
 * <p>Not thread-safe: {@link SpanIngest} keeps one per thread.
 */
final class AttributeTruncator {
  static final String[] SCOPES = {"resource", "scope", "span", "event", "link"};

  private static final int RESOURCE = 0;
  private static final int SCOPE = 1;
  private static final int SPAN = 2;
  private static final int EVENT = 3;
  private static final int LINK = 4;
  private static final int KEY_VALUE = 5;
  private static final int ANY_VALUE = 6;

  private final int max;
  private final OtlpProtoDecoder decoder = new OtlpProtoDecoder();
  /** Truncations of the last {@link #truncate} call, by {@link #SCOPES} index. */
  final int[] counts = new int[5];

  AttributeTruncator(int maxBytes) {
    this.max = maxBytes;
  }

  /**
   * Truncates the long attributes of the batch's resources, scopes and spans in place (the batch is rebuilt when
   * needed; its tenant is kept).
   *
   * @return how many values were cut
   */
  int truncate(SpanBatch b) {
    Arrays.fill(counts, 0);
    if (!needed(b)) {
      return 0;
    }
    byte[] buf = b.buffer();
    Out request = new Out(b.bufferLength() + 64);
    int n = b.size();
    int i = 0;
    while (i < n) {
      int r = b.resourceIndex(i);
      Out rs = new Out(256);
      if (b.resourceLength(r) >= 0) {
        rs.message(1, rewrite(RESOURCE, -1, buf, b.resourceOffset(r), b.resourceLength(r)));
      }
      while (i < n && b.resourceIndex(i) == r) {
        int s = b.scopeIndex(i);
        Out ss = new Out(256);
        if (s >= 0 && b.scopeLength(s) >= 0) {
          ss.message(1, rewrite(SCOPE, -1, buf, b.scopeOffset(s), b.scopeLength(s)));
        }
        while (i < n && b.resourceIndex(i) == r && b.scopeIndex(i) == s) {
          ss.message(2, rewrite(SPAN, -1, buf, b.spanOffset(i), b.spanLength(i)));
          i++;
        }
        if (s >= 0 && b.scopeSchemaUrlLength(s) >= 0) {
          ss.bytes(3, buf, b.scopeSchemaUrlOffset(s), b.scopeSchemaUrlLength(s));
        }
        rs.message(2, ss);
      }
      if (b.resourceSchemaUrlLength(r) >= 0) {
        rs.bytes(3, buf, b.resourceSchemaUrlOffset(r), b.resourceSchemaUrlLength(r));
      }
      request.message(1, rs);
    }
    String tenant = b.tenant();
    b.clear();
    try {
      decoder.decode(request.buf, 0, request.len, b);
    } catch (MalformedRequestException e) {
      throw new IllegalStateException("re-encoded request does not decode: " + e.getMessage(), e);
    }
    b.tenant(tenant);
    int total = 0;
    for (int c : counts) {
      total += c;
    }
    return total;
  }

  private boolean needed(SpanBatch b) {
    byte[] buf = b.buffer();
    for (int r = 0; r < b.resourceCount(); r++) {
      if (b.resourceLength(r) > max && scan(RESOURCE, buf, b.resourceOffset(r), b.resourceLength(r))) {
        return true;
      }
    }
    for (int s = 0; s < b.scopeCount(); s++) {
      if (b.scopeLength(s) > max && scan(SCOPE, buf, b.scopeOffset(s), b.scopeLength(s))) {
        return true;
      }
    }
    for (int i = 0; i < b.size(); i++) {
      if (b.spanLength(i) > max && scan(SPAN, buf, b.spanOffset(i), b.spanLength(i))) {
        return true;
      }
    }
    return false;
  }

  /** The child message kind of field {@code field} of a {@code kind} message, or -1. */
  private static int child(int kind, int field) {
    switch (kind) {
      case RESOURCE:
        return field == 1 ? KEY_VALUE : -1;
      case SCOPE:
        return field == 3 ? KEY_VALUE : -1;
      case SPAN:
        return field == 9 ? KEY_VALUE : field == 11 ? EVENT : field == 13 ? LINK : -1;
      case EVENT:
        return field == 3 ? KEY_VALUE : -1;
      case LINK:
        return field == 4 ? KEY_VALUE : -1;
      case KEY_VALUE:
        return field == 2 ? ANY_VALUE : -1;
      default:
        return -1;
    }
  }

  /** Whether field {@code field} of a {@code kind} message is a string this truncates. */
  private static boolean truncatable(int kind, int field) {
    return (kind == KEY_VALUE && field == 1) || (kind == ANY_VALUE && field == 1);
  }

  /** Whether a message (or anything inside it) holds a string to cut; malformed bytes count as nothing to cut. */
  private boolean scan(int kind, byte[] b, int off, int len) {
    int p = off;
    int end = off + len;
    while (p < end) {
      long tag = varint(b, p, end);
      if (tag < 0) {
        return false;
      }
      p = next;
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (wire == 2) {
        long l = varint(b, p, end);
        if (l < 0 || l > end - next) {
          return false;
        }
        p = next;
        int c = child(kind, field);
        if (truncatable(kind, field) && l > max) {
          return true;
        }
        if (c >= 0 && l > max && scan(c, b, p, (int) l)) {
          return true;
        }
        p += (int) l;
      } else {
        p = skip(wire, b, p, end);
        if (p < 0) {
          return false;
        }
      }
    }
    return false;
  }

  /** Copies a message, cutting long strings; {@code scope} is the attribute scope being counted (-1 above it). */
  private Out rewrite(int kind, int scope, byte[] b, int off, int len) {
    Out out = new Out(len);
    int p = off;
    int end = off + len;
    while (p < end) {
      int start = p;
      long tag = varint(b, p, end);
      if (tag < 0) {
        out.raw(b, start, end - start);
        return out;
      }
      p = next;
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (wire == 2) {
        long l = varint(b, p, end);
        if (l < 0 || l > end - next) {
          out.raw(b, start, end - start);
          return out;
        }
        p = next;
        int c = child(kind, field);
        int s = kind <= LINK ? kind : scope;
        if (truncatable(kind, field) && l > max) {
          int cut = max;
          while (cut > 0 && (b[p + cut] & 0xC0) == 0x80) {
            cut--;
          }
          out.bytes(field, b, p, cut);
          counts[s]++;
        } else if (c >= 0 && l > max) {
          out.message(field, rewrite(c, c <= LINK ? c : s, b, p, (int) l));
        } else {
          out.raw(b, start, p + (int) l - start);
        }
        p += (int) l;
      } else {
        int q = skip(wire, b, p, end);
        if (q < 0) {
          out.raw(b, start, end - start);
          return out;
        }
        out.raw(b, start, q - start);
        p = q;
      }
    }
    return out;
  }

  /** Position after the last varint read by {@link #varint}. */
  private int next;

  /** Reads a varint at {@code p}; sets {@link #next}; -1 when malformed. */
  private long varint(byte[] b, int p, int end) {
    long v = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
      byte x = b[p++];
      v |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        next = p;
        return v < 0 ? -1 : v;
      }
    }
    return -1;
  }

  private int skip(int wire, byte[] b, int p, int end) {
    switch (wire) {
      case 0:
        return skipVarint(b, p, end);
      case 1:
        return p + 8 <= end ? p + 8 : -1;
      case 5:
        return p + 4 <= end ? p + 4 : -1;
      default:
        return -1;
    }
  }

  private static int skipVarint(byte[] b, int p, int end) {
    for (int i = 0; i < 10 && p < end; i++) {
      if (b[p++] >= 0) {
        return p;
      }
    }
    return -1;
  }

  /** A growable protobuf writer for the rebuild (cold path). */
  private static final class Out {
    byte[] buf;
    int len;

    Out(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    void ensure(int extra) {
      if (len + extra > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
      }
    }

    void varint(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[len++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[len++] = (byte) v;
    }

    void raw(byte[] b, int off, int n) {
      ensure(n);
      System.arraycopy(b, off, buf, len, n);
      len += n;
    }

    void bytes(int field, byte[] b, int off, int n) {
      varint((long) field << 3 | 2);
      varint(n);
      raw(b, off, n);
    }

    void message(int field, Out m) {
      bytes(field, m.buf, 0, m.len);
    }
  }
}
