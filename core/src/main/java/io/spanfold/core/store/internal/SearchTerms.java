package io.spanfold.core.store.internal;

import java.nio.charset.StandardCharsets;

/**
 * Internal, unstable. How the search index names a term (scope, key, typed value) and a key (scope, key): a 64-bit
 * hash of their bytes, computed the same way from span bytes at ingest and from query strings at search time, so the
 * ingest path never builds a String. Two distinct terms sharing a hash only merge their postings: the index is a
 * pre-filter whose candidates are always verified on the spans, so a collision can add candidates, never lose one.
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

  private static final long FNV = 0xcbf29ce484222325L;
  private static final long PRIME = 0x100000001b3L;

  static long keyHash(byte scope, byte[] b, int off, int len) {
    long h = (FNV ^ scope) * PRIME;
    for (int i = 0; i < len; i++) {
      h = (h ^ (b[off + i] & 0xFF)) * PRIME;
    }
    return mix(h ^ len);
  }

  static long stringTerm(long keyHash, byte[] b, int off, int len) {
    long h = (keyHash ^ TYPE_STRING) * PRIME;
    for (int i = 0; i < len; i++) {
      h = (h ^ (b[off + i] & 0xFF)) * PRIME;
    }
    return mix(h ^ ((long) len << 8));
  }

  static long scalarTerm(long keyHash, byte type, long bits) {
    long h = (keyHash ^ type) * PRIME;
    h = (h ^ bits) * PRIME;
    h = (h ^ (bits >>> 32)) * PRIME;
    return mix(h);
  }

  public static long keyHash(byte scope, String key) {
    byte[] b = key.getBytes(StandardCharsets.UTF_8);
    return keyHash(scope, b, 0, b.length);
  }

  public static long stringTerm(byte scope, String key, String value) {
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    return stringTerm(keyHash(scope, key), v, 0, v.length);
  }

  public static long scalarTerm(byte scope, String key, byte type, long bits) {
    return scalarTerm(keyHash(scope, key), type, bits);
  }

  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }
}
