package io.spanfold.core.query.traceql.internal;

import io.spanfold.core.query.traceql.Attribute;
import io.spanfold.core.query.traceql.TraceQLParseException;
import io.spanfold.core.query.traceql.Value;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Internal, unstable: a TraceQL field expression, evaluated per span. */
abstract class Expr {
  abstract Value eval(EvalContext ctx, int span);

  abstract boolean referencesSpan();

  /** The type known at parse time, or null when it depends on an attribute. */
  abstract Value.Type impliedType();

  /** Tempo's validate(): throws {@link TraceQLParseException} on a type error. */
  abstract void validate();

  /** Adds every attribute read by this expression. */
  abstract void attributes(List<Attribute> out);

  /** Tempo's wrapElement: statics and attributes bare, everything else in parentheses. */
  static String wrap(Expr e) {
    if (e instanceof Literal || e instanceof AttrRef) {
      return e.toString();
    }
    return "(" + e + ")";
  }

  static final class Literal extends Expr {
    final Value value;

    Literal(Value value) {
      this.value = value;
    }

    @Override
    Value eval(EvalContext ctx, int span) {
      return value;
    }

    @Override
    boolean referencesSpan() {
      return false;
    }

    @Override
    Value.Type impliedType() {
      return value.type();
    }

    @Override
    void validate() {}

    @Override
    void attributes(List<Attribute> out) {}

    @Override
    public String toString() {
      return value.toString();
    }
  }

  static final class AttrRef extends Expr {
    final Attribute attribute;

    AttrRef(Attribute attribute) {
      this.attribute = attribute;
    }

    @Override
    Value eval(EvalContext ctx, int span) {
      return ctx.value(attribute, span);
    }

    @Override
    boolean referencesSpan() {
      return true;
    }

    @Override
    Value.Type impliedType() {
      return attribute.isIntrinsic() ? attribute.intrinsic().type() : null;
    }

    @Override
    void validate() {}

    @Override
    void attributes(List<Attribute> out) {
      if (!out.contains(attribute)) {
        out.add(attribute);
      }
    }

    @Override
    public String toString() {
      return attribute.toString();
    }
  }

  static final class Binary extends Expr {
    final Op op;
    final Expr lhs;
    final Expr rhs;
    private Pattern regex;

    Binary(Op op, Expr lhs, Expr rhs) {
      this.op = op;
      this.lhs = lhs;
      this.rhs = rhs;
    }

    @Override
    Value eval(EvalContext ctx, int span) {
      Value l = lhs.eval(ctx, span);
      if (l.type() == Value.Type.BOOLEAN) {
        if (op == Op.AND && !l.asBoolean()) {
          return Value.FALSE;
        }
        if (op == Op.OR && l.asBoolean()) {
          return Value.TRUE;
        }
      }
      Value r = rhs.eval(ctx, span);
      Pattern p = null;
      if ((op == Op.REGEX || op == Op.NOT_REGEX) && r.type() == Value.Type.STRING) {
        try {
          p = regex != null && rhs instanceof Literal ? regex : Re2.compile(r.asString());
        } catch (PatternSyntaxException invalidAtRunTime) {
          return Value.FALSE; // a regex read from an attribute ({ .a =~ .b }) that does not compile matches nothing
        }
      }
      return Values.binary(op, l, r, p);
    }

    @Override
    boolean referencesSpan() {
      return lhs.referencesSpan() || rhs.referencesSpan();
    }

    @Override
    Value.Type impliedType() {
      if (op.isBoolean()) {
        return Value.Type.BOOLEAN;
      }
      Value.Type t = lhs.impliedType();
      return t != null ? t : rhs.impliedType();
    }

    @Override
    void validate() {
      lhs.validate();
      rhs.validate();
      Value.Type lt = lhs.impliedType();
      Value.Type rt = rhs.impliedType();
      if (!Op.matchingOperands(lt, rt)) {
        throw new TraceQLParseException("binary operations must operate on the same type: " + this);
      }
      if (!op.binaryTypesValid(lt, rt)) {
        throw new TraceQLParseException("illegal operation for the given types: " + this);
      }
      if (op == Op.REGEX || op == Op.NOT_REGEX) {
        String text = rhs instanceof Literal ? ((Literal) rhs).value.encode(false) : rhs.toString();
        try {
          Pattern compiled = Re2.compile(text);
          if (rhs instanceof Literal) {
            regex = compiled;
          }
        } catch (PatternSyntaxException e) {
          throw new TraceQLParseException("invalid regex: " + rhs);
        }
      }
    }

    @Override
    void attributes(List<Attribute> out) {
      lhs.attributes(out);
      rhs.attributes(out);
    }

    @Override
    public String toString() {
      return wrap(lhs) + " " + op.text + " " + wrap(rhs);
    }
  }

  static final class Unary extends Expr {
    final Op op;
    final Expr expr;

    Unary(Op op, Expr expr) {
      this.op = op;
      this.expr = expr;
    }

    @Override
    Value eval(EvalContext ctx, int span) {
      return Values.unary(op, expr.eval(ctx, span));
    }

    @Override
    boolean referencesSpan() {
      return expr.referencesSpan();
    }

    @Override
    Value.Type impliedType() {
      if (op == Op.EXISTS || op == Op.NOT_EXISTS) {
        return Value.Type.BOOLEAN;
      }
      return expr.impliedType();
    }

    @Override
    void validate() {
      expr.validate();
      if (op == Op.NOT_EXISTS && expr instanceof AttrRef) {
        Attribute a = ((AttrRef) expr).attribute;
        if (a.isIntrinsic()) {
          throw new TraceQLParseException(a + "=nil is not valid because intrinsics cannot be nil");
        }
        if (a.equals(Attribute.of(Attribute.Scope.RESOURCE, "service.name"))) {
          throw new TraceQLParseException(a + "=nil is not valid because resource.service.name cannot be nil");
        }
      }
      Value.Type t = expr.impliedType();
      if (t != null && !op.unaryTypeValid(t)) {
        throw new TraceQLParseException("illegal operation for the given type: " + this);
      }
    }

    @Override
    void attributes(List<Attribute> out) {
      expr.attributes(out);
    }

    @Override
    public String toString() {
      if (op == Op.EXISTS) {
        return wrap(expr) + " != nil";
      }
      if (op == Op.NOT_EXISTS) {
        return wrap(expr) + " = nil";
      }
      return op.text + wrap(expr);
    }
  }
}
