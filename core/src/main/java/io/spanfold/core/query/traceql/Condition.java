package io.spanfold.core.query.traceql;

import java.util.Objects;

/**
 * A predicate on one attribute or intrinsic that an index can test: {@code attribute operator operand}. Operand is
 * {@link Value#NIL} for {@link Operator#EXISTS}/{@link Operator#NOT_EXISTS}. Comparisons follow TraceQL's rules
 * (numbers compare across int/float/duration; a value of another type never matches).
 */
public final class Condition {
  /** Comparison operators. */
  public enum Operator {
    EQ("="),
    NEQ("!="),
    GT(">"),
    GTE(">="),
    LT("<"),
    LTE("<="),
    REGEX("=~"),
    NOT_REGEX("!~"),
    EXISTS("!= nil"),
    NOT_EXISTS("= nil");

    private final String text;

    Operator(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  private final Attribute attribute;
  private final Operator operator;
  private final Value operand;

  public Condition(Attribute attribute, Operator operator, Value operand) {
    this.attribute = Objects.requireNonNull(attribute, "attribute");
    this.operator = Objects.requireNonNull(operator, "operator");
    this.operand = Objects.requireNonNull(operand, "operand");
  }

  public Attribute attribute() {
    return attribute;
  }

  public Operator operator() {
    return operator;
  }

  public Value operand() {
    return operand;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Condition)) {
      return false;
    }
    Condition c = (Condition) o;
    return attribute.equals(c.attribute) && operator == c.operator && operand.equals(c.operand);
  }

  @Override
  public int hashCode() {
    return Objects.hash(attribute, operator, operand);
  }

  @Override
  public String toString() {
    if (operator == Operator.EXISTS || operator == Operator.NOT_EXISTS) {
      return attribute + " " + operator.text();
    }
    return attribute + " " + operator.text() + " " + operand;
  }
}
