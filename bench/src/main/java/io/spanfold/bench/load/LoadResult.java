package io.spanfold.bench.load;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The figures of one load run: what {@link LoadGenerator} prints and writes as JSON. */
public final class LoadResult {
  final LoadOptions options;
  final Instant started;
  final double windowSeconds;
  final long requests;
  final long completed;
  final long notSent;
  final long unfinished;
  final long warmupRequests;
  final long spansSent;
  final long acceptedSpans;
  final long rejectedSpans;
  final long bytesSent;
  final long lateSends;
  final long[] outcomes = new long[Outcome.values().length];
  final Map<String, Long> details;
  final Histogram latencyMicros;
  final TraceChecker.Result check;
  /** Lookups made while the load ran ({@code --lookup-rate}), or {@code null}. */
  final TraceChecker.Result duringLoad;
  final double loadAverageBefore;
  final double loadAverageAfter;
  final double generatorCpuSeconds;

  LoadResult(LoadOptions options, Instant started, double windowSeconds, LoadStats stats, long notSent,
      long unfinished, TraceChecker.Result check, TraceChecker.Result duringLoad, double loadAverageBefore, double loadAverageAfter,
      double generatorCpuSeconds) {
    this.generatorCpuSeconds = generatorCpuSeconds;
    this.options = options;
    this.started = started;
    this.windowSeconds = windowSeconds;
    this.requests = stats.sent.sum();
    this.completed = stats.completed();
    this.notSent = notSent;
    this.unfinished = unfinished;
    this.warmupRequests = stats.warmupRequests.sum();
    this.spansSent = stats.spansSent.sum();
    this.acceptedSpans = stats.acceptedSpans.sum();
    this.rejectedSpans = stats.rejectedSpans.sum();
    this.bytesSent = stats.bytesSent.sum();
    this.lateSends = stats.lateSends.sum();
    for (Outcome o : Outcome.values()) {
      outcomes[o.ordinal()] = stats.count(o);
    }
    this.details = stats.details();
    this.latencyMicros = stats.total();
    this.check = check;
    this.duringLoad = duringLoad;
    this.loadAverageBefore = loadAverageBefore;
    this.loadAverageAfter = loadAverageAfter;
  }

  /** Measured requests sent. */
  public long requests() {
    return requests;
  }

  /** Spans the server accepted (200/OK minus partial-success rejections) in the measurement window. */
  public long acceptedSpans() {
    return acceptedSpans;
  }

  public double acceptedSpansPerSecond() {
    return windowSeconds > 0 ? acceptedSpans / windowSeconds : 0;
  }

  public long count(Outcome o) {
    return outcomes[o.ordinal()];
  }

  /** Latency at a percentile, in milliseconds. */
  public double latencyMillis(double percentile) {
    return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  public double maxLatencyMillis() {
    return latencyMicros.getMaxValue() / 1000.0;
  }

  /** Human-readable report. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    LoadOptions o = options;
    sb.append(String.format(Locale.ROOT, "spanfold load: %s %s:%d (%s%s), %s, concurrency %d%s, %d spans/request%n",
        o.protocol(), o.host(), o.port(), o.json() ? "json" : "protobuf", o.gzip() ? "+gzip" : "",
        o.openLoop() ? "open loop at " + o.rate() + " spans/s" : "closed loop", o.concurrency(),
        o.protocol().equals("grpc") ? ", " + o.connections() + " channel(s)" : "", o.batch()));
    sb.append(String.format(Locale.ROOT, "  started %s, window %.2f s (after %d warmup requests), load average %.2f"
        + " -> %.2f, load generator CPU %.1f s%n", started, windowSeconds, warmupRequests, loadAverageBefore,
        loadAverageAfter, generatorCpuSeconds));
    sb.append(String.format(Locale.ROOT, "  requests  sent %d, completed %d, unfinished %d, not sent (all %d in"
        + " flight until the end) %d, sent > 1 ms late %d%n", requests, completed, unfinished, o.concurrency(),
        notSent, lateSends));
    sb.append("  statuses ");
    for (Outcome out : Outcome.values()) {
      sb.append(' ').append(out.label).append(' ').append(count(out)).append(',');
    }
    sb.setLength(sb.length() - 1);
    sb.append("  ").append(details).append('\n');
    sb.append(String.format(Locale.ROOT, "  spans     sent %d, accepted %d, rejected %d -> %.0f accepted spans/s"
        + " (%.0f requests/s)%n", spansSent, acceptedSpans, rejectedSpans, acceptedSpansPerSecond(),
        windowSeconds > 0 ? completed / windowSeconds : 0));
    sb.append(String.format(Locale.ROOT, "  bytes     sent %d (%.1f MiB/s, %d B/request)%n", bytesSent,
        windowSeconds > 0 ? bytesSent / windowSeconds / (1 << 20) : 0, requests > 0 ? bytesSent / requests : 0));
    sb.append(String.format(Locale.ROOT, "  latency   %s ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f"
        + "  (n=%d)%n", o.openLoop() ? "from intended send time" : "from send", latencyMillis(50), latencyMillis(90),
        latencyMillis(99), latencyMillis(99.9), maxLatencyMillis(), latencyMicros.getTotalCount()));
    if (duringLoad != null) {
      appendCheck(sb, "during the load", duringLoad);
    }
    if (check != null) {
      appendCheck(sb, "after the load", check);
    }
    return sb.toString();
  }

  /** Writes the summary as JSON. */
  public void writeJson(Path path) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (OutputStream out = Files.newOutputStream(path)) {
      writeJson(out);
    }
  }

  void writeJson(OutputStream out) throws IOException {
    LoadOptions o = options;
    try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8).useDefaultPrettyPrinter()) {
      g.writeStartObject();
      g.writeStringField("started", started.toString());
      g.writeObjectFieldStart("options");
      g.writeStringField("protocol", o.protocol());
      g.writeStringField("host", o.host());
      g.writeNumberField("port", o.port());
      g.writeStringField("encoding", o.json() ? "json" : "protobuf");
      g.writeBooleanField("gzip", o.gzip());
      g.writeNumberField("rateSpansPerSecond", o.rate());
      g.writeStringField("mode", o.openLoop() ? "open" : "closed");
      g.writeNumberField("concurrency", o.concurrency());
      g.writeNumberField("connections", o.connections());
      g.writeNumberField("spansPerRequest", o.batch());
      g.writeNumberField("pool", o.pool());
      g.writeNumberField("durationSeconds", o.duration().toMillis() / 1000.0);
      g.writeNumberField("warmupSeconds", o.warmup().toMillis() / 1000.0);
      g.writeNumberField("maxRequests", o.requests());
      g.writeEndObject();
      g.writeNumberField("loadAverageBefore", loadAverageBefore);
      g.writeNumberField("loadAverageAfter", loadAverageAfter);
      g.writeNumberField("generatorCpuSeconds", generatorCpuSeconds);
      g.writeNumberField("windowSeconds", windowSeconds);
      g.writeNumberField("requests", requests);
      g.writeNumberField("completed", completed);
      g.writeNumberField("unfinished", unfinished);
      g.writeNumberField("notSent", notSent);
      g.writeNumberField("lateSends", lateSends);
      g.writeNumberField("warmupRequests", warmupRequests);
      g.writeNumberField("spansSent", spansSent);
      g.writeNumberField("acceptedSpans", acceptedSpans);
      g.writeNumberField("rejectedSpans", rejectedSpans);
      g.writeNumberField("acceptedSpansPerSecond", acceptedSpansPerSecond());
      g.writeNumberField("bytesSent", bytesSent);
      g.writeObjectFieldStart("statuses");
      for (Outcome out2 : Outcome.values()) {
        g.writeNumberField(out2.label, count(out2));
      }
      g.writeEndObject();
      g.writeObjectFieldStart("statusDetails");
      for (Map.Entry<String, Long> e : details.entrySet()) {
        g.writeNumberField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      writeLatency(g, "latencyMillis", latencyMicros);
      if (check != null) {
        writeCheck(g, "traceCheck", check);
      }
      if (duringLoad != null) {
        writeCheck(g, "lookupsDuringLoad", duringLoad);
      }
      g.writeEndObject();
    }
  }

  private static void appendCheck(StringBuilder sb, String when, TraceChecker.Result c) {
    Histogram h = c.latencyMicros;
    sb.append(String.format(Locale.ROOT, "  traces    %s checked %d: found %d (%d spans), empty %d, 404 %d, errors"
        + " %d %s%n", when, c.checked(), c.found, c.spans, c.empty, c.notFound, c.errors, c.statuses));
    sb.append(String.format(Locale.ROOT, "  lookup    %s ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
        when, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0));
    if (c.server != null) {
      sb.append("  server    ").append(when).append(" (tempo_request_duration_seconds{route=\"")
          .append(TraceChecker.ROUTE).append("\"}) ").append(ServerLatency.describe(c.server)).append('\n');
      sb.append(String.format(Locale.ROOT, "  client    %s: within 1 ms %.2f %%%n", when,
          h.getTotalCount() == 0 ? Double.NaN : 100.0 * h.getCountBetweenValues(0, 1000) / h.getTotalCount()));
    } else if (c.serverUnavailable != null) {
      sb.append("  server    ").append(when).append(": ").append(c.serverUnavailable).append('\n');
    }
  }

  private static void writeCheck(JsonGenerator g, String name, TraceChecker.Result c) throws IOException {
    g.writeObjectFieldStart(name);
    g.writeNumberField("checked", c.checked());
    g.writeNumberField("found", c.found);
    g.writeNumberField("foundSpans", c.spans);
    g.writeNumberField("empty", c.empty);
    g.writeNumberField("notFound", c.notFound);
    g.writeNumberField("errors", c.errors);
    g.writeObjectFieldStart("statuses");
    for (Map.Entry<String, Long> e : c.statuses.entrySet()) {
      g.writeNumberField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
    writeLatency(g, "lookupLatencyMillis", c.latencyMicros);
    if (c.server != null) {
      ServerLatency.Buckets b = c.server.duration;
      g.writeObjectFieldStart("serverLatencyMillis");
      g.writeStringField("metric", ServerLatency.DURATION + "{route=\"" + TraceChecker.ROUTE + "\"}");
      g.writeNumberField("count", b.count());
      g.writeNumberField("p50", ServerLatency.ms(b.quantile(0.5)));
      g.writeNumberField("p90", ServerLatency.ms(b.quantile(0.9)));
      g.writeNumberField("p99", ServerLatency.ms(b.quantile(0.99)));
      g.writeNumberField("p99_9", ServerLatency.ms(b.quantile(0.999)));
      g.writeNumberField("shareWithin1ms", b.shareWithin(0.001));
      for (Map.Entry<String, ServerLatency.Buckets> e : c.server.phases.entrySet()) {
        g.writeObjectFieldStart("phase_" + e.getKey());
        g.writeNumberField("p50", ServerLatency.ms(e.getValue().quantile(0.5)));
        g.writeNumberField("p99", ServerLatency.ms(e.getValue().quantile(0.99)));
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void writeLatency(JsonGenerator g, String name, Histogram h) throws IOException {
    g.writeObjectFieldStart(name);
    g.writeNumberField("count", h.getTotalCount());
    g.writeNumberField("p50", h.getValueAtPercentile(50) / 1000.0);
    g.writeNumberField("p90", h.getValueAtPercentile(90) / 1000.0);
    g.writeNumberField("p99", h.getValueAtPercentile(99) / 1000.0);
    g.writeNumberField("p99_9", h.getValueAtPercentile(99.9) / 1000.0);
    g.writeNumberField("max", h.getMaxValue() / 1000.0);
    g.writeNumberField("mean", h.getMean() / 1000.0);
    g.writeEndObject();
  }
}
