package io.spanfold.core.query.traceql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Differential property test: random traces and random queries covering the grammar (filters with every operator and
 * literal type, intrinsics, scopes, nil checks, all spanset operators, count/avg/min/max/sum, by, coalesce, select) give
 * identical spansets from {@link Query#evaluate} over OTLP bytes and from {@link NaiveTraceQL}'s direct interpretation
 * of the query AST over the trace model. The indexed engine will be held to the same oracle.
 */
class TraceQLDifferentialTest {

  @Property(tries = 3000)
  void evaluatorAgreesWithNaiveReference(@ForAll long seed) {
    Random r = new Random(seed);
    NaiveTraceQL.NTrace trace = NaiveTraceQL.randomTrace(r);
    NaiveTraceQL.Pipeline pipeline = NaiveTraceQL.randomPipeline(r);
    String text = pipeline.render();
    Query q = TraceQL.parse(text);
    List<String> expected = canonicalNaive(NaiveTraceQL.evaluate(pipeline, trace));
    List<String> actual = canonical(q.evaluate(trace.toView()));
    assertThat(actual).as("query %s (canonical %s) on %s", text, q, trace).isEqualTo(expected);
  }

  @Property(tries = 1000)
  void requiredConditionsHoldOnEveryMatchingTrace(@ForAll long seed) {
    Random r = new Random(seed);
    NaiveTraceQL.NTrace trace = NaiveTraceQL.randomTrace(r);
    Query q = TraceQL.parse(NaiveTraceQL.randomPipeline(r).render());
    OtlpTraceView view = trace.toView();
    if (q.evaluate(view).isEmpty()) {
      return;
    }
    for (Condition c : q.requiredConditions()) {
      // a trace matching the query has a span satisfying each required condition
      Query single = TraceQL.parse("{ " + c + " }");
      assertThat(single.evaluate(view)).as("condition %s of %s", c, q).isNotEmpty();
    }
  }

  private static List<String> canonical(List<Spanset> sets) {
    List<String> out = new ArrayList<>();
    for (Spanset s : sets) {
      StringBuilder sb = new StringBuilder(java.util.Arrays.toString(s.spans()));
      for (Spanset.SpansetAttribute a : s.attributes()) {
        sb.append(' ').append(a.name()).append('=').append(value(a.value()));
      }
      out.add(sb.toString());
    }
    out.sort(null);
    return out;
  }

  private static String value(Value v) {
    switch (v.type()) {
      case INT:
        return "int:" + v.asLong();
      case FLOAT:
        return "float:" + v.asDouble();
      case DURATION:
        return "dur:" + v.asLong();
      case STRING:
        return "str:" + v.asString();
      case NIL:
        return "nil";
      default:
        return v.toString();
    }
  }

  private static List<String> canonicalNaive(List<NaiveTraceQL.Result> sets) {
    List<String> out = new ArrayList<>();
    for (NaiveTraceQL.Result s : sets) {
      StringBuilder sb = new StringBuilder(s.spans().toString());
      for (Map.Entry<String, Object> a : s.attrs()) {
        sb.append(' ').append(a.getKey()).append('=').append(naiveValue(a.getValue()));
      }
      out.add(sb.toString());
    }
    out.sort(null);
    return out;
  }

  private static String naiveValue(Object o) {
    if (o instanceof Long) {
      return "int:" + o;
    }
    if (o instanceof Double) {
      return "float:" + o;
    }
    if (o instanceof NaiveTraceQL.Dur) {
      return "dur:" + ((NaiveTraceQL.Dur) o).nanos();
    }
    if ("<nil>".equals(o)) {
      return "nil";
    }
    return "str:" + o;
  }
}
