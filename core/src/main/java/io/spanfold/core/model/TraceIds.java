package io.spanfold.core.model;

/** Conversions between the two-long / one-long id form and hex. */
public final class TraceIds {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private TraceIds() {}

  /** 32 lowercase hex characters. */
  public static String traceIdHex(long high, long low) {
    char[] out = new char[32];
    writeHex(high, out, 0);
    writeHex(low, out, 16);
    return new String(out);
  }

  /** 16 lowercase hex characters. */
  public static String spanIdHex(long id) {
    char[] out = new char[16];
    writeHex(id, out, 0);
    return new String(out);
  }

  /** Lowercase hex with leading zeros stripped, as Tempo prints trace ids in search results and exemplars. */
  public static String traceIdHexStripped(long high, long low) {
    String s = traceIdHex(high, low);
    int i = 0;
    while (i < s.length() - 1 && s.charAt(i) == '0') {
      i++;
    }
    return s.substring(i);
  }

  private static void writeHex(long v, char[] out, int at) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) (v & 0xF)];
      v >>>= 4;
    }
  }

  /** Reads 8 bytes big-endian. */
  public static long readLong(byte[] b, int off) {
    return (b[off] & 0xFFL) << 56
        | (b[off + 1] & 0xFFL) << 48
        | (b[off + 2] & 0xFFL) << 40
        | (b[off + 3] & 0xFFL) << 32
        | (b[off + 4] & 0xFFL) << 24
        | (b[off + 5] & 0xFFL) << 16
        | (b[off + 6] & 0xFFL) << 8
        | (b[off + 7] & 0xFFL);
  }

  /** Writes 8 bytes big-endian. */
  public static void writeLong(long v, byte[] b, int off) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }
}
