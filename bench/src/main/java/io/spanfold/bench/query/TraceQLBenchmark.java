package io.spanfold.bench.query;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.spanfold.core.query.traceql.OtlpTraceView;
import io.spanfold.core.query.traceql.Query;
import io.spanfold.core.query.traceql.Spanset;
import io.spanfold.core.query.traceql.TraceQL;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * TraceQL cost: parsing a Grafana search-builder query, and evaluating queries on one trace (20 spans, 3 services,
 * OTLP bytes → {@link OtlpTraceView} → {@link Query#evaluate}), the per-candidate cost after index pre-filtering.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar TraceQLBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class TraceQLBenchmark {
  static final String BUILDER_QUERY =
      "{resource.service.name=\"api\" && name=\"GET /users\" && status=error && duration>10ms && duration<5s"
          + " && span.http.status_code=500}";

  @Param({
    "{ resource.service.name = \"api\" && status = error }",
    "{ span.http.status_code >= 500 && duration > 10ms }",
    "{ .http.method = \"GET\" } >> { status = error }",
    "{ } | by(resource.service.name) | count() > 2",
  })
  public String query;

  private static final int TRACES = 256;
  private static final int MASK = TRACES - 1;
  private byte[][][] spans;
  private byte[][][] resources;
  private Query compiled;
  private int i;

  @Setup
  public void setup() {
    Random r = new Random(42);
    String[] services = {"api", "db", "web"};
    String[] names = {"GET /users", "SELECT users", "render", "POST /orders"};
    byte[][] res = new byte[services.length][];
    for (int s = 0; s < services.length; s++) {
      res[s] = Resource.newBuilder()
          .addAttributes(kv("service.name", services[s]))
          .addAttributes(kv("host.name", "host-" + s))
          .build()
          .toByteArray();
    }
    spans = new byte[TRACES][][];
    resources = new byte[TRACES][][];
    for (int t = 0; t < TRACES; t++) {
      int n = 20;
      spans[t] = new byte[n][];
      resources[t] = new byte[n][];
      byte[] tid = ByteBuffer.allocate(16).putLong(r.nextLong()).putLong(r.nextLong()).array();
      for (int s = 0; s < n; s++) {
        long start = 1_700_000_000_000_000_000L + s * 1_000_000L;
        Span.Builder b = Span.newBuilder()
            .setTraceId(ByteString.copyFrom(tid))
            .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(s + 1).array()))
            .setName(names[r.nextInt(names.length)])
            .setKindValue(1 + r.nextInt(4))
            .setStartTimeUnixNano(start)
            .setEndTimeUnixNano(start + r.nextInt(200) * 1_000_000L)
            .setStatus(Status.newBuilder().setCodeValue(r.nextInt(10) == 0 ? 2 : 0))
            .addAttributes(kv("http.method", r.nextBoolean() ? "GET" : "POST"))
            .addAttributes(KeyValue.newBuilder().setKey("http.status_code")
                .setValue(AnyValue.newBuilder().setIntValue(r.nextInt(5) == 0 ? 500 : 200)))
            .addAttributes(kv("http.url", "https://example.com/api/v1/items/" + r.nextInt(1000)))
            .addAttributes(kv("thread.name", "worker-" + r.nextInt(8)));
        if (s > 0) {
          b.setParentSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(1 + r.nextInt(s)).array()));
        }
        spans[t][s] = b.build().toByteArray();
        resources[t][s] = res[s == 0 ? 0 : r.nextInt(res.length)];
      }
    }
    compiled = TraceQL.parse(query);
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  /** Parse + validate the dominant Grafana builder form. */
  @Benchmark
  public Query parseBuilderQuery() {
    return TraceQL.parse(BUILDER_QUERY);
  }

  /** Build the OTLP view of one 20-span trace and evaluate the query on it. */
  @Benchmark
  public List<Spanset> evaluatePerTrace() {
    int t = i++ & MASK;
    OtlpTraceView.Builder b = OtlpTraceView.builder();
    byte[][] s = spans[t];
    byte[][] rs = resources[t];
    for (int k = 0; k < s.length; k++) {
      b.addSpan(s[k], rs[k]);
    }
    return compiled.evaluate(b.build());
  }
}
