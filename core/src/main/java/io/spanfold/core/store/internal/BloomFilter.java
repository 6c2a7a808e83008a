package io.spanfold.core.store.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

/**
 * Internal, unstable. A bloom filter of a block's trace ids: about 10 bits per trace and 7 probes (≈1% false
 * positives), double hashing over the (already random) trace id.
 *
 * <pre>
 * file: 0 magic (long) | 8 version (int) | 12 probes (int) | 16 words (int) | 20 pad | 24 words × long | crc32 (int)
 *       crc32 covers every byte before it
 * </pre>
 */
public final class BloomFilter {
  static final long MAGIC = 0x4d4f_4f4c_4244_4653L;
  static final int VERSION = 1;
  private static final int HEADER = 24;
  private static final int PROBES = 7;

  private final long[] words;
  private final int probes;

  private BloomFilter(long[] words, int probes) {
    this.words = words;
    this.probes = probes;
  }

  public static BloomFilter forTraces(long traces) {
    long bits = Math.max(64, traces * 10);
    int n = (int) Math.min(Integer.MAX_VALUE - 16, (bits + 63) / 64);
    return new BloomFilter(new long[n], PROBES);
  }

  public void add(long high, long low) {
    long h1 = mix(high ^ Long.rotateLeft(low, 29));
    long h2 = mix(low + 0x9E3779B97F4A7C15L * high) | 1;
    long m = words.length * 64L;
    for (int i = 0; i < probes; i++) {
      long bit = Long.remainderUnsigned(h1 + i * h2, m);
      words[(int) (bit >>> 6)] |= 1L << bit;
    }
  }

  public boolean mightContain(long high, long low) {
    long h1 = mix(high ^ Long.rotateLeft(low, 29));
    long h2 = mix(low + 0x9E3779B97F4A7C15L * high) | 1;
    long m = words.length * 64L;
    for (int i = 0; i < probes; i++) {
      long bit = Long.remainderUnsigned(h1 + i * h2, m);
      if ((words[(int) (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  public long fileLength() {
    return HEADER + words.length * 8L + 4;
  }

  public void write(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) fileLength()).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(MAGIC).putInt(VERSION).putInt(probes).putInt(words.length).putInt(0);
    for (long w : words) {
      b.putLong(w);
    }
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    b.flip();
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
  }

  public static BloomFilter read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < HEADER + 4 || size > (1L << 31)) {
        throw new CorruptBlockException("bloom filter size " + size);
      }
      ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // read fully
      }
      if (b.hasRemaining()) {
        throw new CorruptBlockException("bloom filter truncated");
      }
      CRC32 crc = new CRC32();
      crc.update(b.array(), 0, (int) size - 4);
      if ((int) crc.getValue() != b.getInt((int) size - 4)) {
        throw new CorruptBlockException("bloom filter CRC mismatch");
      }
      if (b.getLong(0) != MAGIC || b.getInt(8) != VERSION) {
        throw new CorruptBlockException("bloom filter bad magic or version");
      }
      int probes = b.getInt(12);
      int n = b.getInt(16);
      if (probes < 1 || probes > 32 || HEADER + n * 8L + 4 != size) {
        throw new CorruptBlockException("bloom filter header inconsistent with its size");
      }
      long[] words = new long[n];
      b.position(HEADER);
      b.asLongBuffer().get(words);
      return new BloomFilter(words, probes);
    }
  }
}
