package io.spanfold.core.query.traceql;

import io.spanfold.core.query.traceql.internal.GoFormat;
import java.util.Objects;

/**
 * A typed TraceQL value (Tempo's {@code Static}): an attribute value, an intrinsic, a literal or an aggregate result.
 * Immutable. Status and kind keep Tempo's enum order (status {@code error, ok, unset}; kind {@code unspecified,
 * internal, client, server, producer, consumer}); build them from OTLP codes with {@link #ofStatusCode} and
 * {@link #ofSpanKind}.
 */
public final class Value {
  /** Value types, in Tempo's order (used when values of different types are ordered, e.g. by {@code max()}). */
  public enum Type {
    NIL,
    INT,
    FLOAT,
    STRING,
    BOOLEAN,
    DURATION,
    STATUS,
    KIND;

    /** int, float or duration. */
    public boolean isNumeric() {
      return this == INT || this == FLOAT || this == DURATION;
    }
  }

  public static final Value NIL = new Value(Type.NIL, 0, null);
  public static final Value TRUE = new Value(Type.BOOLEAN, 1, null);
  public static final Value FALSE = new Value(Type.BOOLEAN, 0, null);

  /** Tempo's status values. */
  public static final int STATUS_ERROR = 0;
  public static final int STATUS_OK = 1;
  public static final int STATUS_UNSET = 2;

  /** Tempo's kind values (note: client/server are swapped relative to OTLP). */
  public static final int KIND_UNSPECIFIED = 0;
  public static final int KIND_INTERNAL = 1;
  public static final int KIND_CLIENT = 2;
  public static final int KIND_SERVER = 3;
  public static final int KIND_PRODUCER = 4;
  public static final int KIND_CONSUMER = 5;

  private static final String[] STATUS_NAMES = {"error", "ok", "unset"};
  private static final String[] KIND_NAMES = {"unspecified", "internal", "client", "server", "producer", "consumer"};

  private final Type type;
  private final long bits;
  private final String str;

  private Value(Type type, long bits, String str) {
    this.type = type;
    this.bits = bits;
    this.str = str;
  }

  public static Value ofInt(long v) {
    return new Value(Type.INT, v, null);
  }

  public static Value ofFloat(double v) {
    return new Value(Type.FLOAT, Double.doubleToRawLongBits(v), null);
  }

  public static Value ofString(String v) {
    return new Value(Type.STRING, 0, Objects.requireNonNull(v, "v"));
  }

  public static Value ofBoolean(boolean v) {
    return v ? TRUE : FALSE;
  }

  public static Value ofDuration(long nanos) {
    return new Value(Type.DURATION, nanos, null);
  }

  /** A status in Tempo's numbering ({@link #STATUS_ERROR}, {@link #STATUS_OK}, {@link #STATUS_UNSET}). */
  public static Value ofStatus(int tempoStatus) {
    return new Value(Type.STATUS, tempoStatus, null);
  }

  /** A kind in Tempo's numbering ({@link #KIND_UNSPECIFIED} …). */
  public static Value ofKind(int tempoKind) {
    return new Value(Type.KIND, tempoKind, null);
  }

  /** From an OTLP {@code Status.code} (0 unset, 1 ok, 2 error); unknown codes read as unset. */
  public static Value ofStatusCode(int otlpCode) {
    switch (otlpCode) {
      case 1:
        return ofStatus(STATUS_OK);
      case 2:
        return ofStatus(STATUS_ERROR);
      default:
        return ofStatus(STATUS_UNSET);
    }
  }

  /** From an OTLP {@code Span.kind} (0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer). */
  public static Value ofSpanKind(int otlpKind) {
    switch (otlpKind) {
      case 1:
        return ofKind(KIND_INTERNAL);
      case 2:
        return ofKind(KIND_SERVER);
      case 3:
        return ofKind(KIND_CLIENT);
      case 4:
        return ofKind(KIND_PRODUCER);
      case 5:
        return ofKind(KIND_CONSUMER);
      default:
        return ofKind(KIND_UNSPECIFIED);
    }
  }

  public Type type() {
    return type;
  }

  public boolean isNil() {
    return type == Type.NIL;
  }

  /** The raw scalar: int value, duration nanos, boolean 0/1, Tempo status/kind number, or double bits. */
  public long bits() {
    return bits;
  }

  /** int or duration value (duration in nanoseconds); 0 for other types. */
  public long asLong() {
    return type == Type.INT || type == Type.DURATION ? bits : 0;
  }

  /** Numeric value as a double (durations in nanoseconds); NaN for non-numeric types, as Tempo's {@code Float()}. */
  public double asDouble() {
    switch (type) {
      case FLOAT:
        return Double.longBitsToDouble(bits);
      case INT:
      case DURATION:
        return bits;
      default:
        return Double.NaN;
    }
  }

  public boolean asBoolean() {
    return type == Type.BOOLEAN && bits != 0;
  }

  /** The string of a string value; null for other types. */
  public String asString() {
    return str;
  }

  /**
   * Tempo's {@code EncodeToString}: strings raw (or in backticks when {@code quoted}), durations as Go prints them
   * ({@code 1h30m0s}), floats with a decimal point, status/kind as their keywords.
   */
  public String encode(boolean quoted) {
    switch (type) {
      case NIL:
        return "nil";
      case INT:
        return Long.toString(bits);
      case FLOAT:
        return GoFormat.formatFloat(Double.longBitsToDouble(bits));
      case STRING:
        return quoted ? "`" + str + "`" : str;
      case BOOLEAN:
        return bits != 0 ? "true" : "false";
      case DURATION:
        return GoFormat.formatDuration(bits);
      case STATUS:
        return bits >= 0 && bits < STATUS_NAMES.length ? STATUS_NAMES[(int) bits] : "status(" + bits + ")";
      case KIND:
        return bits >= 0 && bits < KIND_NAMES.length ? KIND_NAMES[(int) bits] : "kind(" + bits + ")";
      default:
        throw new AssertionError(type);
    }
  }

  /** Strict equality: same type and same value (floats by bits). */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Value)) {
      return false;
    }
    Value v = (Value) o;
    return type == v.type && bits == v.bits && Objects.equals(str, v.str);
  }

  @Override
  public int hashCode() {
    return (type.hashCode() * 31 + Long.hashCode(bits)) * 31 + (str == null ? 0 : str.hashCode());
  }

  /** The TraceQL literal form ({@code encode(true)}). */
  @Override
  public String toString() {
    return encode(true);
  }
}
