package io.spanfold.otlp.query;

import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.model.TraceIds;
import io.spanfold.core.query.LogfmtTags;
import io.spanfold.core.query.TagSearch;
import io.spanfold.core.query.traceql.Query;
import io.spanfold.core.query.traceql.Spanset;
import io.spanfold.core.query.traceql.TraceQL;
import io.spanfold.core.query.traceql.TraceQLException;
import io.spanfold.core.query.traceql.Value;
import io.spanfold.core.search.SearchRequest;
import io.spanfold.core.search.SearchResponse;
import io.spanfold.core.store.SpanStore;
import io.spanfold.otlp.http.HttpHandler;
import io.spanfold.otlp.http.HttpRequest;
import io.spanfold.otlp.http.HttpResponse;
import io.spanfold.otlp.query.internal.GoJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tempo's {@code GET /api/search}: TraceQL ({@code q}) or legacy tag search ({@code tags}, {@code minDuration},
 * {@code maxDuration}), {@code limit} (default 20, max 262144), {@code start}/{@code end} (unix seconds; both absent =
 * recent data), {@code spss} (default 3, max 100). Validation errors are 400 plain text with Tempo 2.10's messages;
 * the JSON body is Tempo's {@code SearchResponse} as gogo jsonpb prints it (zero values omitted, 64-bit ints as
 * strings). Thread-safe; a search runs on the calling (query worker) thread within the configured time budget.
 */
public final class SearchHandler implements HttpHandler {
  public static final String PATH = "/api/search";
  static final int MAX_LIMIT = 262_144;
  static final int MAX_SPSS = 100;
  static final long MAX_RANGE_SECONDS = 168 * 3600;
  static final String ROOT_NOT_RECEIVED = "<root span not yet received>";

  private final SpanStore store;
  private final Duration timeBudget;
  private final java.util.function.Function<HttpRequest, String> tenant;

  /** @param timeBudget the most a search may take before it returns what it found so far */
  public SearchHandler(SpanStore store, Duration timeBudget) {
    this(store, timeBudget, r -> SpanBatch.DEFAULT_TENANT);
  }

  /**
   * @param tenant which tenant a request reads (from {@code X-Scope-OrgID} when multitenancy is on), so one
   *     tenant's query never sees another's traces or tags
   */
  public SearchHandler(SpanStore store, Duration timeBudget, java.util.function.Function<HttpRequest, String> tenant) {
    this.store = Objects.requireNonNull(store, "store");
    this.timeBudget = Objects.requireNonNull(timeBudget, "timeBudget");
    this.tenant = Objects.requireNonNull(tenant, "tenant");
  }

  @Override
  public HttpResponse handle(HttpRequest r) {
    SearchRequest req;
    try {
      req = parse(r);
    } catch (QueryParams.BadRequest | IllegalArgumentException e) {
      return HttpResponse.text(400, e.getMessage());
    }
    SearchResponse resp = store.search(tenant.apply(r), req);
    return HttpResponse.of(200, "application/json", json(resp).getBytes(StandardCharsets.UTF_8));
  }

  SearchRequest parse(HttpRequest r) {
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
    String q = QueryParams.param(r, "q");
    String tags = QueryParams.param(r, "tags");
    Map<String, String> tagMap = Map.of();
    if (tags != null) {
      if (q != null) {
        throw new QueryParams.BadRequest("invalid request: can't specify tags and q in the same query");
      }
      tagMap = LogfmtTags.parse(tags);
    }
    long minMs = 0;
    long maxMs = 0;
    s = QueryParams.param(r, "minDuration");
    if (s != null) {
      minMs = TagSearch.parseDurationMs("minDuration", s);
    }
    s = QueryParams.param(r, "maxDuration");
    if (s != null) {
      maxMs = TagSearch.parseDurationMs("maxDuration", s);
      if (minMs != 0 && minMs > maxMs) {
        throw new QueryParams.BadRequest("invalid maxDuration: must be greater than minDuration");
      }
    }
    long limit = 0;
    s = QueryParams.param(r, "limit");
    if (s != null) {
      limit = QueryParams.atoi("limit", s);
      if (limit <= 0) {
        throw new QueryParams.BadRequest("invalid limit: must be a positive number");
      }
    }
    long spss = SearchRequest.DEFAULT_SPANS_PER_SPANSET;
    s = QueryParams.param(r, "spss");
    if (s != null) {
      spss = QueryParams.atoi("spss", s);
      if (spss < 0) {
        throw new QueryParams.BadRequest("invalid spss: must be a non-negative number");
      }
    }
    if (start != 0 || end != 0) {
      if (end <= start) {
        throw new QueryParams.BadRequest(
            "http parameter start must be before end. received start=" + start + " end=" + end);
      }
    }
    if (limit > MAX_LIMIT) {
      throw new QueryParams.BadRequest("limit " + limit + " exceeds max limit " + MAX_LIMIT);
    }
    if (end - start > MAX_RANGE_SECONDS) {
      throw new QueryParams.BadRequest("range specified by start and end exceeds 168h0m0s. received start=" + start
          + " end=" + end);
    }
    if (spss > MAX_SPSS) {
      throw new QueryParams.BadRequest("spans per span set exceeds " + MAX_SPSS + ". received " + spss);
    }
    SearchRequest.Builder b = SearchRequest.builder()
        .limit(limit == 0 ? SearchRequest.DEFAULT_LIMIT : (int) limit)
        .spansPerSpanset(spss == 0 ? SearchRequest.DEFAULT_SPANS_PER_SPANSET : (int) spss)
        .timeBudget(timeBudget);
    if (start != 0 || end != 0) {
      b.timeRange(start * 1_000_000_000L, end * 1_000_000_000L + 999_999_999L);
    }
    if (q != null) {
      try {
        b.query(TraceQL.parse(q));
      } catch (TraceQLException e) {
        throw new QueryParams.BadRequest("invalid TraceQL query: " + e.getMessage());
      }
    } else {
      b.tags(TagSearch.of(tagMap, minMs, maxMs));
    }
    return b.build();
  }

  static String json(SearchResponse resp) {
    StringBuilder o = new StringBuilder(256);
    o.append('{');
    if (!resp.traces().isEmpty()) {
      o.append("\"traces\":[");
      boolean first = true;
      for (SearchResponse.TraceSummary t : resp.traces()) {
        if (!first) {
          o.append(',');
        }
        first = false;
        trace(o, t);
      }
      o.append("],");
    }
    o.append("\"metrics\":{");
    int mark = o.length();
    field(o, mark, "inspectedTraces", Long.toString(Math.min(resp.inspectedTraces(), 0xFFFF_FFFFL)), false,
        resp.inspectedTraces() != 0);
    field(o, mark, "inspectedBytes", Long.toString(resp.inspectedBytes()), true, resp.inspectedBytes() != 0);
    field(o, mark, "totalBlocks", Integer.toString(resp.totalBlocks()), false, resp.totalBlocks() != 0);
    field(o, mark, "completedJobs", "1", false, true);
    field(o, mark, "totalJobs", "1", false, true);
    field(o, mark, "inspectedSpans", Long.toString(resp.inspectedSpans()), true, resp.inspectedSpans() != 0);
    o.append("}}");
    return o.toString();
  }

  private static void field(StringBuilder o, int mark, String name, String value, boolean quoted, boolean present) {
    if (!present) {
      return;
    }
    if (o.length() > mark) {
      o.append(',');
    }
    o.append('"').append(name).append("\":");
    if (quoted) {
      o.append('"').append(value).append('"');
    } else {
      o.append(value);
    }
  }

  private static void trace(StringBuilder o, SearchResponse.TraceSummary t) {
    o.append("{\"traceID\":\"").append(TraceIds.traceIdHexStripped(t.traceIdHigh(), t.traceIdLow())).append('"');
    String svc = t.rootServiceName() == null ? ROOT_NOT_RECEIVED : t.rootServiceName();
    if (!svc.isEmpty()) {
      o.append(",\"rootServiceName\":");
      GoJson.appendQuoted(o, svc);
    }
    if (t.rootTraceName() != null && !t.rootTraceName().isEmpty()) {
      o.append(",\"rootTraceName\":");
      GoJson.appendQuoted(o, t.rootTraceName());
    }
    if (t.startNanos() != 0) {
      o.append(",\"startTimeUnixNano\":\"").append(Long.toUnsignedString(t.startNanos())).append('"');
    }
    long ms = Math.max(0, t.durationNanos() / 1_000_000L) & 0xFFFF_FFFFL;
    if (ms != 0) {
      o.append(",\"durationMs\":").append(ms);
    }
    List<SearchResponse.SpansetSummary> sets = t.spansets();
    if (!sets.isEmpty()) {
      o.append(",\"spanSet\":");
      spanset(o, sets.get(0));
      o.append(",\"spanSets\":[");
      for (int i = 0; i < sets.size(); i++) {
        if (i > 0) {
          o.append(',');
        }
        spanset(o, sets.get(i));
      }
      o.append(']');
    }
    if (!t.serviceStats().isEmpty()) {
      o.append(",\"serviceStats\":{");
      boolean first = true;
      for (Map.Entry<String, long[]> e : t.serviceStats().entrySet()) {
        if (!first) {
          o.append(',');
        }
        first = false;
        GoJson.appendQuoted(o, e.getKey());
        o.append(":{");
        long spans = e.getValue()[0];
        long errors = e.getValue()[1];
        if (spans != 0) {
          o.append("\"spanCount\":").append(spans);
        }
        if (errors != 0) {
          o.append(spans != 0 ? "," : "").append("\"errorCount\":").append(errors);
        }
        o.append('}');
      }
      o.append('}');
    }
    o.append('}');
  }

  private static void spanset(StringBuilder o, SearchResponse.SpansetSummary s) {
    o.append('{');
    boolean any = false;
    if (!s.spans().isEmpty()) {
      o.append("\"spans\":[");
      for (int i = 0; i < s.spans().size(); i++) {
        if (i > 0) {
          o.append(',');
        }
        SearchResponse.SpanSummary sp = s.spans().get(i);
        o.append("{\"spanID\":\"").append(TraceIds.spanIdHex(sp.spanId())).append('"');
        if (sp.name() != null && !sp.name().isEmpty()) {
          o.append(",\"name\":");
          GoJson.appendQuoted(o, sp.name());
        }
        if (sp.startNanos() != 0) {
          o.append(",\"startTimeUnixNano\":\"").append(Long.toUnsignedString(sp.startNanos())).append('"');
        }
        if (sp.durationNanos() != 0) {
          o.append(",\"durationNanos\":\"").append(Long.toUnsignedString(sp.durationNanos())).append('"');
        }
        attributes(o, sp.attributes());
        o.append('}');
      }
      o.append(']');
      any = true;
    }
    if (s.matched() != 0) {
      o.append(any ? "," : "").append("\"matched\":").append(s.matched());
      any = true;
    }
    if (!s.attributes().isEmpty()) {
      if (any) {
        o.append(',');
      }
      o.append("\"attributes\":[");
      keyValues(o, s.attributes());
      o.append(']');
    }
    o.append('}');
  }

  private static void attributes(StringBuilder o, List<Spanset.SpansetAttribute> attrs) {
    if (attrs.isEmpty()) {
      return;
    }
    o.append(",\"attributes\":[");
    keyValues(o, attrs);
    o.append(']');
  }

  private static void keyValues(StringBuilder o, List<Spanset.SpansetAttribute> attrs) {
    for (int i = 0; i < attrs.size(); i++) {
      if (i > 0) {
        o.append(',');
      }
      o.append("{\"key\":");
      GoJson.appendQuoted(o, attrs.get(i).name());
      o.append(",\"value\":");
      anyValue(o, attrs.get(i).value());
      o.append('}');
    }
  }

  /** Tempo's static → AnyValue: ints as strings, status/kind/durations as their TraceQL words, nil as empty. */
  static void anyValue(StringBuilder o, Value v) {
    switch (v.type()) {
      case INT:
        o.append("{\"intValue\":\"").append(v.asLong()).append("\"}");
        break;
      case FLOAT:
        o.append("{\"doubleValue\":").append(GoJson.formatDouble(v.asDouble())).append('}');
        break;
      case BOOLEAN:
        o.append(v.asBoolean() ? "{\"boolValue\":true}" : "{}");
        break;
      case STRING:
        if (v.asString().isEmpty()) {
          o.append("{}");
        } else {
          o.append("{\"stringValue\":");
          GoJson.appendQuoted(o, v.asString());
          o.append('}');
        }
        break;
      case NIL:
        o.append("{}");
        break;
      default:
        o.append("{\"stringValue\":");
        GoJson.appendQuoted(o, v.encode(false));
        o.append('}');
    }
  }
}
