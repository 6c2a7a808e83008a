package io.spanfold.examples.server;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Histogram;
import io.spanfold.otlp.http.HttpRequestObserver;
import java.util.Objects;

/**
 * The query port's request metrics: Tempo's {@code tempo_request_duration_seconds} histogram (labels {@code method},
 * {@code route}, {@code status_code}, {@code ws}, as Tempo's HTTP instrumentation middleware labels them; route
 * names from {@link io.spanfold.otlp.http.HttpRoutes#routeName}, e.g. {@code api_v2_traces_traceid}, unmatched paths
 * {@code other}), timed by the server from the moment a request was read until its answer was written.
 *
 * <p>Buckets: Tempo's ({@code .005 … 100} s, the middleware's defaults) with five finer ones below them (100 µs to
 * 2.5 ms), because a trace-by-id answer takes well under Tempo's smallest bucket; every Tempo bucket boundary is kept,
 * so Tempo's dashboards and {@code histogram_quantile} queries work unchanged.
 *
 * <p>Also {@code spanfold_request_phase_duration_seconds{route, phase}}, the same requests split into {@code queued}
 * (waiting for a worker thread), {@code handler} (running the handler, encoding the answer) and {@code respond}
 * (handing it back to the event loop and writing it): where a slow answer spent its time.
 */
public final class RequestDurationMetrics implements HttpRequestObserver {
  /** Tempo's request-duration buckets (seconds), below them the finer ones spanfold adds. */
  static final double[] BUCKETS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025,
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100
  };

  private final Histogram duration;
  private final Histogram phases;

  private RequestDurationMetrics(CollectorRegistry registry) {
    this.duration = Histogram.build()
        .name("tempo_request_duration_seconds")
        .help("Time (in seconds) spent serving HTTP requests.")
        .labelNames("method", "route", "status_code", "ws")
        .buckets(BUCKETS)
        .register(registry);
    this.phases = Histogram.build()
        .name("spanfold_request_phase_duration_seconds")
        .help("Time (in seconds) HTTP requests of the query port spent waiting for a worker (queued), in their handler"
            + " (handler) and being written back (respond).")
        .labelNames("route", "phase")
        .buckets(BUCKETS)
        .register(registry);
  }

  /** Creates the histograms and registers them with {@code registry}. */
  public static RequestDurationMetrics register(CollectorRegistry registry) {
    return new RequestDurationMetrics(Objects.requireNonNull(registry, "registry"));
  }

  @Override
  public void requestDone(String method, String route, int status, boolean websocket, Timing timing) {
    duration.labels(method, route, Integer.toString(status), websocket ? "true" : "false")
        .observe(timing.totalNanos() / 1e9);
    if (timing.handlerNanos() >= 0) {
      phases.labels(route, "queued").observe(timing.queuedNanos() / 1e9);
      phases.labels(route, "handler").observe(timing.handlerNanos() / 1e9);
    }
    phases.labels(route, "respond").observe(timing.respondNanos() / 1e9);
  }
}
