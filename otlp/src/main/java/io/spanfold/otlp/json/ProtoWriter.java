package io.spanfold.otlp.json;

import java.util.Arrays;

/**
 * A growable protobuf writer over one reusable byte array. Nested messages are written in place: {@link #begin}
 * reserves the widest length prefix (5 bytes), {@link #end} writes the real prefix and moves the body down over the
 * unused bytes, so no scratch buffer per nesting level is needed. Not thread-safe.
 */
final class ProtoWriter {
  private static final int WIRE_VARINT = 0;
  private static final int WIRE_FIXED64 = 1;
  private static final int WIRE_LEN = 2;
  private static final int WIRE_FIXED32 = 5;
  private static final int MAX_SIZE = Integer.MAX_VALUE - 16;

  private byte[] buf = new byte[8192];
  private int pos;

  void reset() {
    pos = 0;
  }

  byte[] buffer() {
    return buf;
  }

  int size() {
    return pos;
  }

  private void ensure(int n) {
    if (n > buf.length - pos) {
      long want = Math.max((long) buf.length * 2, (long) pos + n);
      if ((long) pos + n > MAX_SIZE) {
        throw new IllegalStateException("encoded request larger than 2 GiB");
      }
      buf = Arrays.copyOf(buf, (int) Math.min(want, MAX_SIZE));
    }
  }

  void tag(int field, int wire) {
    varint32(field << 3 | wire);
  }

  void varint32(int v) {
    ensure(5);
    while ((v & ~0x7F) != 0) {
      buf[pos++] = (byte) (v & 0x7F | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  void varint64(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) (v & 0x7F | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  void uint64Field(int field, long v) {
    tag(field, WIRE_VARINT);
    varint64(v);
  }

  void uint32Field(int field, int v) {
    tag(field, WIRE_VARINT);
    varint32(v);
  }

  void fixed64Field(int field, long v) {
    tag(field, WIRE_FIXED64);
    ensure(8);
    for (int i = 0; i < 8; i++) {
      buf[pos++] = (byte) (v >>> (8 * i));
    }
  }

  void fixed32Field(int field, int v) {
    tag(field, WIRE_FIXED32);
    ensure(4);
    for (int i = 0; i < 4; i++) {
      buf[pos++] = (byte) (v >>> (8 * i));
    }
  }

  void bytesField(int field, byte[] b, int off, int len) {
    tag(field, WIRE_LEN);
    varint32(len);
    ensure(len);
    System.arraycopy(b, off, buf, pos, len);
    pos += len;
  }

  /** Writes a string field as UTF-8 from UTF-16 chars; an unpaired surrogate becomes '?', as String.getBytes does. */
  void stringField(int field, char[] chars, int off, int len) {
    int utf8 = 0;
    int end = off + len;
    for (int i = off; i < end; i++) {
      char c = chars[i];
      if (c < 0x80) {
        utf8++;
      } else if (c < 0x800) {
        utf8 += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
        utf8 += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        utf8++;
      } else {
        utf8 += 3;
      }
    }
    tag(field, WIRE_LEN);
    varint32(utf8);
    ensure(utf8);
    byte[] b = buf;
    int p = pos;
    for (int i = off; i < end; i++) {
      char c = chars[i];
      if (c < 0x80) {
        b[p++] = (byte) c;
      } else if (c < 0x800) {
        b[p++] = (byte) (0xC0 | c >> 6);
        b[p++] = (byte) (0x80 | c & 0x3F);
      } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
        int cp = Character.toCodePoint(c, chars[++i]);
        b[p++] = (byte) (0xF0 | cp >> 18);
        b[p++] = (byte) (0x80 | cp >> 12 & 0x3F);
        b[p++] = (byte) (0x80 | cp >> 6 & 0x3F);
        b[p++] = (byte) (0x80 | cp & 0x3F);
      } else if (Character.isSurrogate(c)) {
        b[p++] = '?';
      } else {
        b[p++] = (byte) (0xE0 | c >> 12);
        b[p++] = (byte) (0x80 | c >> 6 & 0x3F);
        b[p++] = (byte) (0x80 | c & 0x3F);
      }
    }
    pos = p;
  }

  /** Starts a length-delimited field; returns the mark to pass to {@link #end}. */
  int begin(int field) {
    tag(field, WIRE_LEN);
    ensure(5);
    int mark = pos;
    pos += 5;
    return mark;
  }

  /** Ends the field started at {@code mark}: writes its length prefix and closes the gap. */
  void end(int mark) {
    int bodyStart = mark + 5;
    int len = pos - bodyStart;
    int prefix = varintSize(len);
    int p = mark;
    int v = len;
    while ((v & ~0x7F) != 0) {
      buf[p++] = (byte) (v & 0x7F | 0x80);
      v >>>= 7;
    }
    buf[p++] = (byte) v;
    if (prefix != 5) {
      System.arraycopy(buf, bodyStart, buf, mark + prefix, len);
      pos -= 5 - prefix;
    }
  }

  private static int varintSize(int v) {
    if ((v & ~0x7F) == 0) {
      return 1;
    }
    if ((v & ~0x3FFF) == 0) {
      return 2;
    }
    if ((v & ~0x1FFFFF) == 0) {
      return 3;
    }
    if ((v & ~0xFFFFFFF) == 0) {
      return 4;
    }
    return 5;
  }
}
