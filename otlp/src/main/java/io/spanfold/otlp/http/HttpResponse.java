package io.spanfold.otlp.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A complete HTTP response; the serving transport adds Content-Length and gzip when the client accepts it. */
public final class HttpResponse {
  private final int status;
  private final String contentType;
  private final byte[] body;
  private final Map<String, String> headers = new LinkedHashMap<>();

  private HttpResponse(int status, String contentType, byte[] body) {
    this.status = status;
    this.contentType = contentType;
    this.body = body;
  }

  /** A plain-text response (Tempo's query API answers errors as plain text). */
  public static HttpResponse text(int status, String body) {
    return new HttpResponse(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  public static HttpResponse of(int status, String contentType, byte[] body) {
    return new HttpResponse(status, contentType, body);
  }

  /** A response with no body (e.g. Tempo's v1 trace-by-id 404). */
  public static HttpResponse empty(int status) {
    return new HttpResponse(status, null, new byte[0]);
  }

  public HttpResponse header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  public int status() {
    return status;
  }

  /** {@code null} when the response has no body. */
  public String contentType() {
    return contentType;
  }

  public byte[] body() {
    return body;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
