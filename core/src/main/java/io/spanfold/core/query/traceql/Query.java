package io.spanfold.core.query.traceql;

import io.spanfold.core.query.traceql.internal.EvalContext;
import io.spanfold.core.query.traceql.internal.ParsedQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A parsed TraceQL search query. Immutable and thread-safe: {@link #evaluate} may be called concurrently on different
 * traces.
 *
 * <p>Planner hook: {@link #requiredConditions()} lists predicates that every matching trace satisfies on at least one
 * of its spans (trace-level intrinsics on the trace), so an index may drop candidate traces failing any of them before
 * calling {@link #evaluate}; the list is sound, not complete (an empty list means "no narrowing possible").
 */
public final class Query {
  private final String text;
  private final ParsedQuery parsed;

  Query(String text, ParsedQuery parsed) {
    this.text = text;
    this.parsed = parsed;
  }

  /** The query as given. */
  public String text() {
    return text;
  }

  /**
   * Evaluates the query on one trace. Returns the spansets Tempo would return for it (empty: the trace does not match).
   * Spans are not truncated to {@code spss}: that is the caller's job.
   */
  public List<Spanset> evaluate(TraceView trace) {
    return parsed.evaluate(trace);
  }

  /** Conditions every matching trace satisfies on some span (see class doc). */
  public List<Condition> requiredConditions() {
    return parsed.requirements();
  }

  /** Every attribute and intrinsic the query reads, in order of appearance (filters, {@code by}, {@code select}). */
  public List<Attribute> attributes() {
    return parsed.attributes();
  }

  /** Hints given with {@code with(name=value, …)}; e.g. {@code most_recent=true}. Unknown hints are kept, unused. */
  public Map<String, Value> hints() {
    return parsed.hints();
  }

  /** True for {@code {}}: every trace matches, no span condition. */
  public boolean matchesAll() {
    return parsed.matchesAll();
  }

  /** True for queries that can never match (e.g. {@code { false }}); Tempo answers these without searching. */
  public boolean isNoop() {
    return parsed.isNoop();
  }

  /**
   * The attributes Tempo shows on a result span (its "fetched" attributes): the values of {@link #attributes()} on
   * that span, keyed by attribute name without scope, skipping absent values and the intrinsics Tempo leaves out
   * ({@code name}, {@code duration}, trace-level fields, ids).
   */
  public List<Spanset.SpansetAttribute> spanAttributes(TraceView trace, int span) {
    EvalContext ctx = new EvalContext(trace);
    List<Spanset.SpansetAttribute> out = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (Attribute a : parsed.attributes()) {
      Attribute.Intrinsic in = a.intrinsic();
      if (in == Attribute.Intrinsic.NAME
          || in == Attribute.Intrinsic.DURATION
          || in == Attribute.Intrinsic.SPAN_ID
          || (in != null && in.isTraceLevel())) {
        continue;
      }
      Value v = ctx.value(a, span);
      if (v.isNil() || seen.contains(a.name())) {
        continue;
      }
      seen.add(a.name());
      out.add(new Spanset.SpansetAttribute(a.name(), v));
    }
    return out;
  }

  /** Canonical form, as Tempo's AST stringer prints it (e.g. {@code { resource.service.name = `api` }}). */
  @Override
  public String toString() {
    return parsed.toString();
  }
}
