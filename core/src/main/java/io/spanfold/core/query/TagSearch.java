package io.spanfold.core.query;

import io.spanfold.core.query.traceql.Attribute;
import io.spanfold.core.query.traceql.TraceView;
import io.spanfold.core.query.traceql.Value;
import io.spanfold.core.query.traceql.internal.Durations;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Tempo's legacy tag search ({@code /api/search?tags=…&minDuration=…&maxDuration=…} without {@code q}). Tempo 2.10 does
 * not turn tags into TraceQL; its block search ({@code tempodb/encoding/vparquet4/block_search.go}) applies, per tag:
 *
 * <ul>
 *   <li>{@code root.name}, {@code root.service.name}: case-sensitive substring of the trace's root span name / root
 *       service;
 *   <li>{@code service.name}, {@code cluster}, {@code namespace}, {@code pod}, {@code container},
 *       {@code k8s.cluster.name}, {@code k8s.namespace.name}, {@code k8s.pod.name}, {@code k8s.container.name}:
 *       case-sensitive substring of that resource attribute on some span's resource;
 *   <li>{@code name}, {@code http.method}, {@code http.url}: case-sensitive substring of some span's name / span
 *       attribute;
 *   <li>{@code http.status_code}: an integer value must equal some span's int attribute (a non-integer value is
 *       treated as a generic tag);
 *   <li>{@code status.code}: {@code unset|ok|error} must equal some span's status (an unknown word maps to unset, as a
 *       Go map miss does);
 *   <li>any other key: the value must equal exactly a string attribute with that key on a span or a resource.
 * </ul>
 *
 * All tags must hold (each on any span of the trace); the trace duration must lie within
 * {@code [minDuration, maxDuration]} (milliseconds, 0 = unbounded, inclusive). Differences: Tempo also requires all
 * generic tags to co-occur within one ResourceSpans batch; here they may come from different batches of the trace.
 * (TEMPO-API.md's "case-insensitive" is not what the 2.10 code does: it uses {@code bytes.Contains}.)
 */
public final class TagSearch {
  private static final java.util.Set<String> RESOURCE_SUBSTRING = java.util.Set.of(
      "service.name", "cluster", "namespace", "pod", "container", "k8s.cluster.name", "k8s.namespace.name",
      "k8s.pod.name", "k8s.container.name");

  private final Map<String, String> tags;
  private final long minDurationMs;
  private final long maxDurationMs;

  private TagSearch(Map<String, String> tags, long minDurationMs, long maxDurationMs) {
    this.tags = tags;
    this.minDurationMs = minDurationMs;
    this.maxDurationMs = maxDurationMs;
  }

  /**
   * @param tags parsed tags (see {@link LogfmtTags#parse})
   * @param minDurationMs 0 for no lower bound
   * @param maxDurationMs 0 for no upper bound
   * @throws IllegalArgumentException with Tempo's message when {@code min > max}
   */
  public static TagSearch of(Map<String, String> tags, long minDurationMs, long maxDurationMs) {
    Objects.requireNonNull(tags, "tags");
    if (minDurationMs < 0 || maxDurationMs < 0) {
      throw new IllegalArgumentException("invalid duration: must not be negative");
    }
    if (minDurationMs != 0 && maxDurationMs != 0 && minDurationMs > maxDurationMs) {
      throw new IllegalArgumentException("invalid maxDuration: must be greater than minDuration");
    }
    return new TagSearch(new LinkedHashMap<>(tags), minDurationMs, maxDurationMs);
  }

  /**
   * Parses a {@code minDuration}/{@code maxDuration} parameter (Go duration syntax: {@code 100ms}, {@code 1.5s},
   * {@code 2h45m}) to whole milliseconds, as Tempo truncates it.
   *
   * @throws IllegalArgumentException {@code invalid <param>: time: invalid duration "<value>"}
   */
  public static long parseDurationMs(String param, String value) {
    Long nanos = Durations.parseGoDuration(value);
    if (nanos == null) {
      throw new IllegalArgumentException("invalid " + param + ": time: invalid duration \"" + value + "\"");
    }
    return nanos / 1_000_000L;
  }

  public Map<String, String> tags() {
    return java.util.Collections.unmodifiableMap(tags);
  }

  public long minDurationMs() {
    return minDurationMs;
  }

  public long maxDurationMs() {
    return maxDurationMs;
  }

  /** True when the trace satisfies every tag and the duration bounds. */
  public boolean matches(TraceView trace) {
    if (minDurationMs > 0 || maxDurationMs > 0) {
      long d = trace.traceEndNanos() - trace.traceStartNanos();
      long min = minDurationMs * 1_000_000L;
      long max = maxDurationMs > 0 ? maxDurationMs * 1_000_000L : Long.MAX_VALUE;
      if (d < min || d > max) {
        return false;
      }
    }
    for (Map.Entry<String, String> t : tags.entrySet()) {
      if (!matchesTag(trace, t.getKey(), t.getValue())) {
        return false;
      }
    }
    return true;
  }

  private static boolean matchesTag(TraceView t, String key, String value) {
    int n = t.spanCount();
    switch (key) {
      case "root.name":
        {
          int root = t.rootSpan();
          return root >= 0 && t.name(root) != null && t.name(root).contains(value);
        }
      case "root.service.name":
        {
          int root = t.rootSpan();
          return root >= 0 && t.serviceName(root) != null && t.serviceName(root).contains(value);
        }
      case "name":
        for (int i = 0; i < n; i++) {
          if (t.name(i) != null && t.name(i).contains(value)) {
            return true;
          }
        }
        return false;
      case "http.method":
      case "http.url":
        for (int i = 0; i < n; i++) {
          Value v = t.attribute(i, Attribute.Scope.SPAN, key);
          if (v.type() == Value.Type.STRING && v.asString().contains(value)) {
            return true;
          }
        }
        return false;
      case "status.code":
        {
          int code = value.equals("ok") ? 1 : value.equals("error") ? 2 : 0;
          for (int i = 0; i < n; i++) {
            if (t.statusCode(i) == code) {
              return true;
            }
          }
          return false;
        }
      case "http.status_code":
        try {
          long want = Long.parseLong(value);
          for (int i = 0; i < n; i++) {
            Value v = t.attribute(i, Attribute.Scope.SPAN, key);
            if (v.type() == Value.Type.INT && v.asLong() == want) {
              return true;
            }
          }
          return false;
        } catch (NumberFormatException notInt) {
          return generic(t, key, value);
        }
      default:
        if (RESOURCE_SUBSTRING.contains(key)) {
          for (int i = 0; i < n; i++) {
            Value v = t.attribute(i, Attribute.Scope.RESOURCE, key);
            if (v.type() == Value.Type.STRING && v.asString().contains(value)) {
              return true;
            }
          }
          return false;
        }
        return generic(t, key, value);
    }
  }

  private static boolean generic(TraceView t, String key, String value) {
    for (int i = 0, n = t.spanCount(); i < n; i++) {
      Value s = t.attribute(i, Attribute.Scope.SPAN, key);
      Value r = t.attribute(i, Attribute.Scope.RESOURCE, key);
      if (s.type() == Value.Type.STRING && s.asString().equals(value)
          || r.type() == Value.Type.STRING && r.asString().equals(value)) {
        return true;
      }
    }
    return false;
  }
}
