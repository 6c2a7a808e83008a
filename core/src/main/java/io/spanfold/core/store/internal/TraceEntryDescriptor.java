package io.spanfold.core.store.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Internal, unstable. Value of a completed block's persisted trace index (Chronicle Map, key = the 16 trace id
 * bytes, big-endian). After compaction a trace's span records are contiguous, so one range locates them all.
 *
 * <pre>
 *  0 offset in spans.dat (long) | 8 length (int) | 12 span count (int) | 16 start nanos (long) | 24 end nanos (long)
 * 32 flags (int, bit 0 = some span has status ERROR) | 36 root service length (int) | 40 root name length (int)
 * 44 root service name (UTF-8) | root span name (UTF-8)
 * </pre>
 */
public final class TraceEntryDescriptor {
  public static final int VERSION = 1;
  static final int OFFSET = 0;
  static final int LENGTH = 8;
  static final int COUNT = 12;
  static final int START = 16;
  static final int END = 24;
  static final int FLAGS = 32;
  static final int SERVICE_LENGTH = 36;
  static final int NAME_LENGTH = 40;
  static final int STRINGS = 44;
  static final int FLAG_ERROR = 1;
  /** Root names longer than this are cut (they are for display and search, not for rebuilding the trace). */
  static final int MAX_STRING = 1024;

  private TraceEntryDescriptor() {}

  /** Writes the fixed part of a value into {@code v}; the caller copies the two strings after it. */
  static void encodeHeader(
      byte[] v, long offset, int length, int count, long start, long end, boolean error, int serviceLength,
      int nameLength) {
    ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(OFFSET, offset).putInt(LENGTH, length).putInt(COUNT, count).putLong(START, start).putLong(END, end)
        .putInt(FLAGS, error ? FLAG_ERROR : 0).putInt(SERVICE_LENGTH, serviceLength).putInt(NAME_LENGTH, nameLength);
  }

  static ByteBuffer wrap(byte[] value) {
    return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
  }

  static String rootService(ByteBuffer b) {
    return new String(b.array(), STRINGS, b.getInt(SERVICE_LENGTH), StandardCharsets.UTF_8);
  }

  static String rootName(ByteBuffer b) {
    return new String(b.array(), STRINGS + b.getInt(SERVICE_LENGTH), b.getInt(NAME_LENGTH), StandardCharsets.UTF_8);
  }

  static byte[] key(long high, long low) {
    return key(high, low, new byte[16]);
  }

  /** Writes the key into {@code k} (16 bytes) and returns it. */
  static byte[] key(long high, long low, byte[] k) {
    io.spanfold.core.model.TraceIds.writeLong(high, k, 0);
    io.spanfold.core.model.TraceIds.writeLong(low, k, 8);
    return k;
  }
}
