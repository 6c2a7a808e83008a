package io.spanfold.core.store.internal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * Internal, unstable. Layout of the span log ({@code wal.log} of a head block, {@code spans.dat} of a completed
 * block): a file header followed by 8-byte aligned records. All numbers little-endian (the mapped buffers' order).
 *
 * <pre>
 * file header (64 bytes)
 *  0               8              12             16                24              32 .. 63
 * +---------------+--------------+--------------+-----------------+---------------+----------+
 * | magic (long)  | version(int) | kind (int)   | block id (long) | created nanos | reserved |
 * +---------------+--------------+--------------+-----------------+---------------+----------+
 *
 * every record
 *  0             4           8      9
 * +-------------+-----------+------+---------------------------------------------------+
 * | length(int) | crc32(int)| type | type specific ...                                 |
 * +-------------+-----------+------+---------------------------------------------------+
 *   length: whole record in bytes before padding (header included); the next record starts at align8(length)
 *   crc32 : CRC32 of bytes [8, length)
 *   a length of 0 marks the end of the log (the file is extended sparsely ahead of the writes, so it reads as zeros)
 *
 * SPAN record (type 1)
 *  8 type | 9 kind | 10 status | 11 pad | 12 resource id (int) | 16 scope id (int) | 20 span bytes length (int)
 *  24 trace id high (long) | 32 trace id low (long) | 40 span id (long) | 48 parent span id (long)
 *  56 start nanos (long) | 64 end nanos (long) | 72 name offset in span bytes (int) | 76 name length (int)
 *  80 original OTLP Span message bytes ...
 *
 * RESOURCE (type 2) / SCOPE (type 3) dictionary record
 *  8 type | 9..11 pad | 12 id (int) | 16 message length (int, -1 = absent) | 20 schema_url length (int, -1 = absent)
 *  24 service name length (int, resources only, else 0) | 28 pad
 *  32 message bytes | schema_url bytes | service name bytes (UTF-8)
 * </pre>
 *
 * Dictionary records are written to the same log as the spans that refer to them, always before the first such span,
 * so a crash can never leave a span whose resource or scope was lost: one file, one fsync, one recovery scan.
 */
public final class SpanLogDescriptor {
  private SpanLogDescriptor() {}

  public static final long MAGIC = 0x4753_4c44_4c4f_4653L;
  public static final int VERSION = 1;
  public static final int FILE_KIND_WAL = 1;
  public static final int FILE_KIND_COMPACTED = 2;

  public static final int HEADER_LENGTH = 64;
  public static final int HEADER_MAGIC = 0;
  public static final int HEADER_VERSION = 8;
  public static final int HEADER_KIND = 12;
  public static final int HEADER_BLOCK_ID = 16;
  public static final int HEADER_CREATED = 24;

  public static final int LENGTH = 0;
  public static final int CRC = 4;
  public static final int TYPE = 8;
  public static final byte TYPE_SPAN = 1;
  public static final byte TYPE_RESOURCE = 2;
  public static final byte TYPE_SCOPE = 3;

  public static final int SPAN_KIND = 9;
  public static final int SPAN_STATUS = 10;
  public static final int SPAN_RESOURCE_ID = 12;
  public static final int SPAN_SCOPE_ID = 16;
  public static final int SPAN_BYTES_LENGTH = 20;
  public static final int SPAN_TRACE_HIGH = 24;
  public static final int SPAN_TRACE_LOW = 32;
  public static final int SPAN_ID = 40;
  public static final int SPAN_PARENT_ID = 48;
  public static final int SPAN_START = 56;
  public static final int SPAN_END = 64;
  public static final int SPAN_NAME_OFFSET = 72;
  public static final int SPAN_NAME_LENGTH = 76;
  public static final int SPAN_BYTES = 80;

  public static final int DICT_ID = 12;
  public static final int DICT_MESSAGE_LENGTH = 16;
  public static final int DICT_SCHEMA_URL_LENGTH = 20;
  public static final int DICT_SERVICE_LENGTH = 24;
  public static final int DICT_BYTES = 32;

  /** Records are at most this long: far above any sane span, well below a mapping's 2 GiB limit. */
  public static final int MAX_RECORD_LENGTH = 64 << 20;

  public static int align(int length) {
    return (length + 7) & ~7;
  }

  public static int spanRecordLength(int spanBytes) {
    return SPAN_BYTES + spanBytes;
  }

  public static int dictRecordLength(int messageLength, int schemaUrlLength, int serviceLength) {
    return DICT_BYTES + Math.max(messageLength, 0) + Math.max(schemaUrlLength, 0) + serviceLength;
  }

  public static void writeHeader(ByteBuffer buf, int kind, long blockId, long createdNanos) {
    buf.putLong(HEADER_MAGIC, MAGIC);
    buf.putInt(HEADER_VERSION, VERSION);
    buf.putInt(HEADER_KIND, kind);
    buf.putLong(HEADER_BLOCK_ID, blockId);
    buf.putLong(HEADER_CREATED, createdNanos);
  }

  /** Returns null when the header is valid for {@code kind}, else what is wrong with it. */
  public static String checkHeader(ByteBuffer buf, int kind) {
    if (buf.limit() < HEADER_LENGTH) {
      return "file shorter than its header";
    }
    if (buf.getLong(HEADER_MAGIC) != MAGIC) {
      return "bad magic";
    }
    if (buf.getInt(HEADER_VERSION) != VERSION) {
      return "unsupported version " + buf.getInt(HEADER_VERSION);
    }
    if (buf.getInt(HEADER_KIND) != kind) {
      return "unexpected file kind " + buf.getInt(HEADER_KIND);
    }
    return null;
  }

  /** CRC32 of bytes [8, length) of the record at {@code at}. */
  public static int crc(ByteBuffer buf, int at, int length, CRC32 crc) {
    crc.reset();
    crc.update(buf.slice(at + TYPE, length - TYPE));
    return (int) crc.getValue();
  }

  /**
   * Validates the record at {@code at} of a log whose readable bytes end at {@code end}: returns its length, 0 at
   * the end-of-log marker, or -1 when the record is torn, too long or fails its CRC.
   */
  public static int checkRecord(ByteBuffer buf, int at, int end, CRC32 crc) {
    if (at + TYPE + 1 > end) {
      return at >= end ? 0 : -1;
    }
    int length = buf.getInt(at + LENGTH);
    if (length == 0) {
      return 0;
    }
    if (length < DICT_BYTES || length > MAX_RECORD_LENGTH || (long) at + length > end) {
      return -1;
    }
    byte type = buf.get(at + TYPE);
    if (type != TYPE_SPAN && type != TYPE_RESOURCE && type != TYPE_SCOPE) {
      return -1;
    }
    if (type == TYPE_SPAN && (length < SPAN_BYTES || buf.getInt(at + SPAN_BYTES_LENGTH) != length - SPAN_BYTES)) {
      return -1;
    }
    if (crc(buf, at, length, crc) != buf.getInt(at + CRC)) {
      return -1;
    }
    return length;
  }
}
