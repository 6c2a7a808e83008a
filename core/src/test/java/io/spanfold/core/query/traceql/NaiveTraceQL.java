package io.spanfold.core.query.traceql;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The reference for differential tests: a random trace model, a random query AST that renders to TraceQL text, and the
 * simplest possible evaluator of that AST over the model (no indexes, no sharing with production code). Production
 * parses the rendered text and evaluates over the trace's OTLP bytes; both must agree.
 */
final class NaiveTraceQL {
  private NaiveTraceQL() {}

  // ---------------------------------------------------------------- model

  /** A duration value (distinct from an int). */
  record Dur(long nanos) {}

  record Keyword(String type, String word) {}

  record NSpan(long id, long parent, String name, int kind, int status, long start, long end,
      Map<String, Object> attrs, int resource) {}

  record NTrace(long hi, long lo, List<NSpan> spans, List<Map<String, Object>> resources) {
    OtlpTraceView toView() {
      OtlpTraceView.Builder b = OtlpTraceView.builder();
      List<byte[]> res = new ArrayList<>();
      for (Map<String, Object> r : resources) {
        Resource.Builder rb = Resource.newBuilder();
        r.forEach((k, v) -> rb.addAttributes(kv(k, v)));
        res.add(rb.build().toByteArray());
      }
      byte[] tid = ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
      for (NSpan s : spans) {
        Span.Builder sb = Span.newBuilder()
            .setTraceId(ByteString.copyFrom(tid))
            .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(s.id).array()))
            .setName(s.name)
            .setKindValue(s.kind)
            .setStartTimeUnixNano(s.start)
            .setEndTimeUnixNano(s.end)
            .setStatus(Status.newBuilder().setCodeValue(s.status));
        if (s.parent != 0) {
          sb.setParentSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(s.parent).array()));
        }
        s.attrs.forEach((k, v) -> sb.addAttributes(kv(k, v)));
        b.addSpan(sb.build().toByteArray(), res.get(s.resource));
      }
      return b.build();
    }
  }

  private static KeyValue kv(String k, Object v) {
    AnyValue.Builder a = AnyValue.newBuilder();
    if (v instanceof String) {
      a.setStringValue((String) v);
    } else if (v instanceof Long) {
      a.setIntValue((Long) v);
    } else if (v instanceof Double) {
      a.setDoubleValue((Double) v);
    } else if (v instanceof Boolean) {
      a.setBoolValue((Boolean) v);
    }
    return KeyValue.newBuilder().setKey(k).setValue(a).build();
  }

  static final String[] NAMES = {"GET /", "POST /x", "db.query", "GET /x"};
  static final String[] SERVICES = {"api", "db", "web"};
  static final Object[] A_VALUES = {"x", "y", "xy", "", 5L, 1L, 0.5, true};
  static final Object[] NUM_VALUES = {1L, 5L, -1L, 0.5, 5.0};
  static final long[] DURS = {0, 1_000_000L, 5_000_000L, 100_000_000L, 1_000_000_000L};

  static NTrace randomTrace(Random r) {
    List<Map<String, Object>> resources = new ArrayList<>();
    int nres = 1 + r.nextInt(3);
    for (int i = 0; i < nres; i++) {
      Map<String, Object> m = new LinkedHashMap<>();
      if (r.nextInt(6) > 0) {
        m.put("service.name", SERVICES[r.nextInt(SERVICES.length)]);
      }
      if (r.nextBoolean()) {
        m.put("a", A_VALUES[r.nextInt(A_VALUES.length)]);
      }
      resources.add(m);
    }
    int n = 1 + r.nextInt(9);
    List<NSpan> spans = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long id = 100 + i;
      long parent;
      int p = r.nextInt(10);
      if (i == 0 || p == 0) {
        parent = 0; // root (several roots possible)
      } else if (p == 1) {
        parent = 999; // orphan: parent never arrives
      } else {
        parent = 100 + r.nextInt(i);
      }
      Map<String, Object> attrs = new LinkedHashMap<>();
      if (r.nextInt(3) > 0) {
        attrs.put("a", A_VALUES[r.nextInt(A_VALUES.length)]);
      }
      if (r.nextBoolean()) {
        attrs.put("num", NUM_VALUES[r.nextInt(NUM_VALUES.length)]);
      }
      long start = 1_000_000_000L + r.nextInt(1000) * 1_000_000L;
      long end = start + DURS[r.nextInt(DURS.length)];
      spans.add(new NSpan(id, parent, NAMES[r.nextInt(NAMES.length)], r.nextInt(6), r.nextInt(3), start, end, attrs,
          r.nextInt(nres)));
    }
    // shuffle span order so tree order and index order differ
    java.util.Collections.shuffle(spans, r);
    return new NTrace(r.nextLong(), r.nextLong(), spans, resources);
  }

  // ---------------------------------------------------------------- query AST

  /** An attribute reference: scope "span", "resource", "" (unscoped) or "intrinsic". */
  record Attr(String scope, String name) {
    String render() {
      switch (scope) {
        case "span":
          return "span." + name;
        case "resource":
          return "resource." + name;
        case "":
          return "." + name;
        default:
          return name;
      }
    }
  }

  interface Cond {
    String render();
  }

  record Cmp(Attr attr, String op, Object literal) implements Cond {
    public String render() {
      return attr.render() + " " + op + " " + lit(literal);
    }
  }

  record Exists(Attr attr, boolean exists) implements Cond {
    public String render() {
      return attr.render() + (exists ? " != nil" : " = nil");
    }
  }

  record And(Cond l, Cond r) implements Cond {
    public String render() {
      return "(" + l.render() + ") && (" + r.render() + ")";
    }
  }

  record Or(Cond l, Cond r) implements Cond {
    public String render() {
      return "(" + l.render() + ") || (" + r.render() + ")";
    }
  }

  record Not(Cond c) implements Cond {
    public String render() {
      return "!(" + c.render() + ")";
    }
  }

  record True() implements Cond {
    public String render() {
      return "true";
    }
  }

  interface SsExpr {
    String render();
  }

  record Filter(Cond cond) implements SsExpr {
    public String render() {
      return cond instanceof True ? "{}" : "{ " + cond.render() + " }";
    }
  }

  record SsOp(String op, SsExpr l, SsExpr r) implements SsExpr {
    public String render() {
      return "(" + l.render() + ") " + op + " (" + r.render() + ")";
    }
  }

  interface Stage {
    String render();
  }

  record ExprStage(SsExpr e) implements Stage {
    public String render() {
      return e.render();
    }
  }

  record Agg(String fn, Attr arg, String op, Object literal) implements Stage {
    public String render() {
      return fn + "(" + (arg == null ? "" : arg.render()) + ") " + op + " " + lit(literal);
    }

    String attrName() {
      return fn + "(" + (arg == null ? "" : arg.render()) + ")";
    }
  }

  record By(Attr attr) implements Stage {
    public String render() {
      return "by(" + attr.render() + ")";
    }
  }

  record Coalesce() implements Stage {
    public String render() {
      return "coalesce()";
    }
  }

  record Select(Attr attr) implements Stage {
    public String render() {
      return "select(" + attr.render() + ")";
    }
  }

  record Pipeline(List<Stage> stages) {
    String render() {
      StringBuilder sb = new StringBuilder();
      for (Stage s : stages) {
        if (sb.length() > 0) {
          sb.append(" | ");
        }
        sb.append(s.render());
      }
      return sb.toString();
    }
  }

  static String lit(Object o) {
    if (o instanceof String) {
      return "\"" + ((String) o).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    if (o instanceof Dur) {
      long ns = ((Dur) o).nanos;
      return ns % 1_000_000L == 0 ? (ns / 1_000_000L) + "ms" : ns + "ns";
    }
    if (o instanceof Keyword) {
      return ((Keyword) o).word;
    }
    if (o instanceof Double) {
      return Double.toString((Double) o);
    }
    return String.valueOf(o);
  }

  static final String[] STATUS = {"unset", "ok", "error"};
  static final String[] KINDS = {"unspecified", "internal", "server", "client", "producer", "consumer"};

  private static Object anyLiteral(Random r) {
    switch (r.nextInt(6)) {
      case 0:
        return new String[] {"x", "y", "xy", "", "GET /", "api"}[r.nextInt(6)];
      case 1:
        return new long[] {0, 1, 5, -1}[r.nextInt(4)];
      case 2:
        return new double[] {0.5, 1.0, 5.0}[r.nextInt(3)];
      case 3:
        return r.nextBoolean();
      case 4:
        return new Dur(DURS[r.nextInt(DURS.length)]);
      default:
        return r.nextBoolean() ? new Keyword("status", STATUS[r.nextInt(3)]) : new Keyword("kind", KINDS[r.nextInt(6)]);
    }
  }

  private static String opFor(Object lit, Random r) {
    if (lit instanceof String) {
      return new String[] {"=", "!=", "=~", "!~", "<", ">", ">=", "<="}[r.nextInt(8)];
    }
    if (lit instanceof Boolean || lit instanceof Keyword) {
      return r.nextBoolean() ? "=" : "!=";
    }
    return new String[] {"=", "!=", "<", ">", ">=", "<="}[r.nextInt(6)];
  }

  static Cond randomCond(Random r, int depth) {
    int k = depth <= 0 ? r.nextInt(2) : r.nextInt(6);
    switch (k) {
      case 0:
      case 1:
        return randomLeaf(r);
      case 2:
        return new And(randomCond(r, depth - 1), randomCond(r, depth - 1));
      case 3:
        return new Or(randomCond(r, depth - 1), randomCond(r, depth - 1));
      case 4:
        return new Not(randomCond(r, depth - 1));
      default:
        return randomLeaf(r);
    }
  }

  private static Cond randomLeaf(Random r) {
    switch (r.nextInt(14)) {
      case 0:
      case 1:
        {
          Attr a = new Attr(new String[] {"span", "resource", ""}[r.nextInt(3)], r.nextBoolean() ? "a" : "num");
          Object lit = anyLiteral(r);
          return new Cmp(a, opFor(lit, r), lit);
        }
      case 2:
        return new Cmp(new Attr("resource", "service.name"), r.nextBoolean() ? "=" : "!=", SERVICES[r.nextInt(3)]);
      case 3:
        {
          String op = new String[] {"=", "!=", "=~", "!~"}[r.nextInt(4)];
          String v = op.contains("~") ? new String[] {"GET.*", ".*x", "db\\..*", "(?i)get /"}[r.nextInt(4)]
              : NAMES[r.nextInt(NAMES.length)];
          return new Cmp(new Attr("intrinsic", "name"), op, v);
        }
      case 4:
        return new Cmp(new Attr("intrinsic", "status"), r.nextBoolean() ? "=" : "!=",
            new Keyword("status", STATUS[r.nextInt(3)]));
      case 5:
        return new Cmp(new Attr("intrinsic", "kind"), r.nextBoolean() ? "=" : "!=",
            new Keyword("kind", KINDS[r.nextInt(6)]));
      case 6:
      case 7:
        {
          Object lit = r.nextInt(4) == 0 ? (Object) 5_000_000L : new Dur(DURS[r.nextInt(DURS.length)]);
          return new Cmp(new Attr("intrinsic", r.nextInt(3) == 0 ? "traceDuration" : "duration"),
              new String[] {"=", "!=", "<", ">", ">=", "<="}[r.nextInt(6)], lit);
        }
      case 8:
        return new Cmp(new Attr("intrinsic", "rootServiceName"), r.nextBoolean() ? "=" : "!=", SERVICES[r.nextInt(3)]);
      case 9:
        return new Cmp(new Attr("intrinsic", "rootName"), "=", NAMES[r.nextInt(NAMES.length)]);
      case 10:
        return new Exists(new Attr(new String[] {"span", "resource", ""}[r.nextInt(3)], r.nextBoolean() ? "a" : "num"),
            r.nextBoolean());
      case 11:
        return new Cmp(new Attr("span", "a"), "=", new String[] {"x", "y"}[r.nextInt(2)]);
      default:
        return new True();
    }
  }

  static final String[] SS_OPS = {"&&", "||", ">", "<", ">>", "<<", "~", "!>", "!<", "!>>", "!<<", "!~",
      "&>", "&<", "&>>", "&<<", "&~"};

  static SsExpr randomSs(Random r, int depth) {
    if (depth <= 0 || r.nextInt(3) == 0) {
      return new Filter(randomCond(r, 2));
    }
    return new SsOp(SS_OPS[r.nextInt(SS_OPS.length)], randomSs(r, depth - 1), randomSs(r, depth - 1));
  }

  static Pipeline randomPipeline(Random r) {
    List<Stage> stages = new ArrayList<>();
    stages.add(new ExprStage(randomSs(r, 2)));
    int extra = r.nextInt(3);
    for (int i = 0; i < extra; i++) {
      switch (r.nextInt(6)) {
        case 0:
          stages.add(new ExprStage(new Filter(randomCond(r, 1))));
          break;
        case 1:
          stages.add(new Agg("count", null, new String[] {">", ">=", "<", "<=", "=", "!="}[r.nextInt(6)],
              (long) r.nextInt(4)));
          break;
        case 2:
          {
            String fn = new String[] {"avg", "min", "max", "sum"}[r.nextInt(4)];
            boolean dur = r.nextBoolean();
            Attr arg = dur ? new Attr("intrinsic", "duration") : new Attr("span", "num");
            Object lit = dur ? new Dur(DURS[r.nextInt(DURS.length)]) : (Object) (long) r.nextInt(6);
            stages.add(new Agg(fn, arg, new String[] {">", ">=", "<", "<=", "=", "!="}[r.nextInt(6)], lit));
          }
          break;
        case 3:
          stages.add(new By(new Attr("resource", "service.name")));
          break;
        case 4:
          stages.add(new Coalesce());
          break;
        default:
          stages.add(new Select(new Attr("span", "a")));
      }
    }
    return new Pipeline(stages);
  }

  // ---------------------------------------------------------------- evaluator

  /** A result spanset: span indexes and named values ("count()" = 3L, "by(...)" = "api" or null). */
  record Result(TreeSet<Integer> spans, List<Map.Entry<String, Object>> attrs) {}

  static List<Result> evaluate(Pipeline p, NTrace t) {
    List<Result> cur = new ArrayList<>();
    TreeSet<Integer> all = new TreeSet<>();
    for (int i = 0; i < t.spans.size(); i++) {
      all.add(i);
    }
    cur.add(new Result(all, List.of()));
    for (Stage s : p.stages) {
      cur = stage(s, cur, t);
      if (cur.isEmpty()) {
        return cur;
      }
    }
    return cur;
  }

  private static List<Result> stage(Stage s, List<Result> in, NTrace t) {
    List<Result> out = new ArrayList<>();
    if (s instanceof ExprStage) {
      for (Result ss : in) {
        TreeSet<Integer> spans = ssEval(((ExprStage) s).e, ss.spans, t);
        if (!spans.isEmpty()) {
          out.add(new Result(spans, ss.attrs));
        }
      }
    } else if (s instanceof Agg) {
      Agg a = (Agg) s;
      for (Result ss : in) {
        Object v = aggregate(a, ss.spans, t);
        if (v != null && compare(v, a.op, a.literal)) {
          List<Map.Entry<String, Object>> attrs = new ArrayList<>(ss.attrs);
          attrs.add(Map.entry(a.attrName(), v));
          out.add(new Result(ss.spans, attrs));
        }
      }
    } else if (s instanceof By) {
      for (Result ss : in) {
        Map<Object, TreeSet<Integer>> groups = new LinkedHashMap<>();
        for (int i : ss.spans) {
          Object v = value(((By) s).attr, i, t);
          groups.computeIfAbsent(v == null ? "<nil>" : v, k -> new TreeSet<>()).add(i);
        }
        groups.forEach((k, v) -> {
          List<Map.Entry<String, Object>> attrs = new ArrayList<>(ss.attrs);
          attrs.add(Map.entry("by(" + ((By) s).attr.render() + ")", k));
          out.add(new Result(v, attrs));
        });
      }
    } else if (s instanceof Coalesce) {
      TreeSet<Integer> all = new TreeSet<>();
      in.forEach(ss -> all.addAll(ss.spans));
      out.add(new Result(all, List.of()));
    } else {
      out.addAll(in); // select
    }
    return out;
  }

  private static Object aggregate(Agg a, TreeSet<Integer> spans, NTrace t) {
    if (a.fn.equals("count")) {
      return (long) spans.size();
    }
    Object acc = null;
    long count = 0;
    for (int i : spans) {
      Object v = value(a.arg, i, t);
      if (!(v instanceof Long || v instanceof Double || v instanceof Dur)) {
        continue;
      }
      count++;
      if (acc == null) {
        acc = v;
      } else if (a.fn.equals("sum") || a.fn.equals("avg")) {
        // Tempo adds only values of the running sum's type
        if (acc instanceof Long && v instanceof Long) {
          acc = (Long) acc + (Long) v;
        } else if (acc instanceof Double && v instanceof Double) {
          acc = (Double) acc + (Double) v;
        } else if (acc instanceof Dur && v instanceof Dur) {
          acc = new Dur(((Dur) acc).nanos + ((Dur) v).nanos);
        }
      } else {
        int c = Double.compare(num(v), num(acc));
        if (a.fn.equals("max") ? c > 0 : c < 0) {
          acc = v;
        }
      }
    }
    if (acc == null) {
      return null;
    }
    if (a.fn.equals("avg")) {
      if (acc instanceof Long) {
        return (double) (Long) acc / count;
      }
      if (acc instanceof Dur) {
        return new Dur(((Dur) acc).nanos / count);
      }
      return (Double) acc / count;
    }
    return acc;
  }

  static double num(Object v) {
    if (v instanceof Long) {
      return (Long) v;
    }
    if (v instanceof Dur) {
      return ((Dur) v).nanos;
    }
    return (Double) v;
  }

  private static TreeSet<Integer> ssEval(SsExpr e, TreeSet<Integer> input, NTrace t) {
    if (e instanceof Filter) {
      TreeSet<Integer> out = new TreeSet<>();
      for (int i : input) {
        if (cond(((Filter) e).cond, i, t)) {
          out.add(i);
        }
      }
      return out;
    }
    SsOp op = (SsOp) e;
    TreeSet<Integer> l = ssEval(op.l, input, t);
    TreeSet<Integer> r = ssEval(op.r, input, t);
    TreeSet<Integer> out = new TreeSet<>();
    switch (op.op) {
      case "&&":
        if (!l.isEmpty() && !r.isEmpty()) {
          out.addAll(l);
          out.addAll(r);
        }
        return out;
      case "||":
        out.addAll(l);
        out.addAll(r);
        return out;
      default:
        break;
    }
    if (r.isEmpty()) {
      return out;
    }
    String rel = op.op.replace("!", "").replace("&", "");
    boolean not = op.op.startsWith("!");
    boolean union = op.op.startsWith("&");
    for (int b : r) {
      boolean any = false;
      for (int a : l) {
        if (related(rel, a, b, t)) {
          any = true;
          if (union) {
            out.add(a);
          }
        }
      }
      if (any != not) {
        out.add(b);
      }
    }
    return out;
  }

  /** Does right span b stand in relation rel to left span a? ("&lt;" etc. read as in TraceQL "a rel b"). */
  private static boolean related(String rel, int a, int b, NTrace t) {
    switch (rel) {
      case ">":
        return parentOf(b, t) == a;
      case "<":
        return parentOf(a, t) == b;
      case ">>":
        return isAncestor(a, b, t);
      case "<<":
        return isAncestor(b, a, t);
      case "~":
        return a != b && connected(a, t) && connected(b, t) && parentOf(a, t) == parentOf(b, t);
      default:
        throw new AssertionError(rel);
    }
  }

  /** Index of the parent span, -1 for a root or an orphan, -2 when disconnected from every root. */
  static int parentOf(int s, NTrace t) {
    if (!connected(s, t)) {
      return -2 - s - 1000; // unique per span: never equal to anything else
    }
    long pid = t.spans.get(s).parent;
    for (int i = 0; i < t.spans.size(); i++) {
      if (t.spans.get(i).id == pid) {
        return i;
      }
    }
    return -1;
  }

  /** Reaches a root (parent 0) by following parents. */
  static boolean connected(int s, NTrace t) {
    int cur = s;
    for (int steps = 0; steps <= t.spans.size(); steps++) {
      long pid = t.spans.get(cur).parent;
      if (pid == 0) {
        return true;
      }
      int next = -1;
      for (int i = 0; i < t.spans.size(); i++) {
        if (t.spans.get(i).id == pid) {
          next = i;
        }
      }
      if (next < 0) {
        return false;
      }
      cur = next;
    }
    return false;
  }

  private static boolean isAncestor(int anc, int desc, NTrace t) {
    if (!connected(desc, t)) {
      return false;
    }
    int cur = parentOf(desc, t);
    while (cur >= 0) {
      if (cur == anc) {
        return true;
      }
      cur = parentOf(cur, t);
    }
    return false;
  }

  static boolean cond(Cond c, int s, NTrace t) {
    if (c instanceof True) {
      return true;
    }
    if (c instanceof And) {
      return cond(((And) c).l, s, t) && cond(((And) c).r, s, t);
    }
    if (c instanceof Or) {
      return cond(((Or) c).l, s, t) || cond(((Or) c).r, s, t);
    }
    if (c instanceof Not) {
      return !cond(((Not) c).c, s, t);
    }
    if (c instanceof Exists) {
      return (value(((Exists) c).attr, s, t) != null) == ((Exists) c).exists;
    }
    Cmp cmp = (Cmp) c;
    Object v = value(cmp.attr, s, t);
    return v != null && compare(v, cmp.op, cmp.literal);
  }

  static Object value(Attr a, int s, NTrace t) {
    NSpan span = t.spans.get(s);
    Map<String, Object> res = t.resources.get(span.resource);
    switch (a.scope) {
      case "span":
        return span.attrs.get(a.name);
      case "resource":
        return res.get(a.name);
      case "":
        return span.attrs.containsKey(a.name) ? span.attrs.get(a.name) : res.get(a.name);
      default:
        break;
    }
    NSpan root = null;
    for (NSpan x : t.spans) {
      if (x.parent == 0) {
        root = x; // first root in span order
        break;
      }
    }
    switch (a.name) {
      case "name":
        return span.name;
      case "status":
        return new Keyword("status", STATUS[span.status]);
      case "kind":
        return new Keyword("kind", KINDS[span.kind]);
      case "duration":
        return new Dur(span.end - span.start);
      case "traceDuration":
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (NSpan x : t.spans) {
          min = Math.min(min, x.start);
          max = Math.max(max, x.end);
        }
        return new Dur(max - min);
      case "rootName":
        return root == null ? null : root.name;
      case "rootServiceName":
        return root == null ? null : t.resources.get(root.resource).get("service.name");
      default:
        throw new AssertionError(a);
    }
  }

  /** TraceQL comparison of a present value with a literal; type mismatches are false. */
  static boolean compare(Object v, String op, Object lit) {
    if (v instanceof String && lit instanceof String) {
      String a = (String) v;
      String b = (String) lit;
      switch (op) {
        case "=":
          return a.equals(b);
        case "!=":
          return !a.equals(b);
        case "=~":
          return Pattern.compile(b, Pattern.DOTALL).matcher(a).matches();
        case "!~":
          return !Pattern.compile(b, Pattern.DOTALL).matcher(a).matches();
        default:
          return ordered(a.compareTo(b), op);
      }
    }
    boolean vn = v instanceof Long || v instanceof Double || v instanceof Dur;
    boolean ln = lit instanceof Long || lit instanceof Double || lit instanceof Dur;
    if (vn && ln) {
      boolean integral = !(v instanceof Double) && !(lit instanceof Double);
      switch (op) {
        case "=":
          return integral ? (long) num(v) == (long) num(lit) : num(v) == num(lit);
        case "!=":
          return integral ? (long) num(v) != (long) num(lit) : num(v) != num(lit);
        default:
          return ordered(Double.compare(num(v), num(lit)), op);
      }
    }
    if (v instanceof Boolean && lit instanceof Boolean || v instanceof Keyword && lit instanceof Keyword
        && ((Keyword) v).type.equals(((Keyword) lit).type)) {
      return op.equals("=") == v.equals(lit);
    }
    return false;
  }

  private static boolean ordered(int c, String op) {
    switch (op) {
      case "<":
        return c < 0;
      case "<=":
        return c <= 0;
      case ">":
        return c > 0;
      case ">=":
        return c >= 0;
      default:
        throw new AssertionError(op);
    }
  }
}
