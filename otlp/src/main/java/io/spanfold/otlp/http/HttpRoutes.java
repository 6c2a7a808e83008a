package io.spanfold.otlp.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable routing table from path patterns to {@link HttpHandler}s, served by {@link NettyHttpServer} (or by an
 * embedder's own server through {@link #match}).
 *
 * <p>A pattern is a path of {@code /}-separated segments; a segment {@code {name}} matches exactly one non-empty
 * segment and binds it as a path parameter ({@link HttpRequest#pathParam}), a final segment {@code {name...}} matches
 * the rest of the path (one or more segments). Parameters are matched against the raw (still percent-encoded) path and
 * decoded afterwards, so an encoded {@code /} inside a parameter (Grafana double-encodes tag names) does not split it.
 * Patterns without parameters win over patterns with parameters; otherwise the first added route wins.
 *
 * <p>Example:
 *
 * <pre>{@code
 * HttpRoutes routes = HttpRoutes.builder()
 *     .route("/ready", readyHandler)                         // any method
 *     .route("/api/traces/{traceID}", Set.of("GET"), byId)   // other methods: 405
 *     .build();
 * }</pre>
 */
public final class HttpRoutes {
  private final Route[] routes;

  private HttpRoutes(List<Route> routes) {
    List<Route> ordered = new ArrayList<>(routes.size());
    for (Route r : routes) {
      if (r.paramCount == 0) {
        ordered.add(r);
      }
    }
    for (Route r : routes) {
      if (r.paramCount > 0) {
        ordered.add(r);
      }
    }
    this.routes = ordered.toArray(new Route[0]);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Finds the route for a raw request path (percent-encoded, without query string).
   *
   * @return the match, or {@code null} when no pattern matches the path
   */
  public Match match(String rawPath) {
    String[] segments = split(rawPath);
    for (Route r : routes) {
      Map<String, String> params = r.match(segments);
      if (params != null) {
        return new Match(r, params);
      }
    }
    return null;
  }

  /** The patterns in matching order (for logs and tests). */
  public List<String> patterns() {
    List<String> out = new ArrayList<>(routes.length);
    for (Route r : routes) {
      out.add(r.pattern);
    }
    return out;
  }

  private static String[] split(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.isEmpty()) {
      return new String[0];
    }
    return p.split("/", -1);
  }

  /** A matched route: its handler, the methods it allows and the decoded path parameters. */
  public static final class Match {
    private final Route route;
    private final Map<String, String> params;

    private Match(Route route, Map<String, String> params) {
      this.route = route;
      this.params = params;
    }

    public HttpHandler handler() {
      return route.handler;
    }

    public String pattern() {
      return route.pattern;
    }

    /** The route's metric label, {@link HttpRoutes#routeName} of its pattern (e.g. {@code api_traces_traceid}). */
    public String routeName() {
      return route.name;
    }

    /** Whether the route takes {@code method}; routes added without a method set take every method. */
    public boolean allows(String method) {
      return route.methods == null || route.methods.contains(method.toUpperCase(Locale.ROOT));
    }

    /** The allowed methods for an {@code Allow} header, or {@code null} when any method is allowed. */
    public Set<String> allowedMethods() {
      return route.methods;
    }

    public Map<String, String> pathParams() {
      return params;
    }
  }

  private static final class Route {
    final String pattern;
    final String name;
    final String[] segments;
    final boolean[] param;
    final boolean rest;
    final int paramCount;
    final Set<String> methods;
    final HttpHandler handler;

    Route(String pattern, Set<String> methods, HttpHandler handler) {
      if (!pattern.startsWith("/")) {
        throw new IllegalArgumentException("pattern must start with '/': " + pattern);
      }
      this.pattern = pattern;
      this.name = routeName(pattern);
      this.segments = split(pattern);
      this.param = new boolean[segments.length];
      int params = 0;
      boolean restParam = false;
      for (int i = 0; i < segments.length; i++) {
        String s = segments[i];
        if (s.startsWith("{") && s.endsWith("}")) {
          String name = s.substring(1, s.length() - 1);
          if (name.endsWith("...")) {
            if (i != segments.length - 1) {
              throw new IllegalArgumentException("{name...} must be the last segment: " + pattern);
            }
            name = name.substring(0, name.length() - 3);
            restParam = true;
          }
          if (name.isEmpty()) {
            throw new IllegalArgumentException("empty parameter name in " + pattern);
          }
          segments[i] = name;
          param[i] = true;
          params++;
        } else if (s.contains("{") || s.contains("}")) {
          throw new IllegalArgumentException("a parameter must be a whole segment: " + pattern);
        }
      }
      this.rest = restParam;
      this.paramCount = params;
      this.methods = methods;
      this.handler = handler;
    }

    Map<String, String> match(String[] path) {
      if (rest ? path.length < segments.length : path.length != segments.length) {
        return null;
      }
      Map<String, String> params = null;
      for (int i = 0; i < segments.length; i++) {
        if (!param[i]) {
          if (!segments[i].equals(path[i])) {
            return null;
          }
          continue;
        }
        String value;
        if (rest && i == segments.length - 1) {
          value = String.join("/", java.util.Arrays.copyOfRange(path, i, path.length));
        } else {
          value = path[i];
        }
        if (value.isEmpty()) {
          return null;
        }
        if (params == null) {
          params = new LinkedHashMap<>();
        }
        params.put(segments[i], decode(value));
      }
      return params == null ? Collections.emptyMap() : params;
    }
  }

  /**
   * The name of a route for metric labels, as Tempo's HTTP instrumentation derives it from an unnamed route's path
   * template: every run of characters other than ASCII letters and digits becomes {@code _}, leading and trailing
   * {@code _} are dropped, the rest is lowercased, and an empty result is {@code root}. So
   * {@code /api/v2/traces/{traceID}} is {@code api_v2_traces_traceid} and {@code /api/search} {@code api_search}.
   */
  public static String routeName(String pattern) {
    StringBuilder sb = new StringBuilder(pattern.length());
    boolean gap = false;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (alnum) {
        if (gap && sb.length() > 0) {
          sb.append('_');
        }
        gap = false;
        sb.append(Character.toLowerCase(c));
      } else {
        gap = true;
      }
    }
    return sb.length() == 0 ? "root" : sb.toString();
  }

  private static String decode(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    try {
      // URLDecoder turns '+' into ' ', which is right for query strings only: protect it in paths.
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /** Collects routes; {@link #build()} freezes them. */
  public static final class Builder {
    private final List<Route> routes = new ArrayList<>();

    private Builder() {}

    /** Adds a route taking every method (the handler checks the method itself, as the OTLP receiver does). */
    public Builder route(String pattern, HttpHandler handler) {
      routes.add(new Route(Objects.requireNonNull(pattern, "pattern"), null,
          Objects.requireNonNull(handler, "handler")));
      return this;
    }

    /**
     * Adds a route restricted to {@code methods}; other methods get 405 with an {@code Allow} header. {@code GET}
     * also admits {@code HEAD}.
     */
    public Builder route(String pattern, Set<String> methods, HttpHandler handler) {
      Objects.requireNonNull(methods, "methods");
      if (methods.isEmpty()) {
        throw new IllegalArgumentException("methods is empty");
      }
      Set<String> upper = new TreeSet<>();
      for (String m : methods) {
        upper.add(m.toUpperCase(Locale.ROOT));
      }
      if (upper.contains("GET")) {
        upper.add("HEAD");
      }
      routes.add(new Route(Objects.requireNonNull(pattern, "pattern"), Collections.unmodifiableSet(upper),
          Objects.requireNonNull(handler, "handler")));
      return this;
    }

    /** Adds every route of {@code other}, keeping their order. */
    public Builder addAll(HttpRoutes other) {
      for (Route r : other.routes) {
        routes.add(r);
      }
      return this;
    }

    public HttpRoutes build() {
      return new HttpRoutes(routes);
    }
  }
}
