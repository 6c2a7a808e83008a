package io.spanfold.core.store.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Internal, unstable. How the search index names a term (scope, key, typed value) and a key (scope, key): a 64-bit
 * hash of their bytes, computed the same way from span bytes at ingest and from query strings (their UTF-8 bytes) at
 * search time, so the ingest path never builds a String. Two distinct terms sharing a hash only merge their postings:
 * the index is a pre-filter whose candidates are always verified on the spans, so a collision can add candidates,
 * never lose one.
 *
 * <p>The hash reads 8 bytes per step (an xxHash64-style round per little-endian word, the last word overlapping the
 * previous one rather than a byte loop; inputs under 8 bytes are read as two overlapping ints or three bytes, which,
 * with the length mixed in, still cover every byte) and ends with a full 64-bit avalanche, so its low bits can index
 * an open-addressing table directly. A term's hash combines its key's and its value's lanes, computed independently. It is persisted in {@code search.idx}: changing it needs a
 * {@link SearchIndexFile#VERSION} bump (older files are then re-indexed when opened).
 */
public final class SearchTerms {
  private SearchTerms() {}

  public static final byte SCOPE_RESOURCE = 0;
  public static final byte SCOPE_SPAN = 1;
  /** Span intrinsics: {@code name} (string), {@code status} and {@code kind} (OTLP codes as ints). */
  public static final byte SCOPE_INTRINSIC = 2;

  public static final byte TYPE_STRING = 1;
  public static final byte TYPE_INT = 2;
  public static final byte TYPE_FLOAT = 3;
  public static final byte TYPE_BOOL = 4;

  static final byte[] KEY_NAME = "name".getBytes(StandardCharsets.UTF_8);
  static final byte[] KEY_STATUS = "status".getBytes(StandardCharsets.UTF_8);
  static final byte[] KEY_KIND = "kind".getBytes(StandardCharsets.UTF_8);

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  /**
   * A key's lane: its bytes mixed but not yet avalanched. Term hashes combine it with the value's own lane, so at
   * ingest the two are computed side by side (independent multiply chains) and only the term's hash is finished; the
   * key's hash ({@link #keyHash(long)}) is needed only when a key or term is new.
   */
  static long keyLane(byte scope, byte[] b, int off, int len) {
    return lane(P5 + scope * P1, b, off, len);
  }

  static long keyHash(long keyLane) {
    return avalanche(keyLane);
  }

  static long keyHash(byte scope, byte[] b, int off, int len) {
    return keyHash(keyLane(scope, b, off, len));
  }

  static long stringTerm(long keyLane, byte[] b, int off, int len) {
    return avalanche(keyLane * P3 ^ lane(P4 + TYPE_STRING * P1, b, off, len));
  }

  static long scalarTerm(long keyLane, byte type, long bits) {
    return avalanche(keyLane * P3 ^ round(P4 + type * P1 + 8 * P5, bits));
  }

  public static long keyHash(byte scope, String key) {
    return keyHash(keyLane(scope, key));
  }

  public static long stringTerm(byte scope, String key, String value) {
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    return stringTerm(keyLane(scope, key), v, 0, v.length);
  }

  public static long scalarTerm(byte scope, String key, byte type, long bits) {
    return scalarTerm(keyLane(scope, key), type, bits);
  }

  private static long keyLane(byte scope, String key) {
    byte[] b = key.getBytes(StandardCharsets.UTF_8);
    return keyLane(scope, b, 0, b.length);
  }

  /** {@code b[off, off + len)} mixed under {@code seed}, not avalanched. */
  static long lane(long seed, byte[] b, int off, int len) {
    long h = seed + len * P5;
    int end = off + len;
    if (len >= 8) {
      int i = off;
      while (end - i > 8) {
        h = round(h, (long) LONGS.get(b, i));
        i += 8;
      }
      h = round(h, (long) LONGS.get(b, end - 8));
    } else if (len >= 4) {
      h = round(h, ((int) INTS.get(b, off) & 0xFFFF_FFFFL) | ((long) (int) INTS.get(b, end - 4) << 32));
    } else if (len > 0) {
      h = round(h, (b[off] & 0xFF) | (b[off + (len >>> 1)] & 0xFF) << 8 | (b[end - 1] & 0xFF) << 16);
    }
    return h;
  }

  private static long round(long h, long w) {
    h ^= Long.rotateLeft(w * P2, 31) * P1;
    return Long.rotateLeft(h, 27) * P1 + P4;
  }

  private static long avalanche(long h) {
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    return h ^ (h >>> 32);
  }
}
