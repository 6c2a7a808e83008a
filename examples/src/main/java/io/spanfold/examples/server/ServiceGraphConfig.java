package io.spanfold.examples.server;

import io.spanfold.core.Spanfold;
import io.spanfold.redmetrics.servicegraph.ServiceGraphMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --service-graph.*} flags (Tempo's {@code metrics_generator.processor.service_graphs} and the registry's
 * {@code stale_duration}): pairing settings go to the {@link Spanfold.Builder}, metric settings to
 * {@link ServiceGraphMetrics.Builder}. Later flags win, so a command line overrides the config file.
 */
final class ServiceGraphConfig {
  static final String PREFIX = "service-graph.";

  Integer maxItems;
  Duration wait;
  List<String> dimensions;
  List<String> peerAttributes;
  double[] histogramBuckets;
  Duration staleDuration;

  private ServiceGraphConfig() {}

  /** Parses the {@code --service-graph.*} flags of {@code args}; throws naming the bad flag. */
  static ServiceGraphConfig parse(String... args) {
    ServiceGraphConfig c = new ServiceGraphConfig();
    for (String arg : args) {
      if (!arg.startsWith("--" + PREFIX)) {
        continue;
      }
      int eq = arg.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(arg + ": expected --name=value");
      }
      String name = arg.substring(2, eq);
      String v = arg.substring(eq + 1);
      try {
        switch (name) {
          case "service-graph.max-items":
            c.maxItems = Integer.parseInt(v.trim());
            if (c.maxItems <= 0) {
              throw new IllegalArgumentException("expected a number > 0");
            }
            break;
          case "service-graph.wait":
            c.wait = ServerConfig.duration(name, v);
            break;
          case "service-graph.dimensions":
            c.dimensions = list(v);
            break;
          case "service-graph.peer-attributes":
            c.peerAttributes = list(v);
            break;
          case "service-graph.histogram-buckets":
            String[] parts = v.split(",");
            c.histogramBuckets = new double[parts.length];
            for (int i = 0; i < parts.length; i++) {
              c.histogramBuckets[i] = Double.parseDouble(parts[i].trim());
            }
            break;
          case "service-graph.stale-duration":
            c.staleDuration = ServerConfig.duration(name, v);
            break;
          default:
            throw new IllegalArgumentException("unknown flag (see --help)");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--" + name + ": " + e.getMessage(), e);
      }
    }
    return c;
  }

  private static List<String> list(String v) {
    List<String> out = new ArrayList<>();
    for (String s : v.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }

  /** Applies the pairing settings. */
  void applyTo(Spanfold.Builder b) {
    if (maxItems != null) {
      b.serviceGraphMaxItems(maxItems);
    }
    if (wait != null) {
      b.serviceGraphWait(wait);
    }
    if (dimensions != null) {
      b.serviceGraphDimensions(dimensions);
    }
    if (peerAttributes != null) {
      b.serviceGraphPeerAttributes(peerAttributes);
    }
  }

  /** The service-graph metrics with these settings. */
  ServiceGraphMetrics metrics() {
    ServiceGraphMetrics.Builder m = ServiceGraphMetrics.builder();
    if (histogramBuckets != null) {
      m.histogramBuckets(histogramBuckets);
    }
    if (staleDuration != null) {
      m.staleDuration(staleDuration);
    }
    return m.build();
  }

  static String usage() {
    return "\nservice graph:\n"
        + "  --service-graph.max-items=10000       half edges waiting for their other half\n"
        + "  --service-graph.wait=10s              how long a half edge waits\n"
        + "  --service-graph.dimensions=a,b        extra attributes per edge side\n"
        + "  --service-graph.peer-attributes=a,b   attributes naming an uninstrumented peer\n"
        + "  --service-graph.histogram-buckets=a,b latency buckets in seconds\n"
        + "  --service-graph.stale-duration=15m    drop series not updated for this long\n";
  }
}
