package io.spanfold.core.query.traceql.internal;

import io.spanfold.core.query.traceql.Attribute;
import io.spanfold.core.query.traceql.Condition;
import io.spanfold.core.query.traceql.Spanset;
import io.spanfold.core.query.traceql.TraceView;
import io.spanfold.core.query.traceql.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Internal, unstable: a parsed, validated query. */
public final class ParsedQuery {
  private final Stage root;
  private final Map<String, Value> hints;
  private final List<Condition> requirements;
  private final List<Attribute> attributes;

  ParsedQuery(Stage root, Map<String, Value> hints) {
    this.root = root;
    this.hints = Collections.unmodifiableMap(hints);
    List<Condition> req = new ArrayList<>();
    root.requirements(req);
    this.requirements = List.copyOf(req);
    List<Attribute> attrs = new ArrayList<>();
    root.attributes(attrs);
    this.attributes = List.copyOf(attrs);
  }

  public List<Spanset> evaluate(TraceView view) {
    int n = view.spanCount();
    if (n == 0) {
      return List.of();
    }
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    EvalContext ctx = new EvalContext(view);
    List<SS> out = root.evaluate(List.of(new SS(all, List.of(), null)), ctx);
    List<Spanset> result = new ArrayList<>(out.size());
    for (SS ss : out) {
      if (ss.spans.length > 0) {
        result.add(ss.toSpanset());
      }
    }
    return result;
  }

  public Map<String, Value> hints() {
    return hints;
  }

  public List<Condition> requirements() {
    return requirements;
  }

  public List<Attribute> attributes() {
    return attributes;
  }

  /** True when the query is a single match-everything filter ({@code {}} / {@code { true }}). */
  public boolean matchesAll() {
    return toString().equals("{ true }");
  }

  /** True when the query can never match ({@code { false }} …). */
  public boolean isNoop() {
    return toString().equals("{ false }");
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
