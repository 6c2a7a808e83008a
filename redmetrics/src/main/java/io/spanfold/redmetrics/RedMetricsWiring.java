package io.spanfold.redmetrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.spanfold.redmetrics.remotewrite.RemoteWriter;
import io.spanfold.redmetrics.spanmetrics.SpanMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Wires span metrics, their collectors and optional remote write from command-line flags, for the server jar and
 * embedders. Flags it does not own are ignored, so the whole {@code args} array can be passed.
 *
 * <pre>
 * --remote-write.url=http://prom:9090/api/v1/write   (remote write is off without it)
 * --remote-write.interval=15s                         (collection interval; ms, s, m, h suffixes)
 * --remote-write.external-label=cluster=home          (repeatable)
 * --remote-write.instance-label=true                  (__metrics_gen_instance=&lt;hostname&gt;)
 * --remote-write.bearer-token=…  | --remote-write.basic-auth=user:password
 * --remote-write.header=X-Scope-OrgID=tenant          (repeatable)
 * --remote-write.send-exemplars=true
 * --span-metrics.histogram-buckets=0.002,0.004,…      (seconds)
 * --span-metrics.intrinsic-dimension=status_message=true (repeatable)
 * --span-metrics.dimensions=http.method,deployment.environment
 * --span-metrics.max-active-series=0                  (0 = unlimited)
 * --span-metrics.stale-duration=15m
 * --span-metrics.ingestion-slack=30s
 * --span-metrics.status-message=false                 (intrinsic dimension toggle)
 * </pre>
 *
 * <pre>{@code
 * RedMetricsWiring red = RedMetricsWiring.fromArgs(args);
 * ingest.addConsumer(red.spanMetrics());        // SpanConsumer
 * red.register(CollectorRegistry.defaultRegistry); // /metrics
 * red.start();                                  // remote write, if configured
 * ... red.close() on shutdown
 * }</pre>
 */
public final class RedMetricsWiring implements AutoCloseable {
  private final SpanMetrics spanMetrics;
  private final RemoteWriter remoteWriter; // null when off

  private RedMetricsWiring(SpanMetrics spanMetrics, RemoteWriter remoteWriter) {
    this.spanMetrics = spanMetrics;
    this.remoteWriter = remoteWriter;
  }

  /** Parses the flags above; throws {@link IllegalArgumentException} naming the bad flag. */
  public static RedMetricsWiring fromArgs(String... args) {
    SpanMetrics.Builder sm = SpanMetrics.builder();
    RemoteWriter.Builder rw = RemoteWriter.builder();
    String url = null;
    for (String arg : args) {
      if (!arg.startsWith("--remote-write.") && !arg.startsWith("--span-metrics.")) {
        continue;
      }
      int eq = arg.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(arg + ": expected --name=value");
      }
      String name = arg.substring(2, eq);
      String value = arg.substring(eq + 1);
      try {
        switch (name) {
          case "remote-write.url":
            url = value;
            rw.url(value);
            break;
          case "remote-write.interval":
            rw.interval(duration(value));
            break;
          case "remote-write.external-label":
            int e = value.indexOf('=');
            if (e <= 0) {
              throw new IllegalArgumentException("expected name=value");
            }
            rw.externalLabel(value.substring(0, e), value.substring(e + 1));
            break;
          case "remote-write.instance-label":
            rw.instanceLabel(Boolean.parseBoolean(value));
            break;
          case "remote-write.bearer-token":
            rw.bearerToken(value);
            break;
          case "remote-write.basic-auth":
            int c = value.indexOf(':');
            if (c < 0) {
              throw new IllegalArgumentException("expected user:password");
            }
            rw.basicAuth(value.substring(0, c), value.substring(c + 1));
            break;
          case "span-metrics.dimensions":
            List<String> dims = new ArrayList<>();
            for (String d : value.split(",")) {
              if (!d.isBlank()) {
                dims.add(d.trim());
              }
            }
            sm.dimensions(dims);
            break;
          case "span-metrics.max-active-series":
            sm.maxActiveSeries(Integer.parseInt(value));
            break;
          case "span-metrics.stale-duration":
            sm.staleDuration(duration(value));
            break;
          case "span-metrics.ingestion-slack":
            sm.ingestionSlack(duration(value));
            break;
          case "remote-write.header":
            int h = value.indexOf('=');
            if (h <= 0) {
              throw new IllegalArgumentException("expected Name=value");
            }
            rw.header(value.substring(0, h), value.substring(h + 1));
            break;
          case "remote-write.send-exemplars":
            rw.sendExemplars(bool(value));
            break;
          case "span-metrics.histogram-buckets":
            String[] parts = value.split(",");
            double[] bounds = new double[parts.length];
            for (int i = 0; i < parts.length; i++) {
              bounds[i] = Double.parseDouble(parts[i].trim());
            }
            sm.histogramBuckets(bounds);
            break;
          case "span-metrics.intrinsic-dimension":
            int d = value.indexOf('=');
            if (d <= 0) {
              throw new IllegalArgumentException("expected name=true|false");
            }
            sm.intrinsicDimension(value.substring(0, d), bool(value.substring(d + 1)));
            break;
          case "span-metrics.status-message":
            sm.intrinsicDimension("status_message", Boolean.parseBoolean(value));
            break;
          default:
            throw new IllegalArgumentException("unknown flag");
        }
      } catch (RuntimeException ex) {
        throw new IllegalArgumentException("--" + name + ": " + ex.getMessage(), ex);
      }
    }
    SpanMetrics metrics = sm.build();
    RemoteWriter writer = null;
    if (url != null) {
      rw.collector(metrics.collector());
      writer = rw.build();
    }
    return new RedMetricsWiring(metrics, writer);
  }

  private static boolean bool(String v) {
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException("expected true or false, got '" + v + "'");
    }
    return Boolean.parseBoolean(v);
  }

  /** Go-style durations: {@code 500ms}, {@code 15s}, {@code 15m}, {@code 1h}. */
  static Duration duration(String v) {
    String s = v.trim();
    long n;
    if (s.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
    }
    n = Long.parseLong(s.substring(0, s.length() - 1));
    switch (s.charAt(s.length() - 1)) {
      case 's':
        return Duration.ofSeconds(n);
      case 'm':
        return Duration.ofMinutes(n);
      case 'h':
        return Duration.ofHours(n);
      default:
        throw new IllegalArgumentException("bad duration '" + v + "' (use ms, s, m or h)");
    }
  }

  /** The span consumer to add to ingest. */
  public SpanMetrics spanMetrics() {
    return spanMetrics;
  }

  /** Registers span metrics, their self-metrics and the remote writer's metrics for {@code /metrics}. */
  public void register(CollectorRegistry registry) {
    registry.register(spanMetrics.collector());
    registry.register(spanMetrics.selfMetricsCollector());
    if (remoteWriter != null) {
      registry.register(remoteWriter.metricsCollector());
    }
  }

  /** Adds another collector to remote write (for example service-graph metrics); no-op when remote write is off. */
  public void remoteWrite(Collector c) {
    if (remoteWriter != null) {
      remoteWriter.register(c);
    }
  }

  public boolean remoteWriteEnabled() {
    return remoteWriter != null;
  }

  /** Starts remote write, if configured. */
  public RedMetricsWiring start() {
    if (remoteWriter != null) {
      remoteWriter.start();
    }
    return this;
  }

  @Override
  public void close() {
    if (remoteWriter != null) {
      remoteWriter.close();
    }
  }

  @Override
  public String toString() {
    return "RedMetricsWiring{remoteWrite=" + remoteWriteEnabled() + "}";
  }
}
