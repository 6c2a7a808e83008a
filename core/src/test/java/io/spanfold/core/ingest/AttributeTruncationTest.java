package io.spanfold.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.OtlpProtoDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttributeTruncationTest {
  private static final String LONG = "0123456789abcdefXYZ"; // 19 bytes
  private static final String MULTIBYTE = "0123456789abcde\u00e9tail"; // 'é' (2 bytes) straddles byte 16

  private final List<Span> spans = new ArrayList<>();
  private final List<Resource> resources = new ArrayList<>();
  private final List<InstrumentationScope> scopes = new ArrayList<>();
  private final List<String> tenants = new ArrayList<>();
  private final Map<String, Integer> truncated = new HashMap<>();
  private byte[] lastBuffer;

  private SpanIngest ingest(int max) {
    return SpanIngest.builder().maxAttributeBytes(max).consumer(b -> {
      lastBuffer = b.buffer();
      tenants.add(b.tenant());
      try {
        for (int i = 0; i < b.size(); i++) {
          spans.add(Span.parseFrom(ByteString.copyFrom(b.buffer(), b.spanOffset(i), b.spanLength(i))));
          int r = b.resourceIndex(i);
          if (b.resourceLength(r) >= 0) {
            resources.add(Resource.parseFrom(
                ByteString.copyFrom(b.buffer(), b.resourceOffset(r), b.resourceLength(r))));
          }
          int s = b.scopeIndex(i);
          scopes.add(InstrumentationScope.parseFrom(ByteString.copyFrom(b.buffer(), b.scopeOffset(s),
              b.scopeLength(s))));
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }).metrics(new IngestMetrics() {
      @Override
      public void received(String tenant, int spans, long bytes) {}

      @Override
      public void discarded(String tenant, DiscardReason reason, int spans) {}

      @Override
      public void attributesTruncated(String tenant, String scope, int count) {
        truncated.merge(scope, count, Integer::sum);
      }
    }).build();
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  private static Span span(int id, String attr) {
    return Span.newBuilder()
        .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
        .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) id}))
        .setName("op-" + id).setStartTimeUnixNano(5).setEndTimeUnixNano(9)
        .addAttributes(kv("short", "ok"))
        .addAttributes(kv("long", attr))
        .addAttributes(KeyValue.newBuilder().setKey("n").setValue(AnyValue.newBuilder().setIntValue(42)))
        .addEvents(Span.Event.newBuilder().setName("ev").setTimeUnixNano(6).addAttributes(kv("e", LONG)))
        .addLinks(Span.Link.newBuilder().setTraceId(ByteString.copyFrom(new byte[16]))
            .setSpanId(ByteString.copyFrom(new byte[8])).addAttributes(kv("l", LONG)))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("bad"))
        .build();
  }

  private static SpanBatch decode(ExportTraceServiceRequest r) throws Exception {
    SpanBatch b = new SpanBatch();
    byte[] bytes = r.toByteArray();
    new OtlpProtoDecoder().decode(bytes, 0, bytes.length, b);
    return b;
  }

  @Test
  void longStringsAreCutInEveryScopeAndEverythingElseIsKept() throws Exception {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(kv("service.name", "svc")).addAttributes(kv("r", LONG)))
            .setSchemaUrl("https://schema/1")
            .addScopeSpans(ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("lib").addAttributes(kv("s", LONG)))
                .addSpans(span(1, LONG))
                .addSpans(span(2, MULTIBYTE))))
        .build();
    SpanBatch b = decode(request);
    b.tenant("team-a");

    IngestResult r = ingest(16).ingest(b);

    assertThat(r.rejected()).isZero();
    assertThat(r.message()).isEqualTo("8 attribute values truncated to 16 bytes");
    assertThat(truncated).containsEntry("resource", 1).containsEntry("scope", 1).containsEntry("span", 2)
        .containsEntry("event", 2).containsEntry("link", 2);
    assertThat(tenants).containsExactly("team-a");
    assertThat(spans).hasSize(2);
    Span s1 = spans.get(0);
    assertThat(s1.getName()).isEqualTo("op-1");
    assertThat(s1.getAttributes(0)).isEqualTo(kv("short", "ok"));
    assertThat(s1.getAttributes(1).getValue().getStringValue()).isEqualTo("0123456789abcdef");
    assertThat(s1.getAttributes(2).getValue().getIntValue()).isEqualTo(42);
    assertThat(s1.getEvents(0).getAttributes(0).getValue().getStringValue()).isEqualTo("0123456789abcdef");
    assertThat(s1.getLinks(0).getAttributes(0).getValue().getStringValue()).isEqualTo("0123456789abcdef");
    assertThat(s1.getStatus().getMessage()).isEqualTo("bad");
    assertThat(s1.toBuilder().clearAttributes().clearEvents().clearLinks().build())
        .isEqualTo(span(1, LONG).toBuilder().clearAttributes().clearEvents().clearLinks().build());
    // The cut never splits a UTF-8 character.
    String cut = spans.get(1).getAttributes(1).getValue().getStringValue();
    assertThat(cut).isEqualTo("0123456789abcde");
    assertThat(cut.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(16);
    assertThat(resources.get(0).getAttributes(0)).isEqualTo(kv("service.name", "svc"));
    assertThat(resources.get(0).getAttributes(1).getValue().getStringValue()).isEqualTo("0123456789abcdef");
    assertThat(scopes.get(0).getName()).isEqualTo("lib");
    assertThat(scopes.get(0).getAttributes(0).getValue().getStringValue()).isEqualTo("0123456789abcdef");
  }

  @Test
  void batchesWithoutLongValuesAreNotTouched() throws Exception {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("lib"))
            .addSpans(span(1, "short"))))
        .build();
    SpanBatch b = decode(request);
    byte[] original = b.buffer();
    IngestResult r = ingest(2048).ingest(b);
    assertThat(r.message()).isEmpty();
    assertThat(lastBuffer).isSameAs(original);
    assertThat(truncated).isEmpty();
    assertThat(spans.get(0)).isEqualTo(span(1, "short"));
  }
}
