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
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.OtlpProtoDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The byte-level truncator against an oracle built with the generated message classes. */
class AttributeTruncationPropertyTest {
  @Provide
  Arbitrary<List<String>> values() {
    // Whole code points of 1 to 4 UTF-8 bytes (a lone surrogate is not a string protobuf can carry).
    Arbitrary<String> text = Arbitraries.of("a", "b", "\u00e9", "\u20ac", "\uD83D\uDE00").list().ofMaxSize(20)
        .map(l -> String.join("", l));
    return text.list().ofMinSize(1).ofMaxSize(6);
  }

  private static String cut(String s, int max) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length <= max) {
      return s;
    }
    int c = max;
    while (c > 0 && (b[c] & 0xC0) == 0x80) {
      c--;
    }
    return new String(b, 0, c, StandardCharsets.UTF_8);
  }

  private static ExportTraceServiceRequest request(List<String> values, boolean truncated, int max) {
    Span.Builder span = Span.newBuilder()
        .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
        .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, 7})).setName("op");
    Span.Event.Builder event = Span.Event.newBuilder().setName("ev");
    Resource.Builder resource = Resource.newBuilder();
    for (int i = 0; i < values.size(); i++) {
      String v = truncated ? cut(values.get(i), max) : values.get(i);
      String key = truncated ? cut("k" + i, max) : "k" + i; // Tempo cuts long keys too
      KeyValue kv = KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(v)).build();
      span.addAttributes(kv);
      event.addAttributes(kv);
      resource.addAttributes(kv);
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(resource)
        .addScopeSpans(ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("s"))
            .addSpans(span.addEvents(event)))).build();
  }

  @Property(tries = 300)
  void matchesTheOracle(@ForAll("values") List<String> values, @ForAll @IntRange(min = 1, max = 32) int max)
      throws Exception {
    byte[] bytes = request(values, false, max).toByteArray();
    SpanBatch b = new SpanBatch();
    new OtlpProtoDecoder().decode(bytes, 0, bytes.length, b);
    List<Span> spans = new ArrayList<>();
    List<Resource> resources = new ArrayList<>();
    SpanIngest.builder().maxAttributeBytes(max).consumer(x -> {
      try {
        spans.add(Span.parseFrom(ByteString.copyFrom(x.buffer(), x.spanOffset(0), x.spanLength(0))));
        int r = x.resourceIndex(0);
        resources.add(Resource.parseFrom(ByteString.copyFrom(x.buffer(), x.resourceOffset(r), x.resourceLength(r))));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }).build().ingest(b);

    ExportTraceServiceRequest expected = request(values, true, max);
    assertThat(spans).containsExactly(expected.getResourceSpans(0).getScopeSpans(0).getSpans(0));
    assertThat(resources).containsExactly(expected.getResourceSpans(0).getResource());
  }
}
