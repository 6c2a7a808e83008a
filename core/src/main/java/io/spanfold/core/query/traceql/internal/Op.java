package io.spanfold.core.query.traceql.internal;

import io.spanfold.core.query.traceql.Value;

/** Internal, unstable: TraceQL operators with Tempo's type rules ({@code binaryTypesValid}, {@code isBoolean}). */
enum Op {
  ADD("+"),
  SUB("-"),
  DIV("/"),
  MOD("%"),
  MULT("*"),
  EQ("="),
  NEQ("!="),
  REGEX("=~"),
  NOT_REGEX("!~"),
  GT(">"),
  GTE(">="),
  LT("<"),
  LTE("<="),
  POW("^"),
  AND("&&"),
  OR("||"),
  NOT("!"),
  EXISTS("!= nil"),
  NOT_EXISTS("= nil"),
  // spanset operators
  SS_AND("&&"),
  SS_UNION("||"),
  SS_CHILD(">"),
  SS_PARENT("<"),
  SS_DESC(">>"),
  SS_ANCE("<<"),
  SS_SIBL("~"),
  SS_NOT_CHILD("!>"),
  SS_NOT_PARENT("!<"),
  SS_NOT_DESC("!>>"),
  SS_NOT_ANCE("!<<"),
  SS_NOT_SIBL("!~"),
  SS_UNION_CHILD("&>"),
  SS_UNION_PARENT("&<"),
  SS_UNION_DESC("&>>"),
  SS_UNION_ANCE("&<<"),
  SS_UNION_SIBL("&~");

  final String text;

  Op(String text) {
    this.text = text;
  }

  boolean isBoolean() {
    switch (this) {
      case OR:
      case AND:
      case EQ:
      case NEQ:
      case REGEX:
      case NOT_REGEX:
      case GT:
      case GTE:
      case LT:
      case LTE:
      case NOT:
      case EXISTS:
      case NOT_EXISTS:
        return true;
      default:
        return false;
    }
  }

  /** Tempo's {@code isMatchingOperand}; null = attribute (type known only at run time). */
  static boolean matchingOperands(Value.Type a, Value.Type b) {
    if (a == null || b == null || a == b) {
      return true;
    }
    if (a.isNumeric() && b.isNumeric()) {
      return true;
    }
    return a == Value.Type.NIL || b == Value.Type.NIL;
  }

  boolean binaryTypesValid(Value.Type a, Value.Type b) {
    return typeValid(a) && typeValid(b);
  }

  private boolean typeValid(Value.Type t) {
    if (t == null) {
      return true;
    }
    switch (t) {
      case BOOLEAN:
        return this == AND || this == OR || this == EQ || this == NEQ;
      case FLOAT:
      case INT:
      case DURATION:
        return this == ADD
            || this == SUB
            || this == MULT
            || this == DIV
            || this == MOD
            || this == POW
            || this == EQ
            || this == NEQ
            || this == GT
            || this == GTE
            || this == LT
            || this == LTE;
      case STRING:
        return this == EQ
            || this == NEQ
            || this == REGEX
            || this == NOT_REGEX
            || this == GT
            || this == GTE
            || this == LT
            || this == LTE;
      case NIL:
      case STATUS:
      case KIND:
        return this == EQ || this == NEQ;
      default:
        return false;
    }
  }

  boolean unaryTypeValid(Value.Type t) {
    if (t == null) {
      return true;
    }
    switch (this) {
      case SUB:
        return t.isNumeric();
      case NOT:
        return t == Value.Type.BOOLEAN;
      case EXISTS:
      case NOT_EXISTS:
        return true;
      default:
        return false;
    }
  }
}
