package io.spanfold.examples.server;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
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
}
