package io.spanfold.otlp.http;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An HTTP request as handlers see it: method, decoded path, query parameters, headers and the whole body. */
public final class HttpRequest {
  private final String method;
  private final String path;
  private final Map<String, List<String>> query;
  private final Map<String, String> headers;
  private final byte[] body;
  private final Map<String, String> pathParams;
  private final long deadlineNanos;

  /**
   * @param headers header names must be lowercase
   */
  public HttpRequest(
      String method, String path, Map<String, List<String>> query, Map<String, String> headers, byte[] body) {
    this.method = method;
    this.path = path;
    this.query = query;
    this.headers = headers;
    this.body = body;
    this.pathParams = Collections.emptyMap();
    this.deadlineNanos = 0;
  }

  private HttpRequest(HttpRequest r, Map<String, String> pathParams, long deadlineNanos) {
    this.method = r.method;
    this.path = r.path;
    this.query = r.query;
    this.headers = r.headers;
    this.body = r.body;
    this.pathParams = pathParams;
    this.deadlineNanos = deadlineNanos;
  }

  /**
   * This request with a time budget: {@code deadlineNanos} is a {@link System#nanoTime()} value after which a
   * handler should stop working and answer (see {@link #pastDeadline()}).
   */
  public HttpRequest withDeadline(long deadlineNanos) {
    return new HttpRequest(this, pathParams, deadlineNanos);
  }

  /** The {@link System#nanoTime()} by which the answer is due, or 0 when the request has no time budget. */
  public long deadlineNanos() {
    return deadlineNanos;
  }

  /** Whether the request's time budget is spent (never, without one); long-running handlers check it. */
  public boolean pastDeadline() {
    return deadlineNanos != 0 && System.nanoTime() - deadlineNanos > 0;
  }

  private HttpRequest(HttpRequest r, Map<String, String> pathParams) {
    this.method = r.method;
    this.path = r.path;
    this.query = r.query;
    this.headers = r.headers;
    this.body = r.body;
    this.pathParams = pathParams;
    this.deadlineNanos = r.deadlineNanos;
  }

  /** This request with the path parameters a route pattern bound (see {@link HttpRoutes}). */
  public HttpRequest withPathParams(Map<String, String> pathParams) {
    return new HttpRequest(this, Collections.unmodifiableMap(pathParams));
  }

  /** A path parameter bound by the matched route pattern ({@code {name}}), percent-decoded, or {@code null}. */
  public String pathParam(String name) {
    return pathParams.get(name);
  }

  public String method() {
    return method;
  }

  /** The path, percent-decoded, without the query string. */
  public String path() {
    return path;
  }

  /** The first value of a query parameter, or {@code null}. */
  public String queryParam(String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  public Map<String, List<String>> queryParams() {
    return Collections.unmodifiableMap(query);
  }

  /** A header value by case-insensitive name, or {@code null}. */
  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  public byte[] body() {
    return body;
  }
}
