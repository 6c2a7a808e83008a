package io.spanfold.core.search;

import java.util.Objects;

/** A typed tag value as Tempo's v2 tag-values API lists it: type {@code string|int|float|bool|duration|keyword}. */
public final class TagValue implements Comparable<TagValue> {
  private final String type;
  private final String value;

  public TagValue(String type, String value) {
    this.type = Objects.requireNonNull(type, "type");
    this.value = Objects.requireNonNull(value, "value");
  }

  public String type() {
    return type;
  }

  public String value() {
    return value;
  }

  @Override
  public int compareTo(TagValue o) {
    int c = value.compareTo(o.value);
    return c != 0 ? c : type.compareTo(o.type);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TagValue && ((TagValue) o).type.equals(type) && ((TagValue) o).value.equals(value);
  }

  @Override
  public int hashCode() {
    return type.hashCode() * 31 + value.hashCode();
  }

  @Override
  public String toString() {
    return type + ":" + value;
  }
}
