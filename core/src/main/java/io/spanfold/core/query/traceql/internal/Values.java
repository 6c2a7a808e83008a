package io.spanfold.core.query.traceql.internal;

import io.spanfold.core.query.traceql.Value;
import io.spanfold.core.query.traceql.Value.Type;
import java.util.regex.Pattern;

/** Internal, unstable: Tempo's value semantics ({@code Static.Equals}, {@code compare}, binary operator execution). */
public final class Values {
  private Values() {}

  /** Tempo's {@code Equals}: nil equals nothing; ints and durations compare raw; floats numerically. */
  public static boolean equal(Value s, Value o) {
    if (s.isNil() || o.isNil()) {
      return false;
    }
    switch (s.type()) {
      case INT:
      case DURATION:
        switch (o.type()) {
          case INT:
          case DURATION:
            return s.bits() == o.bits();
          case STATUS:
            return s.type() == Type.INT && s.bits() == o.bits();
          case FLOAT:
            return s.asDouble() == o.asDouble();
          default:
            return false;
        }
      case STATUS:
        return (o.type() == Type.INT || o.type() == Type.STATUS) && s.bits() == o.bits();
      case FLOAT:
        return s.asDouble() == o.asDouble();
      case KIND:
      case BOOLEAN:
        return s.type() == o.type() && s.bits() == o.bits();
      case STRING:
        return o.type() == Type.STRING && s.asString().equals(o.asString());
      default:
        return false;
    }
  }

  /** Tempo's {@code NotEquals}: false when either side is nil. */
  public static boolean notEqual(Value s, Value o) {
    return !s.isNil() && !o.isNil() && !equal(s, o);
  }

  /** Ordering used by {@code min()}/{@code max()}: numbers numerically, else by type, then by value. */
  public static int compare(Value s, Value o) {
    if (s.type() != o.type()) {
      if (s.type().isNumeric() && o.type().isNumeric()) {
        return Double.compare(s.asDouble(), o.asDouble());
      }
      return Integer.compare(s.type().ordinal(), o.type().ordinal());
    }
    switch (s.type()) {
      case STRING:
        return compareStrings(s.asString(), o.asString());
      case NIL:
        return 0;
      case FLOAT:
        return Double.compare(s.asDouble(), o.asDouble());
      default:
        return Long.compare(s.bits(), o.bits());
    }
  }

  /** Byte order of the UTF-8 encodings (= code point order), as Go compares strings. */
  public static int compareStrings(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** Tempo's {@code BinaryOperation.execute} once both sides are known. {@code regex} is the compiled RHS or null. */
  static Value binary(Op op, Value lhs, Value rhs, Pattern regex) {
    Type lt = lhs.type();
    Type rt = rhs.type();
    if (!Op.matchingOperands(lt, rt) || !op.binaryTypesValid(lt, rt)) {
      return Value.FALSE;
    }
    if (lt == Type.STRING && rt == Type.STRING) {
      String l = lhs.asString();
      String r = rhs.asString();
      switch (op) {
        case GT:
          return Value.ofBoolean(compareStrings(l, r) > 0);
        case GTE:
          return Value.ofBoolean(compareStrings(l, r) >= 0);
        case LT:
          return Value.ofBoolean(compareStrings(l, r) < 0);
        case LTE:
          return Value.ofBoolean(compareStrings(l, r) <= 0);
        case REGEX:
        case NOT_REGEX:
          Pattern p = regex != null ? regex : Re2.compile(r);
          return Value.ofBoolean(p.matcher(l).matches() == (op == Op.REGEX));
        default:
          break;
      }
    }
    if (lt == Type.INT && rt == Type.INT) {
      long l = lhs.bits();
      long r = rhs.bits();
      switch (op) {
        case ADD:
          return Value.ofInt(l + r);
        case SUB:
          return Value.ofInt(l - r);
        case DIV:
          return r == 0 ? Value.NIL : Value.ofInt(l / r);
        case MOD:
          return r == 0 ? Value.NIL : Value.ofInt(l % r);
        case MULT:
          return Value.ofInt(l * r);
        case GT:
          return Value.ofBoolean(l > r);
        case GTE:
          return Value.ofBoolean(l >= r);
        case LT:
          return Value.ofBoolean(l < r);
        case LTE:
          return Value.ofBoolean(l <= r);
        case POW:
          return Value.ofInt(intPow(l, r));
        default:
          break;
      }
    }
    if (lt == Type.BOOLEAN && rt == Type.BOOLEAN) {
      if (op == Op.AND) {
        return Value.ofBoolean(lhs.asBoolean() && rhs.asBoolean());
      }
      if (op == Op.OR) {
        return Value.ofBoolean(lhs.asBoolean() || rhs.asBoolean());
      }
    }
    double l = lhs.asDouble();
    double r = rhs.asDouble();
    switch (op) {
      case ADD:
        return Value.ofFloat(l + r);
      case SUB:
        return Value.ofFloat(l - r);
      case DIV:
        return Value.ofFloat(l / r);
      case MOD:
        return Value.ofFloat(l % r);
      case MULT:
        return Value.ofFloat(l * r);
      case GT:
        return Value.ofBoolean(l > r);
      case GTE:
        return Value.ofBoolean(l >= r);
      case LT:
        return Value.ofBoolean(l < r);
      case LTE:
        return Value.ofBoolean(l <= r);
      case POW:
        return Value.ofFloat(Math.pow(l, r));
      case EQ:
        return Value.ofBoolean(equal(lhs, rhs));
      case NEQ:
        return Value.ofBoolean(notEqual(lhs, rhs));
      default:
        return Value.NIL;
    }
  }

  /** base^exp for exp ≥ 0 (Tempo computes exp^base here, a bug we do not copy); 1 for a negative exponent. */
  static long intPow(long base, long exp) {
    long result = 1;
    long b = base;
    for (long e = exp; e > 0; e >>= 1) {
      if ((e & 1) != 0) {
        result *= b;
      }
      b *= b;
    }
    return result;
  }

  /** Tempo's unary execution; a type mismatch at run time yields nil (Tempo fails the whole query). */
  static Value unary(Op op, Value v) {
    switch (op) {
      case NOT:
        return v.type() == Type.BOOLEAN ? Value.ofBoolean(!v.asBoolean()) : Value.NIL;
      case SUB:
        switch (v.type()) {
          case INT:
            return Value.ofInt(-v.bits());
          case FLOAT:
            return Value.ofFloat(-v.asDouble());
          case DURATION:
            return Value.ofDuration(-v.bits());
          default:
            return Value.NIL;
        }
      case EXISTS:
        return Value.ofBoolean(!v.isNil());
      case NOT_EXISTS:
        return Value.ofBoolean(v.isNil());
      default:
        return Value.NIL;
    }
  }

  /** Tempo's {@code sumInto}: values of another type than the running sum are skipped. */
  static Value sum(Value acc, Value v) {
    if (acc.type() != v.type()) {
      return acc;
    }
    switch (acc.type()) {
      case INT:
        return Value.ofInt(acc.bits() + v.bits());
      case DURATION:
        return Value.ofDuration(acc.bits() + v.bits());
      case FLOAT:
        return Value.ofFloat(acc.asDouble() + v.asDouble());
      default:
        return acc;
    }
  }

  /** Tempo's {@code divideBy}: int sums average to a float, durations to a duration. */
  static Value divide(Value sum, long count) {
    switch (sum.type()) {
      case INT:
        return Value.ofFloat((double) sum.bits() / count);
      case DURATION:
        return Value.ofDuration(sum.bits() / count);
      case FLOAT:
        return Value.ofFloat(sum.asDouble() / count);
      default:
        return sum;
    }
  }
}
