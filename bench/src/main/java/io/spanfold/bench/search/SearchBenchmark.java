package io.spanfold.bench.search;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.query.traceql.Attribute;
import io.spanfold.core.query.traceql.Query;
import io.spanfold.core.query.traceql.TraceQL;
import io.spanfold.core.search.SearchRequest;
import io.spanfold.core.search.SearchResponse;
import io.spanfold.core.search.TagValue;
import io.spanfold.core.store.SpanStore;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.core.wire.OtlpProtoDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Search latency over {@code spans} stored spans (10-span traces of 8 services spread over the last 30 minutes, ~2 %
 * of traces with an ERROR span, ~5 % with a span over 100 ms; blocks cut every min(1 M, spans / 4) spans, the last one left in the
 * head): a selective query ({@code service + status=error + duration}, the Grafana builder's typical form), an
 * unselective one (every trace matches; newest 20 wanted), one the index cannot narrow ({@code statusMessage},
 * verified on every trace until the limit — bounded by the time budget), and tag values from the index.
 * {@code Mode.SampleTime} gives percentiles (target: selective p50 ≤ 100 ms at 10 M spans).
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar SearchBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s -prof gc
 * -p spans=1000000}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xmx2g",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
      "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
      "-Dchronicle.analytics.disable=true"
    })
public class SearchBenchmark {
  static final int SPANS_PER_TRACE = 10;
  static final int TRACES_PER_REQUEST = 10;
  static final String[] ROUTES = {"/api/cart", "/api/checkout", "/api/user/{id}", "/health", "/api/search"};

  @Param({"1000000"})
  public int spans;

  private Path dir;
  private SpanStore store;
  private long from;
  private long to;
  private SearchRequest selective;
  private SearchRequest unselective;
  private SearchRequest unindexed;
  private int selectiveHits;

  @Setup(Level.Trial)
  public void setup() throws IOException {
    dir = Files.createTempDirectory("spanfold-search-bench");
    store = SpanStore.builder().dataDir(dir).maxBlockSpans(Math.min(1_000_000, spans / 4)).maxBlockBytes(1L << 30).build();
    long now = System.currentTimeMillis() * 1_000_000L;
    Random rnd = new Random(11);
    int traces = spans / SPANS_PER_TRACE;
    long t0 = System.nanoTime();
    for (int first = 0; first < traces; first += TRACES_PER_REQUEST) {
      // ingestion order = time order, as live traffic: the last 30 minutes
      long at = now - Duration.ofMinutes(30).toNanos() + (long) first * Duration.ofMinutes(30).toNanos() / traces;
      store.accept(decode(request(rnd, first, at)));
    }
    long ingest = System.nanoTime() - t0;
    from = now - Duration.ofHours(1).toNanos();
    to = now + Duration.ofMinutes(5).toNanos();
    selective = request("{resource.service.name=\"service-3\" && status=error && duration>100ms}", 20);
    unselective = request("{span.http.request.method=\"GET\"}", 20);
    unindexed = request("{statusMessage=\"upstream timeout\" && span.http.route=\"/health\"}", 20);
    SearchResponse r = store.search(SpanBatch.DEFAULT_TENANT, selective);
    selectiveHits = r.traces().size();
    System.out.printf("%n%d spans stored in %d blocks, ingest %.1f s; selective query finds %d traces, inspected %d%n",
        spans, store.blocks().size(), ingest / 1e9, selectiveHits, r.inspectedTraces());
  }

  private SearchRequest request(String q, int limit) {
    return SearchRequest.builder().query(TraceQL.parse(q)).timeRange(from, to).limit(limit)
        .timeBudget(Duration.ofSeconds(30)).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public SearchResponse selectiveServiceErrorDuration() {
    return store.search(SpanBatch.DEFAULT_TENANT, selective);
  }

  @Benchmark
  public SearchResponse unselectiveNewest20() {
    return store.search(SpanBatch.DEFAULT_TENANT, unselective);
  }

  @Benchmark
  public SearchResponse unindexedStatusMessage() {
    return store.search(SpanBatch.DEFAULT_TENANT, unindexed);
  }

  @Benchmark
  public Set<TagValue> tagValuesServiceName() {
    return store.tagValues(SpanBatch.DEFAULT_TENANT, Attribute.of(Attribute.Scope.RESOURCE, "service.name"), null,
        from, to, 5000, Duration.ofSeconds(10));
  }

  @Benchmark
  public Set<TagValue> tagValuesHttpRoute() {
    Query none = null;
    return store.tagValues(SpanBatch.DEFAULT_TENANT, Attribute.of(Attribute.Scope.SPAN, "http.route"), none,
        from, to, 5000, Duration.ofSeconds(10));
  }

  static TracesData request(Random rnd, int firstTrace, long startNanos) {
    TracesData.Builder td = TracesData.newBuilder();
    for (int t = 0; t < TRACES_PER_REQUEST; t++) {
      int service = rnd.nextInt(8);
      boolean error = rnd.nextInt(50) == 0;
      boolean slow = rnd.nextInt(20) == 0;
      byte[] tid = ByteBuffer.allocate(16).putLong(0x5EA8C4L).putLong(firstTrace + t + 1L).array();
      ScopeSpans.Builder ss = ScopeSpans.newBuilder();
      long start = startNanos + t * 1000L;
      for (int s = 0; s < SPANS_PER_TRACE; s++) {
        long dur = s == 1 && slow ? 150_000_000L + rnd.nextInt(50_000_000) : rnd.nextInt(5_000_000);
        Span.Builder sp = Span.newBuilder().setTraceId(ByteString.copyFrom(tid))
            .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(s + 1).array()))
            .setName("GET " + ROUTES[rnd.nextInt(ROUTES.length)]).setKindValue(s == 0 ? 2 : 3)
            .setStartTimeUnixNano(start + s * 1000L).setEndTimeUnixNano(start + s * 1000L + dur)
            .addAttributes(kv("http.request.method", "GET"))
            .addAttributes(kv("http.route", ROUTES[rnd.nextInt(ROUTES.length)]))
            .addAttributes(KeyValue.newBuilder().setKey("http.response.status_code")
                .setValue(AnyValue.newBuilder().setIntValue(error && s == 1 ? 500 : 200)))
            .addAttributes(kv("server.address", "backend-" + rnd.nextInt(20) + ".svc.cluster.local"));
        if (s > 0) {
          sp.setParentSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(s).array()));
        }
        if (error && s == 1) {
          sp.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("boom"));
        }
        ss.addSpans(sp);
      }
      td.addResourceSpans(ResourceSpans.newBuilder().setResource(Resource.newBuilder()
          .addAttributes(kv("service.name", "service-" + service))
          .addAttributes(kv("host.name", "node-" + service))).addScopeSpans(ss));
    }
    return td.build();
  }

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static SpanBatch decode(TracesData request) {
    byte[] b = request.toByteArray();
    SpanBatch batch = new SpanBatch();
    try {
      new OtlpProtoDecoder().decode(b, 0, b.length, batch);
    } catch (MalformedRequestException e) {
      throw new IllegalStateException(e);
    }
    return batch;
  }
}
