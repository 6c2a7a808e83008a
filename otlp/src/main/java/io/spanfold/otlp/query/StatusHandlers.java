package io.spanfold.otlp.query;

import io.spanfold.otlp.http.HttpHandler;
import io.spanfold.otlp.http.HttpResponse;
import io.spanfold.otlp.http.HttpRoutes;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;

/**
 * The Tempo status endpoints of the query port (:3200) that Grafana and load balancers call:
 *
 * <ul>
 *   <li>{@code GET /ready}: 200 {@code ready\n}; 503 {@code Application is stopping} while stopping, 503
 *       {@code Some services are not Running:\nStarting: 1\n} before the receivers are up (Tempo's texts);
 *   <li>{@code /api/echo} (any method): 200 {@code echo\n}, Grafana's "test connection";
 *   <li>{@code GET /api/status/buildinfo}: the JSON Tempo answers, see {@link #BUILD_INFO_JSON}.
 * </ul>
 */
public final class StatusHandlers {
  /**
   * Tempo's build-info answer. The {@code version} is the Tempo release whose API spanfold implements, not
   * spanfold's own version: Grafana's Tempo datasource reads it and enables features by semver comparison (search
   * streaming needs at least 2.2.0, TraceQL metrics streaming 2.7.0), so a spanfold version such as 0.1.0 would switch
   * them off.
   */
  public static final String BUILD_INFO_JSON =
      "{\"version\":\"2.10.8\",\"revision\":\"f0f3ed591\",\"branch\":\"HEAD\",\"buildUser\":\"\",\"buildDate\":\"\","
          + "\"goVersion\":\"go1.26.5\"}";

  private StatusHandlers() {}

  /** {@code GET /ready} reporting {@code readiness}. */
  public static HttpHandler ready(Readiness readiness) {
    Objects.requireNonNull(readiness, "readiness");
    return request -> {
      switch (readiness.state()) {
        case READY:
          return HttpResponse.text(200, "ready\n");
        case STOPPING:
          return HttpResponse.text(503, "Application is stopping");
        default:
          return HttpResponse.text(503, "Some services are not Running:\nStarting: 1\n");
      }
    };
  }

  /** {@code /api/echo}: {@code echo\n} for any method. */
  public static HttpHandler echo() {
    return request -> HttpResponse.text(200, "echo\n");
  }

  /** {@code GET /api/status/buildinfo}. */
  public static HttpHandler buildInfo() {
    byte[] body = BUILD_INFO_JSON.getBytes(StandardCharsets.UTF_8);
    return request -> HttpResponse.of(200, "application/json", body);
  }

  /** The three endpoints at Tempo's paths, to combine with other routes ({@link HttpRoutes.Builder#addAll}). */
  public static HttpRoutes routes(Readiness readiness) {
    return HttpRoutes.builder()
        .route("/ready", Set.of("GET"), ready(readiness))
        .route("/api/echo", echo())
        .route("/api/status/buildinfo", Set.of("GET"), buildInfo())
        .build();
  }
}
