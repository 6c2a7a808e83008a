package io.spanfold.otlp.http;

/**
 * A check {@link NettyHttpServer} runs on a request's head (method, path, query, headers; the body is still empty)
 * before it reads the body: authentication and tenant checks refuse a request without buffering what it sends.
 */
@FunctionalInterface
public interface HttpGate {
  /** Returns the answer for a refused request, or {@code null} to let it through. Runs on an event-loop thread. */
  HttpResponse check(HttpRequest head);
}
