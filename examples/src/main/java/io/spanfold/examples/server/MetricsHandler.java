package io.spanfold.examples.server;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.spanfold.otlp.http.HttpHandler;
import io.spanfold.otlp.http.HttpRequest;
import io.spanfold.otlp.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@code GET /metrics}: a simpleclient {@link CollectorRegistry} in the Prometheus text format 0.0.4, or OpenMetrics
 * when the {@code Accept} header asks for it (simpleclient's content negotiation). {@code name[]=} query parameters
 * restrict the output to those metric families, as simpleclient's own HTTP server does.
 */
public final class MetricsHandler implements HttpHandler {
  private final CollectorRegistry registry;

  public MetricsHandler(CollectorRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public HttpResponse handle(HttpRequest request) throws IOException {
    String contentType = TextFormat.chooseContentType(request.header("accept"));
    List<String> names = request.queryParams().get("name[]");
    Set<String> include = names == null ? Set.of() : new HashSet<>(names);
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
      TextFormat.writeFormat(contentType, w,
          include.isEmpty() ? registry.metricFamilySamples() : registry.filteredMetricFamilySamples(include));
    }
    return HttpResponse.of(200, contentType, out.toByteArray());
  }
}
