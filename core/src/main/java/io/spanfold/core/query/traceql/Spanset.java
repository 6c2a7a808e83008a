package io.spanfold.core.query.traceql;

import java.util.List;

/**
 * One result of a query on one trace: the matching spans (indexes into the {@link TraceView}, ascending) and the
 * spanset attributes that {@code by(...)} and aggregates add, in the order they were added (e.g.
 * {@code by(resource.service.name)}, {@code count()}). The HTTP layer reports {@code matched} = {@link #matched()} and
 * shows at most {@code spss} spans.
 */
public final class Spanset {
  /** A named value attached to a spanset ({@code "count()" = 3}). */
  public static final class SpansetAttribute {
    private final String name;
    private final Value value;

    public SpansetAttribute(String name, Value value) {
      this.name = name;
      this.value = value;
    }

    public String name() {
      return name;
    }

    public Value value() {
      return value;
    }

    @Override
    public String toString() {
      return name + "=" + value;
    }
  }

  private final int[] spans;
  private final List<SpansetAttribute> attributes;

  public Spanset(int[] spans, List<SpansetAttribute> attributes) {
    this.spans = spans.clone();
    this.attributes = List.copyOf(attributes);
  }

  /** Span indexes, ascending. */
  public int[] spans() {
    return spans.clone();
  }

  public int matched() {
    return spans.length;
  }

  public List<SpansetAttribute> attributes() {
    return attributes;
  }

  @Override
  public String toString() {
    return java.util.Arrays.toString(spans) + (attributes.isEmpty() ? "" : attributes.toString());
  }
}
