package io.spanfold.core.query.traceql.internal;

import io.spanfold.core.query.traceql.Spanset;
import io.spanfold.core.query.traceql.Value;
import java.util.ArrayList;
import java.util.List;

/** Internal, unstable: a spanset during evaluation — sorted span indexes, attributes, the last aggregate value. */
final class SS {
  final int[] spans;
  final List<Spanset.SpansetAttribute> attributes;
  final Value scalar;

  SS(int[] spans, List<Spanset.SpansetAttribute> attributes, Value scalar) {
    this.spans = spans;
    this.attributes = attributes;
    this.scalar = scalar;
  }

  SS withSpans(int[] newSpans) {
    return new SS(newSpans, attributes, scalar);
  }

  SS withAttribute(String name, Value value, Value newScalar) {
    List<Spanset.SpansetAttribute> a = new ArrayList<>(attributes.size() + 1);
    a.addAll(attributes);
    a.add(new Spanset.SpansetAttribute(name, value));
    return new SS(spans, a, newScalar);
  }

  Spanset toSpanset() {
    return new Spanset(spans, attributes);
  }
}
