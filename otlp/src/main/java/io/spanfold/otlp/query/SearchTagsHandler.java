package io.spanfold.otlp.query;

import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.query.traceql.Attribute;
import io.spanfold.core.query.traceql.Query;
import io.spanfold.core.query.traceql.TraceQL;
import io.spanfold.core.query.traceql.TraceQLException;
import io.spanfold.core.search.TagValue;
import io.spanfold.core.store.SpanStore;
import io.spanfold.otlp.http.HttpHandler;
import io.spanfold.otlp.http.HttpRequest;
import io.spanfold.otlp.http.HttpResponse;
import io.spanfold.otlp.query.internal.GoJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Tempo's tag autocomplete: {@code /api/search/tags} and {@code /api/v2/search/tags} ({@code scope}, {@code start},
 * {@code end}, {@code limit}), {@code /api/search/tag/{tagName}/values} and
 * {@code /api/v2/search/tag/{tagName}/values} ({@code q}, {@code start}, {@code end}, {@code limit}). One handler
 * tells the four apart by path. Names come from the blocks' search indexes; values too, unless a {@code q} filter
 * (one {@code { … }} of conditions; an unparsable one is ignored, as Tempo) restricts them to matching spans. The
 * intrinsic scope lists Tempo's intrinsics; {@code status} and {@code kind} list their keywords; durations list none.
 * Thread-safe.
 */
public final class SearchTagsHandler implements HttpHandler {
  public static final String V1_TAGS = "/api/search/tags";
  public static final String V2_TAGS = "/api/v2/search/tags";
  public static final String V1_VALUES = "/api/search/tag/{tagName}/values";
  public static final String V2_VALUES = "/api/v2/search/tag/{tagName}/values";

  /** Tempo's {@code search.GetVirtualIntrinsicValues()}, sorted as the combiner sorts tags. */
  static final List<String> INTRINSICS = List.copyOf(new TreeSet<>(List.of(
      "duration", "name", "status", "statusMessage", "kind", "rootServiceName", "rootName", "traceDuration",
      "event:name", "event:timeSinceStart", "link:spanID", "link:traceID", "instrumentation:name",
      "instrumentation:version", "trace:id", "span:id", "span:parentID", "span:status", "span:statusMessage",
      "span:duration", "span:name", "span:kind", "trace:rootName", "trace:rootService", "trace:duration")));
  private static final Set<String> SCOPES =
      Set.of("", "none", "span", "resource", "event", "link", "instrumentation", "intrinsic");
  private static final int DEFAULT_MAX_VALUES = 10_000;

  private final SpanStore store;
  private final Duration timeBudget;
  private final java.util.function.Function<HttpRequest, String> tenant;

  public SearchTagsHandler(SpanStore store, Duration timeBudget) {
    this(store, timeBudget, r -> SpanBatch.DEFAULT_TENANT);
  }

  /**
   * @param tenant which tenant a request reads (from {@code X-Scope-OrgID} when multitenancy is on), so one
   *     tenant's query never sees another's traces or tags
   */
  public SearchTagsHandler(SpanStore store, Duration timeBudget, java.util.function.Function<HttpRequest, String> tenant) {
    this.store = Objects.requireNonNull(store, "store");
    this.timeBudget = Objects.requireNonNull(timeBudget, "timeBudget");
    this.tenant = Objects.requireNonNull(tenant, "tenant");
  }

  @Override
  public HttpResponse handle(HttpRequest r) {
    try {
      String path = r.path();
      boolean v2 = path.startsWith("/api/v2/");
      String body;
      if (path.endsWith("/values")) {
        body = values(r, v2);
      } else {
        body = tags(r, v2);
      }
      return HttpResponse.of(200, "application/json", body.getBytes(StandardCharsets.UTF_8));
    } catch (QueryParams.BadRequest e) {
      return HttpResponse.text(400, e.getMessage());
    }
  }

  private long[] range(HttpRequest r) {
    long start = 0;
    long end = 0;
    String s = QueryParams.param(r, "start");
    if (s != null) {
      start = QueryParams.parseInt32("start", s);
    }
    s = QueryParams.param(r, "end");
    if (s != null) {
      end = QueryParams.parseInt32("end", s);
    }
    return new long[] {start * 1_000_000_000L, end == 0 ? 0 : end * 1_000_000_000L + 999_999_999L};
  }

  private static int limit(HttpRequest r) {
    String s = QueryParams.param(r, "limit");
    if (s == null) {
      return 0;
    }
    long l = QueryParams.atoi("limit", s);
    return l <= 0 ? 0 : (int) Math.min(l, Integer.MAX_VALUE);
  }

  private String tags(HttpRequest r, boolean v2) {
    String scope = r.queryParam("scope") == null ? "" : r.queryParam("scope");
    if (!SCOPES.contains(scope)) {
      throw new QueryParams.BadRequest("invalid scope: " + scope);
    }
    long[] range = range(r);
    int limit = limit(r);
    Map<String, Set<String>> names = store.tagNames(tenant.apply(r), range[0], range[1]);
    StringBuilder o = new StringBuilder("{");
    if (!v2) {
      TreeSet<String> all = new TreeSet<>();
      if (!scope.equals("span") && !scope.equals("intrinsic")) {
        all.addAll(names.get("resource"));
      }
      if (!scope.equals("resource") && !scope.equals("intrinsic")) {
        all.addAll(names.get("span"));
      }
      if (scope.equals("intrinsic")) {
        all.addAll(INTRINSICS);
      }
      if (!all.isEmpty()) {
        o.append("\"tagNames\":");
        strings(o, cap(all, limit));
        o.append(',');
      }
    } else {
      List<String> scopes = new ArrayList<>();
      if (scope.isEmpty() || scope.equals("none")) {
        scopes.addAll(List.of("resource", "span", "intrinsic"));
      } else {
        scopes.add(scope);
      }
      StringBuilder s = new StringBuilder();
      for (String sc : scopes) {
        Set<String> tags = sc.equals("intrinsic") ? new TreeSet<>(INTRINSICS) : names.getOrDefault(sc, Set.of());
        if (tags.isEmpty()) {
          continue;
        }
        if (s.length() > 0) {
          s.append(',');
        }
        s.append("{\"name\":\"").append(sc).append("\",\"tags\":");
        strings(s, cap(tags, limit));
        s.append('}');
      }
      if (s.length() > 0) {
        o.append("\"scopes\":[").append(s).append("],");
      }
    }
    o.append("\"metrics\":{\"totalJobs\":1,\"completedJobs\":1}}");
    return o.toString();
  }

  private static List<String> cap(Set<String> s, int limit) {
    List<String> l = new ArrayList<>(s);
    return limit > 0 && l.size() > limit ? l.subList(0, limit) : l;
  }

  private String values(HttpRequest r, boolean v2) {
    String tag = r.pathParam("tagName");
    if (tag == null) {
      throw new QueryParams.BadRequest("please provide a tagName");
    }
    if (tag.isEmpty()) {
      throw new QueryParams.BadRequest("please provide a non-empty tagName");
    }
    Attribute attr;
    List<TagValue> virtual = null;
    if (v2) {
      virtual = virtualV2(tag);
      attr = virtual != null ? null : identifier(tag);
    } else {
      attr = Attribute.of(Attribute.Scope.NONE, tag);
      if (tag.equals("status.code")) {
        virtual = List.of(new TagValue("string", "unset"), new TagValue("string", "ok"),
            new TagValue("string", "error"));
      } else if (tag.equals("error")) {
        virtual = List.of(new TagValue("string", "true"));
      }
    }
    long[] range = range(r);
    int limit = limit(r);
    List<TagValue> vals;
    if (virtual != null) {
      vals = virtual;
    } else {
      Query filter = null;
      String q = QueryParams.param(r, "q");
      if (q != null) {
        try {
          filter = TraceQL.parse(q);
        } catch (TraceQLException ignored) {
          filter = null; // Tempo ignores a q it cannot use
        }
      }
      vals = new ArrayList<>(store.tagValues(tenant.apply(r), attr, filter, range[0], range[1],
          limit > 0 ? limit : DEFAULT_MAX_VALUES, timeBudget));
    }
    if (limit > 0 && vals.size() > limit) {
      vals = vals.subList(0, limit);
    }
    StringBuilder o = new StringBuilder("{");
    if (!vals.isEmpty()) {
      o.append("\"tagValues\":[");
      for (int i = 0; i < vals.size(); i++) {
        if (i > 0) {
          o.append(',');
        }
        if (v2) {
          o.append("{\"type\":\"").append(vals.get(i).type()).append("\",\"value\":");
          GoJson.appendQuoted(o, vals.get(i).value());
          o.append('}');
        } else {
          GoJson.appendQuoted(o, vals.get(i).value());
        }
      }
      o.append("],");
    }
    o.append("\"metrics\":{\"totalJobs\":1,\"completedJobs\":1}}");
    return o.toString();
  }

  private static List<TagValue> virtualV2(String tag) {
    switch (tag) {
      case "status":
      case "span:status":
        return List.of(new TagValue("keyword", "ok"), new TagValue("keyword", "error"),
            new TagValue("keyword", "unset"));
      case "kind":
      case "span:kind":
        return List.of(new TagValue("keyword", "client"), new TagValue("keyword", "server"),
            new TagValue("keyword", "producer"), new TagValue("keyword", "consumer"),
            new TagValue("keyword", "internal"), new TagValue("keyword", "unspecified"));
      case "duration":
      case "span:duration":
      case "traceDuration":
      case "trace:duration":
        return List.of();
      default:
        return null;
    }
  }

  /** A TraceQL identifier ({@code resource.service.name}, {@code .x}, {@code name} …) as its attribute. */
  private static Attribute identifier(String tag) {
    try {
      List<Attribute> a = TraceQL.parse("{ " + tag + " != nil }").attributes();
      if (a.size() != 1) {
        throw new QueryParams.BadRequest("please provide a valid tagName: " + tag);
      }
      return a.get(0);
    } catch (TraceQLException e) {
      throw new QueryParams.BadRequest("please provide a valid tagName: " + e.getMessage());
    }
  }

  private static void strings(StringBuilder o, List<String> l) {
    o.append('[');
    for (int i = 0; i < l.size(); i++) {
      if (i > 0) {
        o.append(',');
      }
      GoJson.appendQuoted(o, l.get(i));
    }
    o.append(']');
  }
}
