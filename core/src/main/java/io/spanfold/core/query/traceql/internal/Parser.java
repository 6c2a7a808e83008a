package io.spanfold.core.query.traceql.internal;

import io.spanfold.core.query.traceql.Attribute;
import io.spanfold.core.query.traceql.Attribute.Intrinsic;
import io.spanfold.core.query.traceql.Attribute.Scope;
import io.spanfold.core.query.traceql.TraceQLParseException;
import io.spanfold.core.query.traceql.TraceQLUnsupportedException;
import io.spanfold.core.query.traceql.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Internal, unstable: recursive-descent / precedence-climbing TraceQL parser with the precedences of Tempo's
 * {@code expr.y}: spanset level {@code |} &lt; {@code && ||} &lt; structural operators; field level {@code && ||} &lt;
 * comparisons &lt; {@code + -} &lt; prefix {@code !} &lt; {@code * / %} &lt; {@code ^} (right-associative). It folds
 * constant sub-expressions and normalises {@code trace:id} operands as Tempo does.
 */
public final class Parser {
  private final Lexer lexer;
  private Token tok;
  private String unsupported;
  private final Map<String, Value> hints = new LinkedHashMap<>();

  private Parser(String input) {
    this.lexer = new Lexer(input);
    this.tok = lexer.next();
  }

  /** Parses and validates a query. */
  public static ParsedQuery parse(String input) {
    Parser p = new Parser(input);
    Stage root = p.parseRoot();
    if (p.unsupported != null) {
      throw new TraceQLUnsupportedException(p.unsupported);
    }
    root.validate();
    return new ParsedQuery(root, p.hints);
  }

  // ---- limits: the parser and every pass over the tree recurse, so a hostile query must not nest without bound
  // (100 000 '(' overflowed the stack). Real queries, Grafana's included, stay far below both limits.

  /** Deepest nesting of parenthesised or unary sub-expressions and pipelines. */
  static final int MAX_DEPTH = 128;
  /** Most operator nodes in one query: left-leaning chains make the tree that deep. */
  static final int MAX_OPERATORS = 1000;

  private int depth;
  private int operators;

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw new TraceQLParseException(
          "expression nested too deeply (more than " + MAX_DEPTH + " levels)", tok.line, tok.col);
    }
  }

  private void countNode() {
    if (++operators > MAX_OPERATORS) {
      throw new TraceQLParseException(
          "query has too many operators (more than " + MAX_OPERATORS + ")", tok.line, tok.col);
    }
  }

  // ---- token helpers

  private void advance() {
    tok = lexer.next();
  }

  private TraceQLParseException unexpected(String... expecting) {
    StringBuilder sb = new StringBuilder("syntax error: unexpected ").append(tok.display());
    for (int i = 0; i < expecting.length; i++) {
      sb.append(i == 0 ? ", expecting " : " or ").append(expecting[i]);
    }
    return new TraceQLParseException(sb.toString(), tok.line, tok.col);
  }

  private void expect(Tok type) {
    if (tok.type != type) {
      throw unexpected(type.text);
    }
    advance();
  }

  private void unsupported(String construct) {
    if (unsupported == null) {
      unsupported = construct;
    }
  }

  // ---- root and pipelines

  private Stage parseRoot() {
    if (tok.type == Tok.EOF) {
      throw unexpected();
    }
    Stage root = parsePipeline(false);
    if (root instanceof AggregateMarker) {
      throw unexpected("with");
    }
    if (tok.type == Tok.WITH) {
      parseHints();
    }
    if (tok.type != Tok.EOF) {
      throw unexpected();
    }
    return root instanceof Stage.Pipeline ? root : new Stage.Pipeline(List.of(root));
  }

  /** {@code stage ('|' stage)*}; inside parentheses the last stage may be a bare aggregate (a scalar pipeline). */
  private Stage parsePipeline(boolean inParens) {
    enter();
    try {
      return parsePipelineNested(inParens);
    } finally {
      depth--;
    }
  }

  private Stage parsePipelineNested(boolean inParens) {
    List<Stage> stages = new ArrayList<>();
    stages.add(parseStage(true, inParens));
    while (tok.type == Tok.PIPE && !(stages.get(stages.size() - 1) instanceof AggregateMarker)) {
      advance();
      stages.add(parseStage(false, inParens));
    }
    Stage last = stages.get(stages.size() - 1);
    if (last instanceof AggregateMarker) {
      return last; // a scalar pipeline: its value is compared by the caller, which we do not support
    }
    return stages.size() == 1 ? stages.get(0) : new Stage.Pipeline(stages);
  }

  private Stage parseStage(boolean first, boolean inParens) {
    switch (tok.type) {
      case OPEN_BRACE:
      case OPEN_PARENS:
        return parseSpansetExpr(1);
      case COUNT:
      case AVG:
      case MIN:
      case MAX:
      case SUM:
      case INTEGER:
      case FLOAT:
      case DURATION:
      case SUB:
        return parseScalarFilter(inParens);
      case BY:
        {
          advance();
          expect(Tok.OPEN_PARENS);
          Expr e = parseField(1);
          expect(Tok.CLOSE_PARENS);
          return new Stage.GroupBy(e);
        }
      case SELECT:
        {
          advance();
          expect(Tok.OPEN_PARENS);
          List<Attribute> attrs = new ArrayList<>();
          attrs.add(parseAttributeOnly());
          while (tok.type == Tok.COMMA) {
            advance();
            attrs.add(parseAttributeOnly());
          }
          expect(Tok.CLOSE_PARENS);
          return new Stage.Select(attrs);
        }
      case COALESCE:
        if (first) {
          throw unexpected();
        }
        advance();
        expect(Tok.OPEN_PARENS);
        expect(Tok.CLOSE_PARENS);
        return new Stage.Coalesce();
      case RATE:
      case COUNT_OVER_TIME:
      case MIN_OVER_TIME:
      case MAX_OVER_TIME:
      case AVG_OVER_TIME:
      case SUM_OVER_TIME:
      case QUANTILE_OVER_TIME:
      case HISTOGRAM_OVER_TIME:
      case COMPARE:
        if (first) {
          throw unexpected();
        }
        throw new TraceQLUnsupportedException(
            "TraceQL metrics function " + tok.type.text + "() (use /api/metrics/query_range)");
      default:
        throw unexpected();
    }
  }

  private void parseHints() {
    advance();
    expect(Tok.OPEN_PARENS);
    while (true) {
      if (tok.type != Tok.IDENTIFIER) {
        throw unexpected("IDENTIFIER");
      }
      String name = tok.str;
      advance();
      expect(Tok.EQ);
      Value v = parseStatic();
      hints.put(name, v);
      if (tok.type == Tok.COMMA) {
        advance();
        continue;
      }
      expect(Tok.CLOSE_PARENS);
      return;
    }
  }

  // ---- spanset expressions

  private static Op spansetOp(Tok t) {
    switch (t) {
      case AND:
        return Op.SS_AND;
      case OR:
        return Op.SS_UNION;
      case GT:
        return Op.SS_CHILD;
      case LT:
        return Op.SS_PARENT;
      case DESC:
        return Op.SS_DESC;
      case ANCE:
        return Op.SS_ANCE;
      case SIBL:
        return Op.SS_SIBL;
      case NOT_CHILD:
        return Op.SS_NOT_CHILD;
      case NOT_PARENT:
        return Op.SS_NOT_PARENT;
      case NOT_DESC:
        return Op.SS_NOT_DESC;
      case NOT_ANCE:
        return Op.SS_NOT_ANCE;
      case NRE:
        return Op.SS_NOT_SIBL;
      case UNION_CHILD:
        return Op.SS_UNION_CHILD;
      case UNION_PARENT:
        return Op.SS_UNION_PARENT;
      case UNION_DESC:
        return Op.SS_UNION_DESC;
      case UNION_ANCE:
        return Op.SS_UNION_ANCE;
      case UNION_SIBL:
        return Op.SS_UNION_SIBL;
      default:
        return null;
    }
  }

  private Stage parseSpansetExpr(int minPrec) {
    enter();
    try {
      return parseSpansetExprNested(minPrec);
    } finally {
      depth--;
    }
  }

  private Stage parseSpansetExprNested(int minPrec) {
    Stage left = parseSpansetPrimary();
    while (true) {
      Op op = spansetOp(tok.type);
      if (op == null) {
        return left;
      }
      int prec = (op == Op.SS_AND || op == Op.SS_UNION) ? 1 : 2;
      if (prec < minPrec) {
        return left;
      }
      if (left instanceof AggregateMarker) {
        throw unexpected();
      }
      advance();
      Stage right = parseSpansetExpr(prec + 1);
      countNode();
      left = new Stage.SpansetOp(op, left, right);
    }
  }

  private Stage parseSpansetPrimary() {
    if (tok.type == Tok.OPEN_BRACE) {
      advance();
      if (tok.type == Tok.CLOSE_BRACE) {
        advance();
        return new Stage.Filter(new Expr.Literal(Value.TRUE));
      }
      Expr e = parseField(1);
      if (tok.type != Tok.CLOSE_BRACE) {
        throw unexpected();
      }
      advance();
      return new Stage.Filter(e);
    }
    if (tok.type == Tok.OPEN_PARENS) {
      advance();
      Stage inner = parsePipeline(true);
      if (tok.type != Tok.CLOSE_PARENS) {
        throw inner instanceof Stage.Pipeline ? unexpected(")", "|") : unexpected();
      }
      advance();
      if (inner instanceof AggregateMarker) {
        // ({ … } | count()) > … : a scalar pipeline comparison
        if (comparison(tok.type) != null) {
          throw new TraceQLUnsupportedException("scalar pipeline expressions such as ({ … } | count()) > 1");
        }
        throw unexpected();
      }
      return inner;
    }
    throw unexpected();
  }

  /** A bare aggregate closing a parenthesised pipeline. */
  static final class AggregateMarker extends Stage {
    @Override
    java.util.List<SS> evaluate(java.util.List<SS> input, EvalContext ctx) {
      throw new AssertionError("not evaluable");
    }

    @Override
    void validate() {}

    @Override
    void requirements(java.util.List<io.spanfold.core.query.traceql.Condition> out) {}

    @Override
    void attributes(java.util.List<Attribute> out) {}
  }

  // ---- scalar filters: aggregate op static

  private static final class Scalar {
    final Stage.Aggregate aggregate; // or
    final Value literal; // or
    final String complex; // an arithmetic expression, kept for the message

    Scalar(Stage.Aggregate aggregate, Value literal, String complex) {
      this.aggregate = aggregate;
      this.literal = literal;
      this.complex = complex;
    }

    Value.Type type() {
      return aggregate != null ? aggregate.impliedType() : literal != null ? literal.type() : null;
    }

    @Override
    public String toString() {
      return aggregate != null ? aggregate.toString() : literal != null ? literal.toString() : complex;
    }
  }

  private static Op comparison(Tok t) {
    switch (t) {
      case EQ:
        return Op.EQ;
      case NEQ:
        return Op.NEQ;
      case LT:
        return Op.LT;
      case LTE:
        return Op.LTE;
      case GT:
        return Op.GT;
      case GTE:
        return Op.GTE;
      default:
        return null;
    }
  }

  private Stage parseScalarFilter(boolean inParens) {
    Scalar lhs = parseScalar(1);
    Op op = comparison(tok.type);
    if (op == null) {
      if (inParens && tok.type == Tok.CLOSE_PARENS && lhs.aggregate != null) {
        return new AggregateMarker();
      }
      throw unexpected();
    }
    advance();
    Scalar rhs = parseScalar(1);
    Value.Type lt = lhs.type();
    Value.Type rt = rhs.type();
    String text = wrapScalar(lhs) + " " + op.text + " " + wrapScalar(rhs);
    if (lhs.aggregate != null) {
      lhs.aggregate.validate();
    }
    if (rhs.aggregate != null) {
      rhs.aggregate.validate();
    }
    if (!Op.matchingOperands(lt, rt)) {
      throw new TraceQLParseException("binary operations must operate on the same type: " + text);
    }
    if (!op.binaryTypesValid(lt, rt)) {
      throw new TraceQLParseException("illegal operation for the given types: " + text);
    }
    if (lhs.aggregate == null) {
      unsupported("scalar filter lhs of type (" + lhs + ")");
      return new Stage.Filter(new Expr.Literal(Value.FALSE));
    }
    if (rhs.literal == null) {
      unsupported("scalar filter rhs of type (" + rhs + ")");
      return new Stage.Filter(new Expr.Literal(Value.FALSE));
    }
    return new Stage.ScalarFilter(lhs.aggregate, op, rhs.literal);
  }

  private static String wrapScalar(Scalar s) {
    return s.literal != null ? s.toString() : "(" + s + ")";
  }

  private Scalar parseScalar(int minPrec) {
    enter();
    try {
      return parseScalarNested(minPrec);
    } finally {
      depth--;
    }
  }

  private Scalar parseScalarNested(int minPrec) {
    Scalar left = parseScalarPrimary();
    while (true) {
      Op op = arithmetic(tok.type);
      if (op == null) {
        return left;
      }
      int prec = precedence(op);
      if (prec < minPrec) {
        return left;
      }
      advance();
      Scalar right = parseScalar(op == Op.POW ? prec : prec + 1);
      String text = wrapScalar(left) + " " + op.text + " " + wrapScalar(right);
      Value.Type lt = left.type();
      Value.Type rt = right.type();
      if (!Op.matchingOperands(lt, rt)) {
        throw new TraceQLParseException("binary operations must operate on the same type: " + text);
      }
      countNode();
      left = new Scalar(null, null, text);
    }
  }

  private Scalar parseScalarPrimary() {
    switch (tok.type) {
      case OPEN_PARENS:
        {
          advance();
          Scalar s = parseScalar(1);
          expect(Tok.CLOSE_PARENS);
          return s;
        }
      case INTEGER:
      case FLOAT:
      case DURATION:
        {
          Value v = numberLiteral(false);
          return new Scalar(null, v, null);
        }
      case SUB:
        advance();
        if (tok.type == Tok.INTEGER || tok.type == Tok.FLOAT || tok.type == Tok.DURATION) {
          return new Scalar(null, numberLiteral(true), null);
        }
        throw unexpected();
      case COUNT:
        advance();
        expect(Tok.OPEN_PARENS);
        expect(Tok.CLOSE_PARENS);
        return new Scalar(new Stage.Aggregate(Stage.AggregateKind.COUNT, null), null, null);
      case AVG:
      case MIN:
      case MAX:
      case SUM:
        {
          Stage.AggregateKind kind = Stage.AggregateKind.valueOf(tok.type.name());
          advance();
          expect(Tok.OPEN_PARENS);
          Expr e = parseField(1);
          expect(Tok.CLOSE_PARENS);
          return new Scalar(new Stage.Aggregate(kind, e), null, null);
        }
      default:
        throw unexpected();
    }
  }

  private Value numberLiteral(boolean negate) {
    Value v;
    switch (tok.type) {
      case INTEGER:
        v = Value.ofInt(negate ? -tok.longValue : tok.longValue);
        break;
      case FLOAT:
        v = Value.ofFloat(negate ? -tok.floatValue : tok.floatValue);
        break;
      default:
        v = Value.ofDuration(negate ? -tok.longValue : tok.longValue);
    }
    advance();
    return v;
  }

  // ---- field expressions

  private static Op arithmetic(Tok t) {
    switch (t) {
      case ADD:
        return Op.ADD;
      case SUB:
        return Op.SUB;
      case MUL:
        return Op.MULT;
      case DIV:
        return Op.DIV;
      case MOD:
        return Op.MOD;
      case POW:
        return Op.POW;
      default:
        return null;
    }
  }

  private static Op fieldBinary(Tok t) {
    switch (t) {
      case AND:
        return Op.AND;
      case OR:
        return Op.OR;
      case RE:
        return Op.REGEX;
      case NRE:
        return Op.NOT_REGEX;
      default:
        Op c = comparison(t);
        return c != null ? c : arithmetic(t);
    }
  }

  private static int precedence(Op op) {
    switch (op) {
      case AND:
      case OR:
        return 1;
      case ADD:
      case SUB:
        return 3;
      case MULT:
      case DIV:
      case MOD:
        return 5;
      case POW:
        return 6;
      default:
        return 2; // comparisons
    }
  }

  private Expr parseField(int minPrec) {
    enter();
    try {
      return parseFieldNested(minPrec);
    } finally {
      depth--;
    }
  }

  private Expr parseFieldNested(int minPrec) {
    Expr left = parseUnary();
    while (true) {
      Op op = fieldBinary(tok.type);
      if (op == null) {
        return left;
      }
      int prec = precedence(op);
      if (prec < minPrec) {
        return left;
      }
      advance();
      if ((op == Op.EQ || op == Op.NEQ) && tok.type == Tok.NIL) {
        advance();
        left = unary(op == Op.NEQ ? Op.EXISTS : Op.NOT_EXISTS, left);
        continue;
      }
      Expr right = parseField(op == Op.POW ? prec : prec + 1);
      left = binary(op, left, right);
    }
  }

  private Expr parseUnary() {
    switch (tok.type) {
      case SUB:
        advance();
        return unary(Op.SUB, parseField(4));
      case NOT:
        advance();
        return unary(Op.NOT, parseField(5));
      case NIL:
        {
          advance();
          Op op;
          if (tok.type == Tok.EQ) {
            op = Op.NOT_EXISTS;
          } else if (tok.type == Tok.NEQ) {
            op = Op.EXISTS;
          } else {
            throw unexpected("=", "!=");
          }
          advance();
          if (tok.type == Tok.NIL) {
            advance();
            return new Expr.Literal(Value.FALSE);
          }
          return unary(op, parseField(3));
        }
      default:
        return parsePrimary();
    }
  }

  private Expr parsePrimary() {
    switch (tok.type) {
      case OPEN_PARENS:
        {
          advance();
          Expr e = parseField(1);
          expect(Tok.CLOSE_PARENS);
          return e;
        }
      case STRING:
      case INTEGER:
      case FLOAT:
      case DURATION:
      case TRUE:
      case FALSE:
      case STATUS_OK:
      case STATUS_ERROR:
      case STATUS_UNSET:
      case KIND_UNSPECIFIED:
      case KIND_INTERNAL:
      case KIND_SERVER:
      case KIND_CLIENT:
      case KIND_PRODUCER:
      case KIND_CONSUMER:
      case IDENTIFIER:
        return new Expr.Literal(parseStatic());
      default:
        return new Expr.AttrRef(parseAttributeOnly());
    }
  }

  private Value parseStatic() {
    Token t = tok;
    Value v;
    switch (t.type) {
      case STRING:
        v = Value.ofString(t.str);
        break;
      case INTEGER:
        v = Value.ofInt(t.longValue);
        break;
      case FLOAT:
        v = Value.ofFloat(t.floatValue);
        break;
      case DURATION:
        v = Value.ofDuration(t.longValue);
        break;
      case TRUE:
        v = Value.TRUE;
        break;
      case FALSE:
        v = Value.FALSE;
        break;
      case STATUS_OK:
        v = Value.ofStatus(Value.STATUS_OK);
        break;
      case STATUS_ERROR:
        v = Value.ofStatus(Value.STATUS_ERROR);
        break;
      case STATUS_UNSET:
        v = Value.ofStatus(Value.STATUS_UNSET);
        break;
      case KIND_UNSPECIFIED:
        v = Value.ofKind(Value.KIND_UNSPECIFIED);
        break;
      case KIND_INTERNAL:
        v = Value.ofKind(Value.KIND_INTERNAL);
        break;
      case KIND_SERVER:
        v = Value.ofKind(Value.KIND_SERVER);
        break;
      case KIND_CLIENT:
        v = Value.ofKind(Value.KIND_CLIENT);
        break;
      case KIND_PRODUCER:
        v = Value.ofKind(Value.KIND_PRODUCER);
        break;
      case KIND_CONSUMER:
        v = Value.ofKind(Value.KIND_CONSUMER);
        break;
      case IDENTIFIER:
        if (t.str.equals("minInt")) {
          v = Value.ofInt(Long.MIN_VALUE);
        } else if (t.str.equals("maxInt")) {
          v = Value.ofInt(Long.MAX_VALUE);
        } else {
          advance();
          throw new TraceQLParseException("unknown identifier: " + t.str, tok.line, tok.col);
        }
        break;
      default:
        throw unexpected();
    }
    advance();
    return v;
  }

  /** intrinsicField | attributeField | scopedIntrinsicField. */
  private Attribute parseAttributeOnly() {
    Token t = tok;
    switch (t.type) {
      case IDURATION:
        advance();
        return Attribute.intrinsic(Intrinsic.DURATION);
      case NAME:
        advance();
        return Attribute.intrinsic(Intrinsic.NAME);
      case STATUS:
        advance();
        return Attribute.intrinsic(Intrinsic.STATUS);
      case STATUS_MESSAGE:
        advance();
        return Attribute.intrinsic(Intrinsic.STATUS_MESSAGE);
      case KIND:
        advance();
        return Attribute.intrinsic(Intrinsic.KIND);
      case ROOTNAME:
        advance();
        return Attribute.intrinsic(Intrinsic.TRACE_ROOT_SPAN);
      case ROOTSERVICENAME:
        advance();
        return Attribute.intrinsic(Intrinsic.TRACE_ROOT_SERVICE);
      case TRACEDURATION:
        advance();
        return Attribute.intrinsic(Intrinsic.TRACE_DURATION);
      case PARENT:
      case NESTEDSETLEFT:
      case NESTEDSETRIGHT:
      case NESTEDSETPARENT:
        advance();
        unsupported("intrinsic (" + t.type.text + ")");
        return Attribute.of(Scope.NONE, t.type.text);
      case TRACE_COLON:
        advance();
        return scoped(
            "trace:",
            new Tok[] {Tok.IDURATION, Tok.ROOTNAME, Tok.ROOTSERVICE, Tok.ID},
            new Intrinsic[] {
              Intrinsic.TRACE_DURATION, Intrinsic.TRACE_ROOT_SPAN, Intrinsic.TRACE_ROOT_SERVICE, Intrinsic.TRACE_ID
            });
      case SPAN_COLON:
        advance();
        return scoped(
            "span:",
            new Tok[] {
              Tok.IDURATION, Tok.NAME, Tok.KIND, Tok.STATUS, Tok.STATUS_MESSAGE, Tok.ID, Tok.PARENT_ID, Tok.CHILDCOUNT
            },
            new Intrinsic[] {
              Intrinsic.DURATION,
              Intrinsic.NAME,
              Intrinsic.KIND,
              Intrinsic.STATUS,
              Intrinsic.STATUS_MESSAGE,
              Intrinsic.SPAN_ID,
              Intrinsic.PARENT_ID,
              null
            });
      case EVENT_COLON:
        advance();
        return scoped("event:", new Tok[] {Tok.NAME, Tok.TIMESINCESTART}, new Intrinsic[] {null, null});
      case LINK_COLON:
        advance();
        return scoped("link:", new Tok[] {Tok.TRACE_ID, Tok.SPAN_ID}, new Intrinsic[] {null, null});
      case INSTRUMENTATION_COLON:
        advance();
        return scoped("instrumentation:", new Tok[] {Tok.NAME, Tok.VERSION}, new Intrinsic[] {null, null});
      case DOT:
        advance();
        return attributeName(Scope.NONE, null);
      case SPAN_DOT:
        advance();
        return attributeName(Scope.SPAN, null);
      case RESOURCE_DOT:
        advance();
        return attributeName(Scope.RESOURCE, null);
      case PARENT_DOT:
        {
          advance();
          String prefix = "parent.";
          if (tok.type == Tok.SPAN_DOT || tok.type == Tok.RESOURCE_DOT) {
            prefix += tok.type.text;
            advance();
          } else if (tok.type != Tok.IDENTIFIER) {
            throw unexpected("IDENTIFIER", "resource.", "span.");
          }
          Attribute a = attributeName(Scope.NONE, null);
          unsupported("parent (" + prefix + a.name() + ")");
          return a;
        }
      case EVENT_DOT:
      case LINK_DOT:
      case INSTRUMENTATION_DOT:
        {
          advance();
          Attribute a = attributeName(Scope.NONE, null);
          unsupported("attribute scope " + t.type.text + " (" + t.type.text + a.name() + ")");
          return a;
        }
      default:
        throw unexpected();
    }
  }

  private Attribute scoped(String scope, Tok[] names, Intrinsic[] intrinsics) {
    for (int i = 0; i < names.length; i++) {
      if (tok.type == names[i]) {
        advance();
        if (intrinsics[i] == null) {
          unsupported("intrinsic (" + scope + names[i].text + ")");
          return Attribute.of(Scope.NONE, scope + names[i].text);
        }
        return Attribute.intrinsic(intrinsics[i]);
      }
    }
    throw unexpected();
  }

  private Attribute attributeName(Scope scope, String unused) {
    if (tok.type != Tok.IDENTIFIER) {
      throw unexpected("IDENTIFIER");
    }
    String name = tok.str;
    advance();
    expect(Tok.END_ATTRIBUTE);
    return Attribute.of(scope, name);
  }

  // ---- node construction with Tempo's constant folding

  private Expr binary(Op op, Expr lhs, Expr rhs) {
    countNode();
    if (lhs instanceof Expr.AttrRef && ((Expr.AttrRef) lhs).attribute.intrinsic() == Intrinsic.TRACE_ID) {
      rhs = normalizeTraceId(rhs);
    }
    if (rhs instanceof Expr.AttrRef && ((Expr.AttrRef) rhs).attribute.intrinsic() == Intrinsic.TRACE_ID) {
      lhs = normalizeTraceId(lhs);
    }
    Expr.Binary b = new Expr.Binary(op, lhs, rhs);
    return fold(b);
  }

  private static Expr normalizeTraceId(Expr e) {
    if (e instanceof Expr.Literal && ((Expr.Literal) e).value.type() == Value.Type.STRING) {
      String s = ((Expr.Literal) e).value.asString();
      int i = 0;
      while (i < s.length() && s.charAt(i) == '0') {
        i++;
      }
      return new Expr.Literal(Value.ofString(s.substring(i)));
    }
    return e;
  }

  private Expr unary(Op op, Expr e) {
    countNode();
    return fold(new Expr.Unary(op, e));
  }

  private static Expr fold(Expr e) {
    if (e.referencesSpan()) {
      return e;
    }
    try {
      e.validate();
    } catch (TraceQLParseException invalid) {
      return e; // reported by the final validation
    }
    try {
      return new Expr.Literal(e.eval(null, -1));
    } catch (RuntimeException notFoldable) {
      return e;
    }
  }
}
