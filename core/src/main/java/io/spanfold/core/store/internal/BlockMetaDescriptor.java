package io.spanfold.core.store.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

/**
 * Internal, unstable. {@code block.meta}: the commit point of a completed block (written last, atomically renamed into
 * place); a directory without it is a head block to recover from its span log.
 *
 * <pre>
 *  0 magic (long)          8 version (int)        12 resource count (int)  16 block id (long)
 * 24 created nanos (long) 32 min time (long)     40 max time (long)        48 span count (long)
 * 56 trace count (long)   64 spans.dat bytes     72 dictionary end offset  80 bloom.bin bytes
 * 88 scope count (int)    92 crc32 of bytes [0, 92)
 * </pre>
 */
public final class BlockMetaDescriptor {
  static final long MAGIC = 0x4154_454d_4b4c_4246L;
  public static final int VERSION = 1;
  static final int LENGTH = 96;

  final long blockId;
  final long createdNanos;
  final long minTime;
  final long maxTime;
  final long spanCount;
  final long traceCount;
  final long spansBytes;
  final long dictEnd;
  final long bloomBytes;
  final int resourceCount;
  final int scopeCount;

  BlockMetaDescriptor(
      long blockId, long createdNanos, long minTime, long maxTime, long spanCount, long traceCount, long spansBytes,
      long dictEnd, long bloomBytes, int resourceCount, int scopeCount) {
    this.blockId = blockId;
    this.createdNanos = createdNanos;
    this.minTime = minTime;
    this.maxTime = maxTime;
    this.spanCount = spanCount;
    this.traceCount = traceCount;
    this.spansBytes = spansBytes;
    this.dictEnd = dictEnd;
    this.bloomBytes = bloomBytes;
    this.resourceCount = resourceCount;
    this.scopeCount = scopeCount;
  }

  void writeAtomically(Path dir) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(0, MAGIC).putInt(8, VERSION).putInt(12, resourceCount).putLong(16, blockId).putLong(24, createdNanos)
        .putLong(32, minTime).putLong(40, maxTime).putLong(48, spanCount).putLong(56, traceCount)
        .putLong(64, spansBytes).putLong(72, dictEnd).putLong(80, bloomBytes).putInt(88, scopeCount);
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, 92);
    b.putInt(92, (int) crc.getValue());
    Path tmp = dir.resolve(BlockFiles.META + ".tmp");
    try (FileChannel ch =
        FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(tmp, dir.resolve(BlockFiles.META), StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException ignored) {
      // Directory fsync is not supported everywhere; the rename itself is atomic.
    }
  }

  static BlockMetaDescriptor read(Path dir) throws IOException {
    byte[] a = Files.readAllBytes(dir.resolve(BlockFiles.META));
    if (a.length != LENGTH) {
      throw new CorruptBlockException("block.meta has " + a.length + " bytes, expected " + LENGTH);
    }
    ByteBuffer b = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN);
    CRC32 crc = new CRC32();
    crc.update(a, 0, 92);
    if ((int) crc.getValue() != b.getInt(92)) {
      throw new CorruptBlockException("block.meta CRC mismatch");
    }
    if (b.getLong(0) != MAGIC) {
      throw new CorruptBlockException("block.meta bad magic");
    }
    if (b.getInt(8) != VERSION) {
      throw new CorruptBlockException("block.meta unsupported version " + b.getInt(8));
    }
    return new BlockMetaDescriptor(b.getLong(16), b.getLong(24), b.getLong(32), b.getLong(40), b.getLong(48),
        b.getLong(56), b.getLong(64), b.getLong(72), b.getLong(80), b.getInt(12), b.getInt(88));
  }
}
