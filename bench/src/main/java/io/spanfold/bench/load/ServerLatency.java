package io.spanfold.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's own view of one route's latency: {@code tempo_request_duration_seconds} (summed over method and status)
 * and {@code spanfold_request_phase_duration_seconds} scraped from the query port's {@code /metrics} before and after
 * a run; the difference holds exactly the requests of the run. Percentiles are interpolated inside buckets as
 * Prometheus' {@code histogram_quantile} does, so they are estimates; the share of requests within a bucket boundary
 * (e.g. 1 ms) is exact.
 */
final class ServerLatency {
  static final String DURATION = "tempo_request_duration_seconds";
  static final String PHASES = "spanfold_request_phase_duration_seconds";
  private static final Pattern BUCKET = Pattern.compile("^(\\w+)_bucket\\{([^}]*)\\} (\\S+)");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  /** Cumulative bucket counts by upper bound (seconds, +Inf as {@link Double#POSITIVE_INFINITY}). */
  static final class Buckets {
    final TreeMap<Double, Double> cumulative = new TreeMap<>();

    long count() {
      return cumulative.isEmpty() ? 0 : Math.round(cumulative.lastEntry().getValue());
    }

    Buckets minus(Buckets before) {
      Buckets d = new Buckets();
      for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
        d.cumulative.put(e.getKey(), e.getValue() - before.cumulative.getOrDefault(e.getKey(), 0.0));
      }
      return d;
    }

    /** {@code histogram_quantile(q)} in seconds: linear inside the bucket the rank falls in; NaN when empty. */
    double quantile(double q) {
      double total = count();
      if (total == 0) {
        return Double.NaN;
      }
      double rank = q * total;
      double lower = 0;
      double below = 0;
      for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
        double upper = e.getKey();
        double c = e.getValue();
        if (c >= rank) {
          if (Double.isInfinite(upper)) {
            return lower; // Prometheus answers the highest finite bound
          }
          return c == below ? upper : lower + (upper - lower) * (rank - below) / (c - below);
        }
        lower = upper;
        below = c;
      }
      return lower;
    }

    /** Share of the requests that took at most {@code bound} seconds ({@code bound} must be a bucket boundary). */
    double shareWithin(double bound) {
      Double c = cumulative.get(bound);
      return c == null || count() == 0 ? Double.NaN : c / count();
    }
  }

  /** One scrape: the route's duration buckets and its phase buckets. */
  static final class Snapshot {
    final Buckets duration = new Buckets();
    final Map<String, Buckets> phases = new TreeMap<>();

    Snapshot minus(Snapshot before) {
      Snapshot d = new Snapshot();
      d.duration.cumulative.putAll(duration.minus(before.duration).cumulative);
      for (Map.Entry<String, Buckets> e : phases.entrySet()) {
        Buckets b = before.phases.get(e.getKey());
        d.phases.put(e.getKey(), b == null ? e.getValue() : e.getValue().minus(b));
      }
      return d;
    }
  }

  private ServerLatency() {}

  /** Scrapes {@code /metrics} through {@code client} and keeps {@code route}'s histograms. */
  static Snapshot scrape(LookupClient client, String route) throws IOException, InterruptedException {
    LookupClient.Response r = client.get("/metrics", "text/plain");
    if (r.status() != 200) {
      throw new IOException("/metrics answered " + r.status());
    }
    return parse(new String(r.body(), StandardCharsets.UTF_8), route);
  }

  static Snapshot parse(String exposition, String route) {
    Snapshot s = new Snapshot();
    for (String line : exposition.split("\n")) {
      Matcher m = BUCKET.matcher(line);
      if (!m.find()) {
        continue;
      }
      String name = m.group(1);
      if (!name.equals(DURATION) && !name.equals(PHASES)) {
        continue;
      }
      String le = null;
      String phase = null;
      boolean ours = false;
      Matcher l = LABEL.matcher(m.group(2));
      while (l.find()) {
        switch (l.group(1)) {
          case "le" -> le = l.group(2);
          case "phase" -> phase = l.group(2);
          case "route" -> ours = l.group(2).equals(route);
          default -> { }
        }
      }
      if (!ours || le == null) {
        continue;
      }
      double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
      double value = Double.parseDouble(m.group(3));
      Buckets b = name.equals(DURATION) ? s.duration
          : s.phases.computeIfAbsent(phase == null ? "?" : phase, k -> new Buckets());
      b.cumulative.merge(bound, value, Double::sum);
    }
    return s;
  }

  /** One line for the report: n, interpolated percentiles in ms, the exact share within 1 ms, phase p99s. */
  static String describe(Snapshot d) {
    Buckets b = d.duration;
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "n=%d: p50 ~%.3f  p90 ~%.3f  p99 ~%.3f  p99.9 ~%.3f ms (bucket-interpolated); within 1 ms %.2f %%",
        b.count(), ms(b.quantile(0.5)), ms(b.quantile(0.9)), ms(b.quantile(0.99)), ms(b.quantile(0.999)),
        100 * b.shareWithin(0.001)));
    if (!d.phases.isEmpty()) {
      sb.append("; phase p50/p99 ms:");
      for (Map.Entry<String, Buckets> e : d.phases.entrySet()) {
        sb.append(String.format(Locale.ROOT, " %s ~%.3f/~%.3f", e.getKey(), ms(e.getValue().quantile(0.5)),
            ms(e.getValue().quantile(0.99))));
      }
    }
    return sb.toString();
  }

  static double ms(double seconds) {
    return seconds * 1000;
  }
}
