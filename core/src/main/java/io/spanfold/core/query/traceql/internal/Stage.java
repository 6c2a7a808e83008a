package io.spanfold.core.query.traceql.internal;

import io.spanfold.core.query.traceql.Attribute;
import io.spanfold.core.query.traceql.Condition;
import io.spanfold.core.query.traceql.Spanset;
import io.spanfold.core.query.traceql.TraceQLParseException;
import io.spanfold.core.query.traceql.TraceQLUnsupportedException;
import io.spanfold.core.query.traceql.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Internal, unstable: a pipeline element (Tempo's {@code PipelineElement}), evaluated on the spansets of one trace. */
abstract class Stage {
  abstract List<SS> evaluate(List<SS> input, EvalContext ctx);

  abstract void validate();

  /** Conditions every matching trace satisfies on at least one span (sound, not complete). */
  abstract void requirements(List<Condition> out);

  /** Attributes read (shown on result spans as Tempo shows fetched attributes). */
  abstract void attributes(List<Attribute> out);

  static String wrap(Stage s) {
    return s instanceof Filter ? s.toString() : "(" + s + ")";
  }

  // ---- spanset filter

  static final class Filter extends Stage {
    final Expr expr;

    Filter(Expr expr) {
      this.expr = expr;
    }

    @Override
    List<SS> evaluate(List<SS> input, EvalContext ctx) {
      List<SS> out = new ArrayList<>(input.size());
      for (SS ss : input) {
        int[] spans = ss.spans;
        int[] keep = new int[spans.length];
        int k = 0;
        for (int s : spans) {
          Value v = expr.eval(ctx, s);
          if (v.type() == Value.Type.BOOLEAN && v.asBoolean()) {
            keep[k++] = s;
          }
        }
        if (k == spans.length && k > 0) {
          out.add(ss);
        } else if (k > 0) {
          out.add(ss.withSpans(Arrays.copyOf(keep, k)));
        }
      }
      return out;
    }

    @Override
    void validate() {
      expr.validate();
      Value.Type t = expr.impliedType();
      if (t != null && t != Value.Type.BOOLEAN) {
        throw new TraceQLParseException("span filter field expressions must resolve to a boolean: " + this);
      }
    }

    @Override
    void requirements(List<Condition> out) {
      conjuncts(expr, out);
    }

    @Override
    void attributes(List<Attribute> out) {
      expr.attributes(out);
    }

    @Override
    public String toString() {
      return "{ " + expr + " }";
    }

    private static void conjuncts(Expr e, List<Condition> out) {
      if (e instanceof Expr.Binary) {
        Expr.Binary b = (Expr.Binary) e;
        if (b.op == Op.AND) {
          conjuncts(b.lhs, out);
          conjuncts(b.rhs, out);
          return;
        }
        Condition.Operator op = comparison(b.op);
        if (op == null) {
          return;
        }
        if (b.lhs instanceof Expr.AttrRef && b.rhs instanceof Expr.Literal) {
          add(out, new Condition(((Expr.AttrRef) b.lhs).attribute, op, ((Expr.Literal) b.rhs).value));
        } else if (b.rhs instanceof Expr.AttrRef && b.lhs instanceof Expr.Literal) {
          Condition.Operator flipped = flip(op);
          if (flipped != null) {
            add(out, new Condition(((Expr.AttrRef) b.rhs).attribute, flipped, ((Expr.Literal) b.lhs).value));
          }
        }
      } else if (e instanceof Expr.Unary) {
        Expr.Unary u = (Expr.Unary) e;
        if (u.expr instanceof Expr.AttrRef && (u.op == Op.EXISTS || u.op == Op.NOT_EXISTS)) {
          Condition.Operator op = u.op == Op.EXISTS ? Condition.Operator.EXISTS : Condition.Operator.NOT_EXISTS;
          add(out, new Condition(((Expr.AttrRef) u.expr).attribute, op, Value.NIL));
        }
      }
    }

    private static void add(List<Condition> out, Condition c) {
      if (!out.contains(c)) {
        out.add(c);
      }
    }

    private static Condition.Operator comparison(Op op) {
      switch (op) {
        case EQ:
          return Condition.Operator.EQ;
        case NEQ:
          return Condition.Operator.NEQ;
        case GT:
          return Condition.Operator.GT;
        case GTE:
          return Condition.Operator.GTE;
        case LT:
          return Condition.Operator.LT;
        case LTE:
          return Condition.Operator.LTE;
        case REGEX:
          return Condition.Operator.REGEX;
        case NOT_REGEX:
          return Condition.Operator.NOT_REGEX;
        default:
          return null;
      }
    }

    private static Condition.Operator flip(Condition.Operator op) {
      switch (op) {
        case GT:
          return Condition.Operator.LT;
        case GTE:
          return Condition.Operator.LTE;
        case LT:
          return Condition.Operator.GT;
        case LTE:
          return Condition.Operator.GTE;
        case EQ:
        case NEQ:
          return op;
        default:
          return null; // "x" =~ .a: the regex is the attribute; no index condition
      }
    }
  }

  // ---- spanset operators

  static final class SpansetOp extends Stage {
    final Op op;
    final Stage lhs;
    final Stage rhs;

    SpansetOp(Op op, Stage lhs, Stage rhs) {
      this.op = op;
      this.lhs = lhs;
      this.rhs = rhs;
    }

    @Override
    List<SS> evaluate(List<SS> input, EvalContext ctx) {
      List<SS> out = new ArrayList<>();
      for (SS in : input) {
        List<SS> one = List.of(in);
        List<SS> l = lhs.evaluate(one, ctx);
        List<SS> r = rhs.evaluate(one, ctx);
        if (op == Op.SS_AND || op == Op.SS_UNION) {
          boolean keep = op == Op.SS_AND ? !l.isEmpty() && !r.isEmpty() : !l.isEmpty() || !r.isEmpty();
          if (keep) {
            int[] spans = union(l, r);
            if (spans.length > 0) {
              out.add(in.withSpans(spans));
            }
          }
          continue;
        }
        if (r.isEmpty()) {
          continue;
        }
        if (l.size() > 1 || r.size() > 1) {
          throw new TraceQLUnsupportedException(
              "spanset operators on multiple spansets per trace (consider using coalesce())");
        }
        int[] rs = r.get(0).spans;
        if (rs.length == 0) {
          continue;
        }
        int[] ls = l.isEmpty() ? new int[0] : l.get(0).spans;
        int[] matched = Relations.apply(op, ls, rs, ctx.structure());
        if (matched.length > 0) {
          out.add(in.withSpans(matched));
        }
      }
      return out;
    }

    private static int[] union(List<SS> a, List<SS> b) {
      java.util.BitSet bits = new java.util.BitSet();
      for (SS ss : a) {
        for (int s : ss.spans) {
          bits.set(s);
        }
      }
      for (SS ss : b) {
        for (int s : ss.spans) {
          bits.set(s);
        }
      }
      return bits.stream().toArray();
    }

    @Override
    void validate() {
      lhs.validate();
      rhs.validate();
    }

    @Override
    void requirements(List<Condition> out) {
      switch (op) {
        case SS_UNION:
          return;
        case SS_NOT_CHILD:
        case SS_NOT_PARENT:
        case SS_NOT_DESC:
        case SS_NOT_ANCE:
        case SS_NOT_SIBL:
          rhs.requirements(out);
          return;
        default:
          lhs.requirements(out);
          rhs.requirements(out);
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

  // ---- pipelines

  static final class Pipeline extends Stage {
    final List<Stage> stages;

    Pipeline(List<Stage> stages) {
      this.stages = List.copyOf(stages);
    }

    @Override
    List<SS> evaluate(List<SS> input, EvalContext ctx) {
      List<SS> result = input;
      for (Stage s : stages) {
        result = s.evaluate(result, ctx);
        if (result.isEmpty()) {
          return result;
        }
      }
      return result;
    }

    @Override
    void validate() {
      for (Stage s : stages) {
        s.validate();
      }
    }

    @Override
    void requirements(List<Condition> out) {
      for (Stage s : stages) {
        s.requirements(out);
      }
    }

    @Override
    void attributes(List<Attribute> out) {
      for (Stage s : stages) {
        s.attributes(out);
      }
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < stages.size(); i++) {
        if (i > 0) {
          sb.append("|");
        }
        sb.append(stages.get(i));
      }
      return sb.toString();
    }
  }

  // ---- aggregates and scalar filters

  enum AggregateKind {
    COUNT("count"),
    AVG("avg"),
    MAX("max"),
    MIN("min"),
    SUM("sum");

    final String text;

    AggregateKind(String text) {
      this.text = text;
    }
  }

  static final class Aggregate {
    final AggregateKind kind;
    final Expr expr; // null for count()

    Aggregate(AggregateKind kind, Expr expr) {
      this.kind = kind;
      this.expr = expr;
    }

    /** The aggregate's value on a spanset, or null when no span has a value (the spanset is dropped). */
    Value apply(SS ss, EvalContext ctx) {
      if (kind == AggregateKind.COUNT) {
        return Value.ofInt(ss.spans.length);
      }
      Value acc = null;
      long count = 0;
      for (int s : ss.spans) {
        Value v = expr.eval(ctx, s);
        if (v.isNil()) {
          continue;
        }
        count++;
        if (acc == null) {
          acc = v;
        } else if (kind == AggregateKind.SUM || kind == AggregateKind.AVG) {
          acc = Values.sum(acc, v);
        } else if (kind == AggregateKind.MAX ? Values.compare(v, acc) > 0 : Values.compare(v, acc) < 0) {
          acc = v;
        }
      }
      if (acc == null) {
        return null;
      }
      return kind == AggregateKind.AVG ? Values.divide(acc, count) : acc;
    }

    Value.Type impliedType() {
      return kind == AggregateKind.COUNT || expr == null ? Value.Type.INT : expr.impliedType();
    }

    void validate() {
      if (expr == null) {
        return;
      }
      expr.validate();
      Value.Type t = expr.impliedType();
      if (t != null && !t.isNumeric()) {
        throw new TraceQLParseException("aggregate field expressions must resolve to a number type: " + this);
      }
      if (!expr.referencesSpan()) {
        throw new TraceQLParseException("aggregate field expressions must reference the span: " + this);
      }
    }

    @Override
    public String toString() {
      return kind.text + "(" + (expr == null ? "" : expr.toString()) + ")";
    }
  }

  static final class ScalarFilter extends Stage {
    final Aggregate aggregate;
    final Op op;
    final Value rhs;

    ScalarFilter(Aggregate aggregate, Op op, Value rhs) {
      this.aggregate = aggregate;
      this.op = op;
      this.rhs = rhs;
    }

    @Override
    List<SS> evaluate(List<SS> input, EvalContext ctx) {
      List<SS> out = new ArrayList<>();
      String name = aggregate.toString();
      for (SS ss : input) {
        Value v = aggregate.apply(ss, ctx);
        if (v == null) {
          continue;
        }
        if (compare(v)) {
          out.add(ss.withAttribute(name, v, v));
        }
      }
      return out;
    }

    /** Tempo's {@code binOp} for scalar filters. */
    boolean compare(Value l) {
      Value.Type lt = l.type();
      Value.Type rt = rhs.type();
      if (!Op.matchingOperands(lt, rt) || !op.binaryTypesValid(lt, rt)) {
        return false;
      }
      switch (op) {
        case GT:
          return l.asDouble() > rhs.asDouble();
        case GTE:
          return l.asDouble() >= rhs.asDouble();
        case LT:
          return l.asDouble() < rhs.asDouble();
        case LTE:
          return l.asDouble() <= rhs.asDouble();
        case EQ:
          return Values.equal(l, rhs);
        case NEQ:
          return Values.notEqual(l, rhs);
        default:
          return false;
      }
    }

    @Override
    void validate() {
      aggregate.validate();
      Value.Type lt = aggregate.impliedType();
      if (!Op.matchingOperands(lt, rhs.type())) {
        throw new TraceQLParseException("binary operations must operate on the same type: " + this);
      }
      if (!op.binaryTypesValid(lt, rhs.type())) {
        throw new TraceQLParseException("illegal operation for the given types: " + this);
      }
    }

    @Override
    void requirements(List<Condition> out) {}

    @Override
    void attributes(List<Attribute> out) {
      if (aggregate.expr != null) {
        aggregate.expr.attributes(out);
      }
    }

    @Override
    public String toString() {
      return "(" + aggregate + ") " + op.text + " " + rhs;
    }
  }

  // ---- by, select, coalesce

  static final class GroupBy extends Stage {
    final Expr expr;

    GroupBy(Expr expr) {
      this.expr = expr;
    }

    @Override
    List<SS> evaluate(List<SS> input, EvalContext ctx) {
      List<SS> out = new ArrayList<>();
      String name = toString();
      for (SS ss : input) {
        Map<Value, List<Integer>> groups = new LinkedHashMap<>();
        for (int s : ss.spans) {
          groups.computeIfAbsent(expr.eval(ctx, s), k -> new ArrayList<>()).add(s);
        }
        for (Map.Entry<Value, List<Integer>> g : groups.entrySet()) {
          int[] spans = g.getValue().stream().mapToInt(Integer::intValue).toArray();
          out.add(new SS(spans, ss.attributes, ss.scalar).withAttribute(name, g.getKey(), ss.scalar));
        }
      }
      return out;
    }

    @Override
    void validate() {
      if (!expr.referencesSpan()) {
        throw new TraceQLParseException("grouping field expressions must reference the span: " + this);
      }
      expr.validate();
    }

    @Override
    void requirements(List<Condition> out) {}

    @Override
    void attributes(List<Attribute> out) {
      expr.attributes(out);
    }

    @Override
    public String toString() {
      return "by(" + expr + ")";
    }
  }

  static final class Select extends Stage {
    final List<Attribute> selected;

    Select(List<Attribute> selected) {
      this.selected = List.copyOf(selected);
    }

    @Override
    List<SS> evaluate(List<SS> input, EvalContext ctx) {
      return input;
    }

    @Override
    void validate() {}

    @Override
    void requirements(List<Condition> out) {}

    @Override
    void attributes(List<Attribute> out) {
      for (Attribute a : selected) {
        if (!out.contains(a)) {
          out.add(a);
        }
      }
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("select(");
      for (int i = 0; i < selected.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        sb.append(selected.get(i));
      }
      return sb.append(')').toString();
    }
  }

  static final class Coalesce extends Stage {
    @Override
    List<SS> evaluate(List<SS> input, EvalContext ctx) {
      java.util.BitSet bits = new java.util.BitSet();
      for (SS ss : input) {
        for (int s : ss.spans) {
          bits.set(s);
        }
      }
      return List.of(new SS(bits.stream().toArray(), List.<Spanset.SpansetAttribute>of(), null));
    }

    @Override
    void validate() {}

    @Override
    void requirements(List<Condition> out) {}

    @Override
    void attributes(List<Attribute> out) {}

    @Override
    public String toString() {
      return "coalesce()";
    }
  }
}
