package io.spanfold.otlp.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.spanfold.core.Spanfold;
import io.spanfold.core.query.traceql.OtlpTraceView;
import io.spanfold.core.query.traceql.Spanset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class SpanfoldSpanExporterTest {
  @TempDir Path dir;

  static SdkTracerProvider provider(SpanfoldSpanExporter exporter, String service) {
    return SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(
            Attributes.of(AttributeKey.stringKey("service.name"), service))))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(50)).build())
        .build();
  }

  static Map<String, AnyValue> attrs(List<KeyValue> kvs) {
    Map<String, AnyValue> m = new HashMap<>();
    for (KeyValue kv : kvs) {
      m.put(kv.getKey(), kv.getValue());
    }
    return m;
  }

  @Test
  void spansFromTheRealSdkAreFoundByIdAndByTraceQl() throws Exception {
    try (Spanfold spanfold = Spanfold.builder().dataDir(dir).build()) {
      SpanfoldSpanExporter exporter = SpanfoldSpanExporter.create(spanfold);
      SdkTracerProvider provider = provider(exporter, "checkout");
      Tracer tracer = provider.get("io.spanfold.test", "1.2.3");
      SpanContext linked = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c",
          "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.builder().put("vendor", "x1").build());
      Span server = tracer.spanBuilder("GET /cart").setSpanKind(SpanKind.SERVER)
          .setAttribute("http.route", "/cart")
          .setAttribute("http.status_code", 500L)
          .setAttribute("retry", true)
          .setAttribute("ratio", 0.25)
          .setAttribute(AttributeKey.stringArrayKey("tags"), List.of("a", "b"))
          .addLink(linked, Attributes.of(AttributeKey.stringKey("link.kind"), "follows"))
          .startSpan();
      String traceId = server.getSpanContext().getTraceId();
      try (Scope ignored = server.makeCurrent()) {
        Span child = tracer.spanBuilder("SELECT cart").setSpanKind(SpanKind.CLIENT)
            .setAttribute("db.system", "postgresql").startSpan();
        child.addEvent("rows", Attributes.of(AttributeKey.longKey("count"), 3L));
        child.end();
      }
      server.setStatus(StatusCode.ERROR, "boom");
      server.end();
      assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      assertThat(exporter.exportedSpans()).isEqualTo(2);

      TracesData trace = TracesData.parseFrom(spanfold.traceById(traceId));
      assertThat(trace.getResourceSpansCount()).isEqualTo(1);
      ResourceSpans rs = trace.getResourceSpans(0);
      assertThat(attrs(rs.getResource().getAttributesList()).get("service.name").getStringValue())
          .isEqualTo("checkout");
      assertThat(attrs(rs.getResource().getAttributesList())).containsKey("telemetry.sdk.version");
      ScopeSpans ss = rs.getScopeSpans(0);
      assertThat(ss.getScope().getName()).isEqualTo("io.spanfold.test");
      assertThat(ss.getScope().getVersion()).isEqualTo("1.2.3");
      Map<String, io.opentelemetry.proto.trace.v1.Span> byName = new HashMap<>();
      for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
        byName.put(s.getName(), s);
      }
      io.opentelemetry.proto.trace.v1.Span root = byName.get("GET /cart");
      io.opentelemetry.proto.trace.v1.Span db = byName.get("SELECT cart");
      assertThat(root.getKind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
      assertThat(root.getParentSpanId().isEmpty()).isTrue();
      assertThat(root.getStatus().getCodeValue()).isEqualTo(2);
      assertThat(root.getStatus().getMessage()).isEqualTo("boom");
      assertThat(root.getEndTimeUnixNano()).isGreaterThanOrEqualTo(root.getStartTimeUnixNano());
      assertThat(root.getFlags() & 0x01).isEqualTo(1); // sampled (the SDK may also set W3C's "random" bit 0x02)
      assertThat(root.getFlags() & 0x300).isZero(); // no parent: nothing to say about remoteness
      Map<String, AnyValue> a = attrs(root.getAttributesList());
      assertThat(a.get("http.route").getStringValue()).isEqualTo("/cart");
      assertThat(a.get("http.status_code").getIntValue()).isEqualTo(500);
      assertThat(a.get("retry").getBoolValue()).isTrue();
      assertThat(a.get("ratio").getDoubleValue()).isEqualTo(0.25);
      assertThat(a.get("tags").getArrayValue().getValuesList()).extracting(AnyValue::getStringValue)
          .containsExactly("a", "b");
      assertThat(root.getLinksCount()).isEqualTo(1);
      assertThat(root.getLinks(0).getTraceState()).isEqualTo("vendor=x1");
      assertThat(root.getLinks(0).getFlags()).isEqualTo(0x301); // sampled, has-is-remote, is-remote
      assertThat(db.getKind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT);
      assertThat(db.getParentSpanId()).isEqualTo(root.getSpanId());
      assertThat(db.getFlags() & 0x301).isEqualTo(0x101); // sampled, local parent
      assertThat(db.getEvents(0).getName()).isEqualTo("rows");
      assertThat(attrs(db.getEvents(0).getAttributesList()).get("count").getIntValue()).isEqualTo(3);

      long hi = Long.parseUnsignedLong(traceId.substring(0, 16), 16);
      long lo = Long.parseUnsignedLong(traceId.substring(16), 16);
      List<Spanset> hits = spanfold.evaluate(
          "{ resource.service.name = \"checkout\" && span.http.status_code >= 500 && status = error }", hi, lo);
      assertThat(hits).hasSize(1);
      OtlpTraceView view = spanfold.trace(hi, lo);
      assertThat(view.name(hits.get(0).spans()[0])).isEqualTo("GET /cart");
      assertThat(spanfold.evaluate("{ span.db.system = \"postgresql\" } >> { }", hi, lo)).isEmpty();
      assertThat(spanfold.evaluate("{ kind = server } > { span.db.system = \"postgresql\" }", hi, lo)).hasSize(1);
      assertThat(provider.shutdown().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    }
  }

  @Test
  void aSlowStoreNeverBlocksTheExportThreadAndOverflowFailsFast() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    try (Spanfold spanfold = Spanfold.builder().dataDir(dir).consumer(b -> {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }).build()) {
      SpanfoldSpanExporter exporter = SpanfoldSpanExporter.builder(spanfold).queueCapacity(2).build();
      InMemorySpans spans = new InMemorySpans();
      List<CompletableResultCode> results = new ArrayList<>();
      long t0 = System.nanoTime();
      results.add(exporter.export(spans.batch("a")));
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue(); // the worker is now stuck in the store
      results.add(exporter.export(spans.batch("b")));
      results.add(exporter.export(spans.batch("c")));
      CompletableResultCode overflow = exporter.export(spans.batch("d"));
      long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(elapsedMs).isLessThan(2_000);
      assertThat(overflow.isDone()).isTrue();
      assertThat(overflow.isSuccess()).isFalse();
      assertThat(exporter.droppedSpans()).isEqualTo(1);
      for (CompletableResultCode r : results) {
        assertThat(r.isDone()).isFalse();
      }
      release.countDown();
      for (CompletableResultCode r : results) {
        assertThat(r.join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      }
      assertThat(exporter.exportedSpans()).isEqualTo(3);
      assertThat(exporter.shutdown().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      CompletableResultCode late = exporter.export(spans.batch("e"));
      assertThat(late.isSuccess()).isFalse();
    }
  }

  @Test
  void aStoreFailureIsReportedThroughTheResultCode() throws Exception {
    Spanfold spanfold = Spanfold.builder().dataDir(dir).build();
    SpanfoldSpanExporter exporter = SpanfoldSpanExporter.create(spanfold);
    spanfold.close(); // ingest now throws IllegalStateException("spanfold is closed")
    CompletableResultCode r = exporter.export(new InMemorySpans().batch("x"));
    assertThat(r.join(10, TimeUnit.SECONDS).isSuccess()).isFalse();
    assertThat(r.getFailureThrowable()).hasMessage("spanfold is closed");
    assertThat(exporter.failedSpans()).isEqualTo(1);
    exporter.shutdown().join(10, TimeUnit.SECONDS);
  }

  /** Real SpanData from the SDK, captured with a synchronous processor. */
  static final class InMemorySpans {
    final List<io.opentelemetry.sdk.trace.data.SpanData> captured = new ArrayList<>();
    final SdkTracerProvider provider = SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(new io.opentelemetry.sdk.trace.export.SpanExporter() {
          @Override
          public CompletableResultCode export(java.util.Collection<io.opentelemetry.sdk.trace.data.SpanData> s) {
            captured.addAll(s);
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
        })).build();

    List<io.opentelemetry.sdk.trace.data.SpanData> batch(String name) {
      captured.clear();
      provider.get("t").spanBuilder(name).startSpan().end();
      return new ArrayList<>(captured);
    }
  }
}
