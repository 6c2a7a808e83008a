package io.spanfold.examples.embedded;

import com.sun.net.httpserver.HttpExchange;
import io.spanfold.otlp.http.HttpRequest;
import io.spanfold.otlp.http.HttpResponse;
import io.spanfold.otlp.http.HttpRoutes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Serves spanfold's transport-neutral {@link io.spanfold.otlp.http.HttpHandler}s (the Tempo query API, {@code
 * /metrics}) from the JDK's built-in {@code com.sun.net.httpserver.HttpServer}: how an embedder mounts them in a server
 * it already runs. Unknown paths get 404, other methods than a route allows 405, as on spanfold's own server.
 */
final class JdkHttpAdapter implements com.sun.net.httpserver.HttpHandler {
  private final HttpRoutes routes;

  JdkHttpAdapter(HttpRoutes routes) {
    this.routes = routes;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String rawPath = ex.getRequestURI().getRawPath();
      HttpRoutes.Match match = routes.match(rawPath);
      HttpResponse response;
      if (match == null) {
        response = HttpResponse.text(404, "404 page not found\n");
      } else if (!match.allows(ex.getRequestMethod())) {
        response = HttpResponse.empty(405).header("Allow", String.join(", ", match.allowedMethods()));
      } else {
        HttpRequest request = new HttpRequest(ex.getRequestMethod(), ex.getRequestURI().getPath(),
            query(ex.getRequestURI().getRawQuery()), headers(ex), ex.getRequestBody().readAllBytes());
        if (!match.pathParams().isEmpty()) {
          request = request.withPathParams(match.pathParams());
        }
        try {
          response = match.handler().handle(request);
        } catch (Exception e) { // the handler's failure becomes a 500 for this request only
          response = HttpResponse.text(500, e + "\n");
        }
      }
      send(ex, response);
    }
  }

  static void send(HttpExchange ex, HttpResponse r) throws IOException {
    if (r.contentType() != null) {
      ex.getResponseHeaders().set("Content-Type", r.contentType());
    }
    for (Map.Entry<String, String> h : r.headers().entrySet()) {
      ex.getResponseHeaders().set(h.getKey(), h.getValue());
    }
    byte[] body = r.body() == null ? new byte[0] : r.body();
    boolean head = ex.getRequestMethod().equalsIgnoreCase("HEAD");
    ex.sendResponseHeaders(r.status(), body.length == 0 || head ? -1 : body.length);
    if (body.length > 0 && !head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static Map<String, String> headers(HttpExchange ex) {
    Map<String, String> out = new HashMap<>();
    for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
      if (!h.getValue().isEmpty()) {
        out.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue().get(0));
      }
    }
    return out;
  }

  static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return out;
  }
}
