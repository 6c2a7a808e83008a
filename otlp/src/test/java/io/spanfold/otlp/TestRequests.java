package io.spanfold.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/** Hand-built OTLP requests (generated protobuf classes) for receiver tests. */
public final class TestRequests {
  private TestRequests() {}

  public static Span span(int traceIdBytes, long spanId, String name) {
    byte[] traceId = new byte[traceIdBytes];
    for (int i = 0; i < traceIdBytes; i++) {
      traceId[i] = (byte) (i + 1);
    }
    byte[] sid = new byte[8];
    for (int i = 0; i < 8; i++) {
      sid[i] = (byte) (spanId >>> (56 - 8 * i));
    }
    return Span.newBuilder()
        .setTraceId(ByteString.copyFrom(traceId))
        .setSpanId(ByteString.copyFrom(sid))
        .setName(name)
        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(1_700_000_000_000_000_000L)
        .setEndTimeUnixNano(1_700_000_000_100_000_000L)
        .build();
  }

  public static ExportTraceServiceRequest request(Span... spans) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue("svc"))))
            .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(java.util.Arrays.asList(spans))))
        .build();
  }

  /** Two valid spans and one with an 8-byte trace id, which ingest rejects. */
  public static byte[] partlyInvalid() {
    return request(span(16, 1, "ok-1"), span(8, 2, "short-trace-id"), span(16, 3, "ok-2")).toByteArray();
  }

  public static byte[] valid(int n) {
    Span[] spans = new Span[n];
    for (int i = 0; i < n; i++) {
      spans[i] = span(16, i + 1, "span-" + i);
    }
    return request(spans).toByteArray();
  }
}
