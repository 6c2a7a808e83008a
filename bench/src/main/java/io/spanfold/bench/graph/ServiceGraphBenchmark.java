package io.spanfold.bench.graph;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.spanfold.core.graph.EdgeListener;
import io.spanfold.core.graph.ServiceGraphBuilder;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.model.TraceIds;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.core.wire.OtlpProtoDecoder;
import io.spanfold.redmetrics.servicegraph.ServiceGraphMetrics;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Pairing cost per span with 10 000 half edges pending ({@code pending}): each invocation feeds one decoded OTLP request of {@value
 * #SPANS} Beyla-like spans (a client half or the matching server half of {@value #SPANS} distinct calls, with HTTP
 * attributes the builder scans), alternating so every other request completes the edges the previous one opened.
 * Target: at most 100 ns per span and no allocation per span ({@code gc.alloc.rate.norm} ≈ 0 B/op).
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar ServiceGraphBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class ServiceGraphBenchmark {
  static final int SPANS = 512;
  static final int ROUNDS = 64; // distinct request pairs cycled through

  /** Half edges left pending in the store (never completed): the store's steady-state fill. */
  @Param({"10000"})
  public int pending;

  /** {@code noop}: the builder alone; {@code metrics}: with the redmetrics service-graph series as listener. */
  @Param({"noop", "metrics"})
  public String listener;

  private ServiceGraphBuilder graph;
  private SpanBatch[] batches;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    EdgeListener l = listener.equals("metrics") ? ServiceGraphMetrics.builder().build() : EdgeListener.NOOP;
    // the clock never advances: pending halves never expire, so the store stays at PENDING (+ one open request)
    graph = ServiceGraphBuilder.builder().maxItems(pending + 2 * SPANS).clock(() -> 0L).listener(l).build();
    Random rnd = new Random(42);
    SpanBatch filler = decode(request(rnd, 1_000_000, pending, true));
    graph.accept(filler);
    batches = new SpanBatch[2 * ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      long base = 10_000_000L + (long) r * SPANS;
      batches[2 * r] = decode(request(new Random(r), base, SPANS, true));
      batches[2 * r + 1] = decode(request(new Random(r), base, SPANS, false));
    }
    if (graph.stats().pendingEdges() != pending) {
      throw new IllegalStateException("setup: " + graph.stats());
    }
  }

  @Benchmark
  @OperationsPerInvocation(SPANS)
  public long acceptBatch() {
    SpanBatch b = batches[next];
    next = (next + 1) & (2 * ROUNDS - 1);
    graph.accept(b);
    return b.size();
  }

  static final String[] CLIENTS = {"frigate", "immich", "homeassistant", "grafana"};
  static final String[] SERVERS = {"ollama", "ntfy", "mqtt", "loki"};

  /** {@code n} client halves (or the matching server halves) of calls in traces {@code base .. base+n}. */
  static byte[] request(Random rnd, long base, int n, boolean client) {
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    String[] services = client ? CLIENTS : SERVERS;
    for (String service : services) {
      ScopeSpans.Builder scope = ScopeSpans.newBuilder();
      for (int i = 0; i < n; i++) {
        if (!services[i % services.length].equals(service)) {
          continue;
        }
        long trace = base + i;
        long clientId = trace * 4 + 1;
        long start = 1_700_000_000_000_000_000L + i * 1_000L;
        Span.Builder s = Span.newBuilder()
            .setTraceId(id(trace, 16))
            .setName(client ? "GET" : "GET /api/generate")
            .setStartTimeUnixNano(start)
            .setEndTimeUnixNano(start + 1_000_000L + rnd.nextInt(50_000_000))
            .addAttributes(str("http.request.method", "GET"))
            .addAttributes(str("url.path", "/api/generate"));
        if (client) {
          s.setSpanId(id(clientId, 8)).setParentSpanId(id(clientId - 1, 8)).setKind(Span.SpanKind.SPAN_KIND_CLIENT)
              .addAttributes(str("server.address", SERVERS[i % SERVERS.length]))
              .addAttributes(KeyValue.newBuilder().setKey("server.port")
                  .setValue(AnyValue.newBuilder().setIntValue(8080)));
        } else {
          s.setSpanId(id(clientId + 1, 8)).setParentSpanId(id(clientId, 8)).setKind(Span.SpanKind.SPAN_KIND_SERVER)
              .addAttributes(str("http.route", "/api/generate"))
              .addAttributes(str("client.address", "10.0.0.7"));
        }
        scope.addSpans(s);
      }
      req.addResourceSpans(ResourceSpans.newBuilder()
          .setResource(Resource.newBuilder().addAttributes(str("service.name", service))
              .addAttributes(str("telemetry.sdk.name", "beyla")).addAttributes(str("host.name", "nuc")))
          .addScopeSpans(scope));
    }
    return req.build().toByteArray();
  }

  static KeyValue str(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static ByteString id(long v, int len) {
    byte[] b = new byte[len];
    TraceIds.writeLong(v, b, len - 8);
    if (len == 16) {
      TraceIds.writeLong(0x5EED, b, 0);
    }
    return ByteString.copyFrom(b);
  }

  static SpanBatch decode(byte[] bytes) {
    SpanBatch b = new SpanBatch();
    try {
      new OtlpProtoDecoder().decode(bytes, 0, bytes.length, b);
    } catch (MalformedRequestException e) {
      throw new IllegalStateException(e);
    }
    return b;
  }
}
