package io.spanfold.otlp.query;

/**
 * Parses a trace id from a URL path as Tempo does ({@code pkg/util/traceid.go}): hex digits only, either case; an odd
 * number of digits gets a leading zero; at most 16 bytes, left-padded with zeros to 16. The empty string is the
 * all-zero id (as in Tempo; its router never passes an empty id, see {@link TraceByIdHandler}).
 */
public final class TraceIdParser {
  private TraceIdParser() {}

  /** A parsed 128-bit trace id. */
  public record TraceId(long high, long low) {}

  /** Thrown for an id Tempo rejects; the message is Tempo's, word for word. */
  public static final class InvalidTraceIdException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidTraceIdException(String message) {
      super(message);
    }
  }

  public static TraceId parse(String id) {
    for (int i = 0; i < id.length(); ) {
      int c = id.codePointAt(i);
      if (Character.digit(c, 16) < 0 || c > 'f') {
        // Go reports the byte position (1-based); every character before the first bad one is one ASCII byte.
        throw new InvalidTraceIdException(
            "trace IDs can only contain hex characters: invalid character '"
                + new String(Character.toChars(c))
                + "' at position "
                + (i + 1));
      }
      i += Character.charCount(c);
    }
    int digits = id.length() + (id.length() & 1);
    if (digits > 32) {
      throw new InvalidTraceIdException("trace IDs can't be larger than 128 bits");
    }
    long high = 0;
    long low = 0;
    // Left-padded: the last 16 digits are the low half, the ones before it the high half.
    for (int i = 0; i < id.length(); i++) {
      int d = Character.digit(id.charAt(i), 16);
      high = high << 4 | low >>> 60;
      low = low << 4 | d;
    }
    return new TraceId(high, low);
  }
}
