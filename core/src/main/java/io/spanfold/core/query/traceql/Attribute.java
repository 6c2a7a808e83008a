package io.spanfold.core.query.traceql;

import java.util.Objects;

/**
 * What a query reads from a span: an attribute by scope and key ({@code span.http.method}, {@code resource.service.name},
 * unscoped {@code .x} = span attribute, else resource attribute) or an intrinsic ({@code name}, {@code duration}, …).
 */
public final class Attribute {
  /** Where an attribute is looked up. */
  public enum Scope {
    /** Unscoped {@code .x}: the span's attribute, else its resource's. */
    NONE,
    SPAN,
    RESOURCE
  }

  /** Intrinsic fields, named as Tempo prints them. */
  public enum Intrinsic {
    DURATION("duration"),
    NAME("name"),
    STATUS("status"),
    STATUS_MESSAGE("statusMessage"),
    KIND("kind"),
    TRACE_ROOT_SERVICE("rootServiceName"),
    TRACE_ROOT_SPAN("rootName"),
    TRACE_DURATION("traceDuration"),
    TRACE_ID("trace:id"),
    SPAN_ID("span:id"),
    PARENT_ID("span:parentID");

    private final String text;

    Intrinsic(String text) {
      this.text = text;
    }

    /** Tempo's name for it ({@code rootServiceName}, {@code span:id} …). */
    public String text() {
      return text;
    }

    /** True for fields of the whole trace (same value on every span). */
    public boolean isTraceLevel() {
      return this == TRACE_ROOT_SERVICE || this == TRACE_ROOT_SPAN || this == TRACE_DURATION || this == TRACE_ID;
    }

    /** The value type of this intrinsic. */
    public Value.Type type() {
      switch (this) {
        case DURATION:
        case TRACE_DURATION:
          return Value.Type.DURATION;
        case STATUS:
          return Value.Type.STATUS;
        case KIND:
          return Value.Type.KIND;
        default:
          return Value.Type.STRING;
      }
    }
  }

  private final Scope scope;
  private final String name;
  private final Intrinsic intrinsic;

  private Attribute(Scope scope, String name, Intrinsic intrinsic) {
    this.scope = scope;
    this.name = name;
    this.intrinsic = intrinsic;
  }

  /** An attribute: {@code span.name}, {@code resource.name} or unscoped {@code .name}. */
  public static Attribute of(Scope scope, String name) {
    return new Attribute(Objects.requireNonNull(scope, "scope"), Objects.requireNonNull(name, "name"), null);
  }

  public static Attribute intrinsic(Intrinsic intrinsic) {
    return new Attribute(Scope.NONE, intrinsic.text(), Objects.requireNonNull(intrinsic, "intrinsic"));
  }

  public Scope scope() {
    return scope;
  }

  /** The attribute key (for an intrinsic: its Tempo name). */
  public String name() {
    return name;
  }

  /** The intrinsic, or null for an attribute. */
  public Intrinsic intrinsic() {
    return intrinsic;
  }

  public boolean isIntrinsic() {
    return intrinsic != null;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Attribute)) {
      return false;
    }
    Attribute a = (Attribute) o;
    return scope == a.scope && name.equals(a.name) && intrinsic == a.intrinsic;
  }

  @Override
  public int hashCode() {
    return Objects.hash(scope, name, intrinsic);
  }

  /** TraceQL form: {@code span.http.method}, {@code .x}, {@code name}; names that need it are quoted. */
  @Override
  public String toString() {
    if (intrinsic != null) {
      return intrinsic.text();
    }
    String key = needsQuotes(name) ? quote(name) : name;
    switch (scope) {
      case SPAN:
        return "span." + key;
      case RESOURCE:
        return "resource." + key;
      default:
        return "." + key;
    }
  }

  private static boolean needsQuotes(String s) {
    if (s.isEmpty()) {
      return true;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c) || "{}()=~!<>&|^,\"".indexOf(c) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
