package io.spanfold.redmetrics.remotewrite;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.spanfold.redmetrics.remotewrite.internal.WriteRequestEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * Sends the samples of a set of simpleclient {@link Collector}s to a Prometheus remote-write endpoint every
 * collection interval (Tempo's default 15 s), with the same collectors /metrics serves, so every registered metric
 * (span metrics, service graphs, …) is remote-written.
 *
 * <p>Each collection becomes one snappy-compressed {@code WriteRequest} in a bounded queue (when full, the oldest
 * request is dropped: samples are cumulative, the newer request supersedes it). One sender thread posts requests in
 * order. 5xx, 429 and connection errors are retried with exponential backoff ({@code minBackoff} doubling up to
 * {@code maxBackoff}) until {@code maxRetryDuration} has passed; any other 4xx is not retried: the request is
 * dropped and its samples counted as failed. Self-metrics use Prometheus' {@code prometheus_remote_storage_*} names
 * ({@link #metricsCollector()}).
 *
 * <p>Every series gets the external labels and, unless disabled, {@code __metrics_gen_instance=<hostname>} as
 * Tempo's generator adds. Thread-safe; {@link #close()} stops collecting and tries to deliver what is queued within
 * {@code flushDeadline}.
 */
public final class RemoteWriter implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RemoteWriter.class.getName());

  private final URI url;
  private final Duration interval;
  private final List<Collector> collectors;
  private final Map<String, String> externalLabels;
  private final String authorization;
  private final Map<String, String> headers;
  private final boolean sendExemplars;
  private final int queueCapacity;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final Duration maxRetryDuration;
  private final Duration timeout;
  private final Duration flushDeadline;
  private final Clock clock;
  private final String userAgent;
  private final HttpClient http;

  private final Object queueLock = new Object();
  private final ArrayDeque<Request> queue = new ArrayDeque<>();
  private final ScheduledExecutorService scheduler;
  private volatile boolean closed;

  private final AtomicLong samplesSent = new AtomicLong();
  private final AtomicLong exemplarsSent = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong samplesFailed = new AtomicLong();
  private final AtomicLong samplesRetried = new AtomicLong();
  private final AtomicLong samplesDropped = new AtomicLong();
  private final AtomicLong samplesPending = new AtomicLong();
  private final AtomicLong requestsFailed = new AtomicLong();

  private RemoteWriter(Builder b) {
    this.url = b.url;
    this.interval = b.interval;
    this.collectors = new CopyOnWriteArrayList<>(b.collectors);
    TreeMap<String, String> labels = new TreeMap<>(b.externalLabels);
    if (b.instanceLabel) {
      labels.putIfAbsent("__metrics_gen_instance", hostname());
    }
    this.externalLabels = Map.copyOf(labels);
    this.authorization = b.authorization;
    this.headers = Map.copyOf(b.headers);
    this.sendExemplars = b.sendExemplars;
    this.queueCapacity = b.queueCapacity;
    this.minBackoff = b.minBackoff;
    this.maxBackoff = b.maxBackoff;
    this.maxRetryDuration = b.maxRetryDuration;
    this.timeout = b.timeout;
    this.flushDeadline = b.flushDeadline;
    this.clock = b.clock;
    this.userAgent = b.userAgent;
    this.http = HttpClient.newBuilder().connectTimeout(b.timeout).build();
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(
            2,
            r -> {
              Thread t = new Thread(r, "spanfold-remote-write");
              t.setDaemon(true);
              return t;
            });
    s.setRemoveOnCancelPolicy(true);
    this.scheduler = s;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts periodic collection and the sender. */
  public RemoteWriter start() {
    long ms = interval.toMillis();
    scheduler.scheduleAtFixedRate(this::collectSafely, ms, ms, TimeUnit.MILLISECONDS);
    scheduler.execute(this::sendLoop);
    return this;
  }

  /** Adds a collector (for example service-graph metrics built later). */
  public void register(Collector c) {
    collectors.add(Objects.requireNonNull(c, "collector"));
  }

  private void collectSafely() {
    try {
      collectNow();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "remote write: collection failed", e);
    }
  }

  private static List<MetricFamilySamples> withoutExemplars(List<MetricFamilySamples> families) {
    List<MetricFamilySamples> out = new ArrayList<>(families.size());
    for (MetricFamilySamples f : families) {
      List<MetricFamilySamples.Sample> samples = new ArrayList<>(f.samples.size());
      for (MetricFamilySamples.Sample x : f.samples) {
        samples.add(new MetricFamilySamples.Sample(x.name, x.labelNames, x.labelValues, x.value, null, x.timestampMs));
      }
      out.add(new MetricFamilySamples(f.name, f.unit, f.type, f.help, samples));
    }
    return out;
  }

  /** Collects all collectors once and queues one request. Called by the schedule; public for tests/embedders. */
  public void collectNow() {
    List<MetricFamilySamples> families = new ArrayList<>();
    for (Collector c : collectors) {
      families.addAll(sendExemplars ? c.collect() : withoutExemplars(c.collect()));
    }
    WriteRequestEncoder.Encoded e = WriteRequestEncoder.encode(families, clock.millis(), externalLabels);
    if (e.samples == 0) {
      return;
    }
    byte[] body;
    try {
      body = Snappy.compress(e.bytes);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    Request r = new Request(body, e.samples, e.exemplars, clock.millis());
    synchronized (queueLock) {
      while (queue.size() >= queueCapacity) {
        Request dropped = queue.pollFirst();
        samplesDropped.addAndGet(dropped.samples);
        samplesPending.addAndGet(-dropped.samples);
      }
      queue.addLast(r);
      samplesPending.addAndGet(r.samples);
      queueLock.notifyAll();
    }
  }

  private void sendLoop() {
    while (true) {
      Request r;
      synchronized (queueLock) {
        while (queue.isEmpty() && !closed) {
          try {
            queueLock.wait(1000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        if (queue.isEmpty()) {
          queueLock.notifyAll();
          return; // closed and drained
        }
        r = queue.peekFirst();
      }
      boolean done = send(r);
      synchronized (queueLock) {
        if (queue.peekFirst() == r) {
          queue.pollFirst();
          samplesPending.addAndGet(-r.samples);
        }
        queueLock.notifyAll();
      }
      if (!done) {
        return; // interrupted
      }
    }
  }

  /** Sends one request with retries; returns false only when interrupted. */
  private boolean send(Request r) {
    long backoff = minBackoff.toMillis();
    boolean first = true;
    while (true) {
      if (!first) {
        samplesRetried.addAndGet(r.samples);
      }
      first = false;
      String problem;
      try {
        HttpRequest.Builder req =
            HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Encoding", RemoteWriteDescriptor.CONTENT_ENCODING)
                .header("Content-Type", RemoteWriteDescriptor.CONTENT_TYPE)
                .header(RemoteWriteDescriptor.VERSION_HEADER, RemoteWriteDescriptor.VERSION)
                .header("User-Agent", userAgent)
                .POST(HttpRequest.BodyPublishers.ofByteArray(r.body));
        for (Map.Entry<String, String> h : headers.entrySet()) {
          req.header(h.getKey(), h.getValue());
        }
        if (authorization != null) {
          req.setHeader("Authorization", authorization);
        }
        HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        int code = resp.statusCode();
        if (code / 100 == 2) {
          samplesSent.addAndGet(r.samples);
          exemplarsSent.addAndGet(r.exemplars);
          bytesSent.addAndGet(r.body.length);
          return true;
        }
        String body = resp.body();
        problem = code + " " + (body.length() > 256 ? body.substring(0, 256) : body).trim();
        if (code != 429 && code / 100 == 4) {
          samplesFailed.addAndGet(r.samples);
          requestsFailed.incrementAndGet();
          LOG.log(System.Logger.Level.WARNING, "remote write rejected, not retrying: {0}", problem);
          return true;
        }
      } catch (IOException e) {
        problem = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (clock.millis() - r.createdMillis > maxRetryDuration.toMillis() || (closed && pastFlushDeadline())) {
        samplesFailed.addAndGet(r.samples);
        requestsFailed.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "remote write failed, giving up on request: {0}", problem);
        return true;
      }
      LOG.log(System.Logger.Level.DEBUG, "remote write failed, retrying in {0} ms: {1}", backoff, problem);
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      backoff = Math.min(backoff * 2, maxBackoff.toMillis());
    }
  }

  private volatile long closeDeadline = Long.MAX_VALUE;

  private boolean pastFlushDeadline() {
    return System.nanoTime() > closeDeadline;
  }

  /** Blocks until the queue is empty or the timeout passes; returns whether it emptied. */
  public boolean awaitEmpty(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (queueLock) {
      while (!queue.isEmpty()) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        queueLock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
      return true;
    }
  }

  /** Stops collecting; delivers what is queued within the flush deadline, then stops the sender. */
  @Override
  public void close() {
    closeDeadline = System.nanoTime() + flushDeadline.toNanos();
    closed = true;
    synchronized (queueLock) {
      queueLock.notifyAll();
    }
    scheduler.shutdown();
    try {
      if (!scheduler.awaitTermination(flushDeadline.toMillis() + timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
        scheduler.shutdownNow();
      }
    } catch (InterruptedException e) {
      scheduler.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  public long samplesSent() {
    return samplesSent.get();
  }

  public long samplesFailed() {
    return samplesFailed.get();
  }

  public long samplesRetried() {
    return samplesRetried.get();
  }

  public long samplesDropped() {
    return samplesDropped.get();
  }

  public long samplesPending() {
    return samplesPending.get();
  }

  /** {@code prometheus_remote_storage_*} self-metrics, labelled {@code remote_name} and {@code url}. */
  public Collector metricsCollector() {
    return new Collector() {
      @Override
      public List<MetricFamilySamples> collect() {
        List<String> names = List.of("remote_name", "url");
        List<String> values = List.of("spanfold", url.toString());
        return List.of(
            counter("prometheus_remote_storage_samples", "Total number of samples sent to remote storage.",
                names, values, samplesSent.get()),
            counter("prometheus_remote_storage_exemplars", "Total number of exemplars sent to remote storage.",
                names, values, exemplarsSent.get()),
            counter("prometheus_remote_storage_bytes", "The total number of bytes of data (not metadata) sent by "
                + "the queue after compression.", names, values, bytesSent.get()),
            counter("prometheus_remote_storage_samples_failed", "Total number of samples which failed on send to "
                + "remote storage, non-recoverable errors.", names, values, samplesFailed.get()),
            counter("prometheus_remote_storage_samples_retried", "Total number of samples which failed on send to "
                + "remote storage but were retried because the send error was recoverable.", names, values,
                samplesRetried.get()),
            counter("prometheus_remote_storage_samples_dropped", "Total number of samples which were dropped "
                + "because the queue was full.", names, values, samplesDropped.get()),
            new MetricFamilySamples("prometheus_remote_storage_samples_pending", Type.GAUGE,
                "The number of samples pending in the queue.",
                List.of(new MetricFamilySamples.Sample("prometheus_remote_storage_samples_pending", names, values,
                    samplesPending.get()))));
      }
    };
  }

  private static MetricFamilySamples counter(
      String name, String help, List<String> names, List<String> values, double v) {
    return new MetricFamilySamples(name, Collector.Type.COUNTER, help,
        List.of(new MetricFamilySamples.Sample(name + "_total", names, values, v)));
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String h = System.getenv("HOSTNAME");
      return h == null ? "localhost" : h;
    }
  }

  private static final class Request {
    final byte[] body;
    final int samples;
    final int exemplars;
    final long createdMillis;

    Request(byte[] body, int samples, int exemplars, long createdMillis) {
      this.body = body;
      this.samples = samples;
      this.exemplars = exemplars;
      this.createdMillis = createdMillis;
    }
  }

  /** Builder; setters validate and name the rejected field. */
  public static final class Builder {
    private URI url;
    private Duration interval = Duration.ofSeconds(15);
    private final List<Collector> collectors = new ArrayList<>();
    private final Map<String, String> externalLabels = new TreeMap<>();
    private boolean instanceLabel = true;
    private String authorization;
    private final Map<String, String> headers = new TreeMap<>();
    private boolean sendExemplars = true;
    private int queueCapacity = 64;
    private Duration minBackoff = Duration.ofMillis(30);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private Duration maxRetryDuration = Duration.ofMinutes(5);
    private Duration timeout = Duration.ofSeconds(30);
    private Duration flushDeadline = Duration.ofMinutes(1);
    private Clock clock = Clock.systemUTC();
    private String userAgent = "spanfold-remote-write/0.1";

    private Builder() {}

    public Builder url(String url) {
      URI u = URI.create(Objects.requireNonNull(url, "url"));
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
        throw new IllegalArgumentException("url must be http(s): " + url);
      }
      this.url = u;
      return this;
    }

    public Builder interval(Duration d) {
      this.interval = positive("interval", d);
      return this;
    }

    public Builder collector(Collector c) {
      collectors.add(Objects.requireNonNull(c, "collector"));
      return this;
    }

    /** Added to every series that does not already carry the label (Tempo's {@code external_labels}). */
    public Builder externalLabel(String name, String value) {
      if (name == null || !name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
        throw new IllegalArgumentException("externalLabel: invalid label name " + name);
      }
      externalLabels.put(name, Objects.requireNonNull(value, "externalLabel value"));
      return this;
    }

    /**
     * An extra header on every request (Prometheus {@code remote_write.headers}, e.g. {@code X-Scope-OrgID}). The
     * protocol's own headers cannot be replaced; {@code Authorization} is better set by {@link #bearerToken} or
     * {@link #basicAuth}, which win over it.
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "header value");
      String lower = name.toLowerCase(java.util.Locale.ROOT);
      if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        throw new IllegalArgumentException("header: invalid name \"" + name + "\"");
      }
      if (lower.equals("content-encoding") || lower.equals("content-type") || lower.equals("user-agent")
          || lower.equals(RemoteWriteDescriptor.VERSION_HEADER.toLowerCase(java.util.Locale.ROOT))
          || lower.equals("host") || lower.equals("content-length") || lower.equals("connection")) {
        throw new IllegalArgumentException("header: " + name + " is set by the remote-write protocol");
      }
      headers.put(name, value);
      return this;
    }

    /** Whether exemplars (trace ids on latency buckets) are sent (Prometheus {@code send_exemplars}; default true). */
    public Builder sendExemplars(boolean enabled) {
      this.sendExemplars = enabled;
      return this;
    }

    /** Whether to add {@code __metrics_gen_instance=<hostname>} as Tempo does (default true). */
    public Builder instanceLabel(boolean enabled) {
      this.instanceLabel = enabled;
      return this;
    }

    public Builder basicAuth(String user, String password) {
      String token = Objects.requireNonNull(user, "basicAuth user") + ":"
          + Objects.requireNonNull(password, "basicAuth password");
      this.authorization = "Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
      return this;
    }

    public Builder bearerToken(String token) {
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("bearerToken is empty");
      }
      this.authorization = "Bearer " + token;
      return this;
    }

    /** Queued requests (one per collection) before the oldest is dropped (default 64). */
    public Builder queueCapacity(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("queueCapacity < 1: " + n);
      }
      this.queueCapacity = n;
      return this;
    }

    public Builder backoff(Duration min, Duration max) {
      positive("minBackoff", min);
      positive("maxBackoff", max);
      if (max.compareTo(min) < 0) {
        throw new IllegalArgumentException("maxBackoff < minBackoff");
      }
      this.minBackoff = min;
      this.maxBackoff = max;
      return this;
    }

    /** How long a request is retried on recoverable errors before its samples count as failed (default 5 m). */
    public Builder maxRetryDuration(Duration d) {
      this.maxRetryDuration = positive("maxRetryDuration", d);
      return this;
    }

    public Builder timeout(Duration d) {
      this.timeout = positive("timeout", d);
      return this;
    }

    /** How long {@link #close()} keeps delivering queued requests (Tempo's remote_write_flush_deadline, 1 m). */
    public Builder flushDeadline(Duration d) {
      this.flushDeadline = positive("flushDeadline", d);
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder userAgent(String ua) {
      this.userAgent = Objects.requireNonNull(ua, "userAgent");
      return this;
    }

    public RemoteWriter build() {
      if (url == null) {
        throw new IllegalStateException("url is required");
      }
      return new RemoteWriter(this);
    }

    private static Duration positive(String field, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + " must be > 0: " + d);
      }
      return d;
    }
  }
}
