package io.spanfold.bench.load;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * OTLP load from the real OpenTelemetry Java SDK exporters ({@code OtlpGrpcSpanExporter}, {@code OtlpHttpSpanExporter},
 * both on the SDK's default OkHttp sender): how many spans/s a spanfold receiver takes from an actual SDK client, as
 * opposed to {@link LoadGenerator}'s hand-made raw-bytes clients. The spans are made once by an SDK tracer (HTTP
 * server spans with Beyla-like attributes, {@code --batch} per export) and exported again and again, so the exporter
 * marshals {@code SpanData} to protobuf on every export as a real SDK does; trace ids repeat, so point it at a receiver
 * that does not store (e.g. {@link ReceiversOnly}). Closed loop with {@code --concurrency} exports in flight (the
 * OkHttp dispatcher may cap that per host).
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.spanfold.bench.load.SdkExporterLoad --protocol=grpc
 * --port=P [--batch=100] [--concurrency=16] [--warmup=30s] [--duration=20s]}. Only 127.0.0.1 is targeted.
 */
public final class SdkExporterLoad {
  private SdkExporterLoad() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new java.util.HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (!a.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("flags are --name=value, not " + a);
      }
      o.put(a.substring(2, eq), a.substring(eq + 1));
    }
    String protocol = o.getOrDefault("protocol", "grpc");
    int port = Integer.parseInt(o.getOrDefault("port", protocol.equals("grpc") ? "4317" : "4318"));
    int batch = Integer.parseInt(o.getOrDefault("batch", "100"));
    int concurrency = Integer.parseInt(o.getOrDefault("concurrency", "16"));
    Duration warmup = LoadOptions.duration(o, "warmup", Duration.ofSeconds(30));
    Duration duration = LoadOptions.duration(o, "duration", Duration.ofSeconds(20));
    SpanExporter exporter;
    if (protocol.equals("grpc")) {
      exporter = OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + port)
          .setTimeout(Duration.ofSeconds(10)).build();
    } else if (protocol.equals("http")) {
      exporter = OtlpHttpSpanExporter.builder().setEndpoint("http://127.0.0.1:" + port + "/v1/traces")
          .setTimeout(Duration.ofSeconds(10)).build();
    } else {
      throw new IllegalArgumentException("--protocol must be grpc or http, not " + protocol);
    }
    List<List<SpanData>> batches = spans(16, batch);
    Semaphore permits = new Semaphore(concurrency);
    AtomicLong okSpans = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    Recorder latency = new Recorder(3_600_000_000L, 3);
    long t0 = System.nanoTime();
    long measureStart = t0 + warmup.toNanos();
    long end = measureStart + duration.toNanos();
    long okAtStart = -1;
    long cpuAtStart = 0;
    long nextReport = t0 + TimeUnit.SECONDS.toNanos(5);
    long reportedSpans = 0;
    for (long seq = 0; System.nanoTime() - end < 0; seq++) {
      if (!permits.tryAcquire(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        break;
      }
      long now = System.nanoTime();
      if (okAtStart < 0 && now - measureStart >= 0) {
        okAtStart = okSpans.get();
        cpuAtStart = cpuNanos();
        latency.getIntervalHistogram(); // drop the warmup's latencies
      }
      if (now - nextReport >= 0) {
        long s = okSpans.get();
        System.out.printf(Locale.ROOT, "[%6.1fs]%s %.0f spans/s%n", (now - t0) / 1e9,
            now - measureStart < 0 ? " warmup" : "", (s - reportedSpans) / 5.0);
        reportedSpans = s;
        nextReport += TimeUnit.SECONDS.toNanos(5);
      }
      long sent = now;
      CompletableResultCode r = exporter.export(batches.get((int) (seq % batches.size())));
      r.whenComplete(() -> {
        if (r.isSuccess()) {
          okSpans.addAndGet(batch);
        } else {
          failed.incrementAndGet();
        }
        latency.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
        permits.release();
      });
    }
    permits.tryAcquire(concurrency, 15, TimeUnit.SECONDS);
    double seconds = duration.toNanos() / 1e9;
    long spans = okSpans.get() - Math.max(0, okAtStart);
    double cpu = (cpuNanos() - cpuAtStart) / 1e9;
    org.HdrHistogram.Histogram h = latency.getIntervalHistogram();
    System.out.printf(Locale.ROOT, "sdk %s exporter -> 127.0.0.1:%d, %d spans/export, %d in flight: %.0f spans/s"
            + " (%d failed exports); latency ms p50 %.2f p99 %.2f max %.2f; client CPU %.1f s in %.0f s%n",
        protocol, port, batch, concurrency, spans / seconds, failed.get(), h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0, cpu, seconds);
    exporter.shutdown().join(10, TimeUnit.SECONDS);
    System.exit(spans > 0 ? 0 : 1);
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** {@code count} lists of {@code batch} finished SDK spans: Beyla-like HTTP server spans of 4 services. */
  static List<List<SpanData>> spans(int count, int batch) {
    List<SpanData> all = new ArrayList<>();
    SpanExporter collect = new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        all.addAll(spans);
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
    String[] services = {"frontend", "cart", "checkout", "catalog"};
    String[] routes = {"/api/items/{id}", "/api/cart", "/api/checkout", "/healthz", "/api/search"};
    List<List<SpanData>> out = new ArrayList<>();
    for (int s = 0; s < services.length; s++) {
      SdkTracerProvider provider = SdkTracerProvider.builder()
          .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
              AttributeKey.stringKey("service.name"), services[s],
              AttributeKey.stringKey("host.name"), "homelab-" + s,
              AttributeKey.stringKey("service.namespace"), "shop"))))
          .addSpanProcessor(SimpleSpanProcessor.create(collect)).build();
      Tracer tracer = provider.get("beyla");
      for (int i = 0; i < count * batch / services.length + 1; i++) {
        String route = routes[i % routes.length];
        Span span = tracer.spanBuilder("GET " + route).setSpanKind(SpanKind.SERVER).setParent(Context.root())
            .setAttribute("http.request.method", "GET")
            .setAttribute("http.route", route)
            .setAttribute("url.path", route.replace("{id}", Integer.toString(i)))
            .setAttribute("http.response.status_code", i % 50 == 0 ? 500 : 200)
            .setAttribute("server.address", services[s] + ".shop.svc")
            .setAttribute("server.port", 8080)
            .setAttribute("client.address", "10.0.0." + (i % 200))
            .setAttribute("network.protocol.version", "1.1")
            .startSpan();
        if (i % 50 == 0) {
          span.setStatus(StatusCode.ERROR);
        }
        span.end();
      }
      provider.close();
    }
    for (int b = 0; b < count; b++) {
      out.add(List.copyOf(all.subList(b * batch, (b + 1) * batch)));
    }
    return out;
  }
}
