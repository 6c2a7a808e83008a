package io.spanfold.examples.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/** Small client of a running server's OTLP/HTTP receiver and trace-by-id API, shared by the store ITs. */
final class TraceApi {
  static final String PROTOBUF = "application/protobuf";

  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final ServerProcess server;

  TraceApi(ServerProcess server) {
    this.server = server;
  }

  /** POSTs an OTLP/HTTP protobuf body; returns the status code. */
  int post(byte[] exportTraceServiceRequest) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(server.otlpHttpUrl("/v1/traces")))
        .header("Content-Type", "application/x-protobuf").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofByteArray(exportTraceServiceRequest)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  HttpResponse<byte[]> get(String path, String accept) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.httpUrl(path))).timeout(Duration.ofSeconds(30));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** {@code GET /api/v2/traces/{id}} in protobuf: field 1 of {@code TraceByIDResponse}, as OTLP {@code TracesData}. */
  TracesData v2Proto(byte[] traceId) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = get("/api/v2/traces/" + HexFormat.of().formatHex(traceId), PROTOBUF);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("v2 lookup: HTTP " + r.statusCode() + ": " + new String(r.body()));
    }
    return traceOfV2(r.body());
  }

  /** Field 1 ({@code Trace trace}) of a protobuf {@code tempopb.TraceByIDResponse}; empty if absent. */
  static TracesData traceOfV2(byte[] traceByIdResponse) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(traceByIdResponse);
    TracesData trace = TracesData.getDefaultInstance();
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) == 1 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        trace = TracesData.parseFrom(in.readBytes());
      } else {
        in.skipField(tag);
      }
    }
    return trace;
  }

  /** Every span of a trace response with the resource and scope it came under. */
  static List<Span> spans(TracesData trace) {
    List<Span> out = new ArrayList<>();
    for (ResourceSpans rs : trace.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        out.addAll(ss.getSpansList());
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ synthetic traces with known ids

  /** Trace {@code index} of run {@code run}: high 8 bytes the run, low 8 bytes index + 1. */
  static byte[] traceId(long run, int index) {
    return java.nio.ByteBuffer.allocate(16).putLong(run).putLong(index + 1L).array();
  }

  static byte[] spanId(int index, int span) {
    return java.nio.ByteBuffer.allocate(8).putInt(index + 1).putInt(span + 1).array();
  }

  /**
   * An OTLP export request with traces {@code first .. first+count-1} of {@code run}, {@code spansPerTrace} spans
   * each (span 0 the root, the others its children), under one resource and scope.
   */
  static byte[] request(long run, int first, int count, int spansPerTrace) {
    long now = System.currentTimeMillis() * 1_000_000L;
    ScopeSpans.Builder scope = ScopeSpans.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName("io.spanfold.it").setVersion("1"));
    for (int t = first; t < first + count; t++) {
      ByteString trace = ByteString.copyFrom(traceId(run, t));
      for (int s = 0; s < spansPerTrace; s++) {
        Span.Builder span = Span.newBuilder().setTraceId(trace).setSpanId(ByteString.copyFrom(spanId(t, s)))
            .setName(s == 0 ? "GET /orders/{id}" : "SELECT orders").setKindValue(s == 0 ? 2 : 3)
            .setStartTimeUnixNano(now - 5_000_000L + s).setEndTimeUnixNano(now)
            .addAttributes(KeyValue.newBuilder().setKey("it.trace")
                .setValue(AnyValue.newBuilder().setIntValue(t)))
            .addAttributes(KeyValue.newBuilder().setKey("db.statement")
                .setValue(AnyValue.newBuilder().setStringValue("SELECT * FROM orders WHERE id = ?")));
        if (s > 0) {
          span.setParentSpanId(ByteString.copyFrom(spanId(t, 0)));
        }
        scope.addSpans(span);
      }
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue("store-it"))))
        .addScopeSpans(scope)).build().toByteArray();
  }

  /**
   * Looks up every trace {@code i} of {@code run} with {@code wanted.test(i)} in {@code 0 .. traces-1} through v2
   * protobuf, four at a time, and returns a description of each one that is not exactly its {@code spansPerTrace}
   * spans (empty when all are whole).
   */
  List<String> incompleteTraces(long run, int traces, int spansPerTrace, IntPredicate wanted) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> checks = new ArrayList<>();
      for (int i = 0; i < traces; i++) {
        if (!wanted.test(i)) {
          continue;
        }
        int t = i;
        checks.add(pool.submit(() -> {
          Set<String> got = new TreeSet<>();
          for (Span s : spans(v2Proto(traceId(run, t)))) {
            got.add(HexFormat.of().formatHex(s.getSpanId().toByteArray()));
          }
          Set<String> want = new TreeSet<>();
          for (int s = 0; s < spansPerTrace; s++) {
            want.add(HexFormat.of().formatHex(spanId(t, s)));
          }
          return got.equals(want) ? null : "trace " + t + ": " + got.size() + " spans " + got;
        }));
      }
      List<String> bad = new ArrayList<>();
      for (Future<String> f : checks) {
        String r = f.get(60, TimeUnit.SECONDS);
        if (r != null) {
          bad.add(r);
        }
      }
      return bad;
    } finally {
      pool.shutdownNow();
    }
  }
}
