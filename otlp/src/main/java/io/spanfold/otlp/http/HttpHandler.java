package io.spanfold.otlp.http;

/**
 * A transport-neutral HTTP endpoint: the Tempo query API and the OTLP/HTTP receiver are written against it so that an
 * embedder can mount them in its own server; {@code otlp} also ships a Netty server that serves them.
 */
@FunctionalInterface
public interface HttpHandler {
  HttpResponse handle(HttpRequest request) throws Exception;
}
