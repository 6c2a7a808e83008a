package io.spanfold.otlp.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Status;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.otlp.CapturingConsumer;
import io.spanfold.otlp.TestRequests;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OtlpHttpReceiverTest {
  private final CapturingConsumer consumer = new CapturingConsumer();
  private final OtlpHttpReceiver receiver = new OtlpHttpReceiver(SpanIngest.builder().consumer(consumer).build());

  private static HttpRequest post(String contentType, byte[] body) {
    Map<String, String> headers = contentType == null ? Map.of() : Map.of("content-type", contentType);
    return new HttpRequest("POST", "/v1/traces", Map.of(), headers, body);
  }

  private static String text(HttpResponse r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void otherMethodsAre405() throws Exception {
    for (String method : new String[] {"GET", "PUT", "DELETE"}) {
      HttpResponse r = receiver.handle(new HttpRequest(method, "/v1/traces", Map.of(), Map.of(), new byte[0]));
      assertThat(r.status()).isEqualTo(405);
      assertThat(text(r)).isEqualTo("405 method not allowed, supported: [POST]");
    }
  }

  @Test
  void otherMediaTypesAre415AndParametersAreIgnored() throws Exception {
    for (String ct : new String[] {null, "text/plain", "application/protobuf", "application/jsonx"}) {
      HttpResponse r = receiver.handle(post(ct, new byte[0]));
      assertThat(r.status()).as(ct).isEqualTo(415);
      assertThat(text(r)).isEqualTo("415 unsupported media type, supported: [application/json, application/x-protobuf]");
    }
    HttpResponse withParams = receiver.handle(post("Application/X-Protobuf; charset=utf-8", TestRequests.valid(2)));
    assertThat(withParams.status()).isEqualTo(200);
    assertThat(consumer.spans()).hasSize(2);
  }

  @Test
  void protobufSuccessIsAnEmptyResponseAndSpansReachTheConsumer() throws Exception {
    HttpResponse r = receiver.handle(post("application/x-protobuf", TestRequests.valid(3)));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo("application/x-protobuf");
    assertThat(r.body()).isEmpty();
    assertThat(consumer.spans()).extracting(CapturingConsumer.Captured::name)
        .containsExactly("span-0", "span-1", "span-2");
  }

  @Test
  void zeroSpansSucceed() throws Exception {
    HttpResponse r = receiver.handle(post("application/x-protobuf", new byte[0]));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(consumer.spans()).isEmpty();
  }

  @Test
  void undecodableProtobufIs400WithAProtobufStatus() throws Exception {
    // Field 1 (resource_spans), length 100, but only 2 bytes follow.
    HttpResponse r = receiver.handle(post("application/x-protobuf", new byte[] {0x0a, 100, 1, 2}));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.contentType()).isEqualTo("application/x-protobuf");
    Status s = Status.parseFrom(r.body());
    assertThat(s.getCode()).isEqualTo(3);
    assertThat(s.getMessage()).isNotBlank();
    assertThat(consumer.spans()).isEmpty();
  }

  @Test
  void rejectedSpansAreReportedAsPartialSuccess() throws Exception {
    HttpResponse r = receiver.handle(post("application/x-protobuf", TestRequests.partlyInvalid()));

    assertThat(r.status()).isEqualTo(200);
    ExportTraceServiceResponse resp = ExportTraceServiceResponse.parseFrom(r.body());
    assertThat(resp.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(resp.getPartialSuccess().getErrorMessage()).contains("invalid_trace_id");
    assertThat(consumer.spans()).extracting(CapturingConsumer.Captured::name).containsExactly("ok-1", "ok-2");
  }

  @Test
  void ingestFailureIs503WithAnUnavailableStatus() throws Exception {
    consumer.failWith(new IllegalStateException("disk full"));

    HttpResponse r = receiver.handle(post("application/x-protobuf", TestRequests.valid(1)));

    assertThat(r.status()).isEqualTo(503);
    Status s = Status.parseFrom(r.body());
    assertThat(s.getCode()).isEqualTo(14);
    assertThat(s.getMessage()).isEqualTo("ingest failed: disk full");
  }

  @Test
  void jsonAnswersAreJson() throws Exception {
    String ok = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
        + "{\"stringValue\":\"api\"}}]},\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5B8EFFF798038103D269B633813FC60C\","
        + "\"spanId\":\"EEE19B7EC3C1B174\",\"name\":\"GET /x\",\"kind\":2,\"startTimeUnixNano\":\"1544712660000000000\","
        + "\"endTimeUnixNano\":\"1544712661000000000\"}]}]}]}";
    HttpResponse r = receiver.handle(post("application/json", ok.getBytes(StandardCharsets.UTF_8)));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo("application/json");
    assertThat(text(r)).isEqualTo("{\"partialSuccess\":{}}");
    assertThat(consumer.spans()).singleElement().satisfies(s -> {
      assertThat(s.name()).isEqualTo("GET /x");
      assertThat(s.traceIdHigh()).isEqualTo(0x5B8EFFF798038103L);
      assertThat(s.spanId()).isEqualTo(0xEEE19B7EC3C1B174L);
      assertThat(s.service()).isEqualTo("api");
    });

    String endBeforeStart = ok.replace("1544712661000000000", "1544712650000000000");
    HttpResponse partial = receiver.handle(post("application/json", endBeforeStart.getBytes(StandardCharsets.UTF_8)));
    assertThat(partial.status()).isEqualTo(200);
    assertThat(text(partial)).startsWith("{\"partialSuccess\":{\"rejectedSpans\":\"1\",\"errorMessage\":\"1 of 1 spans");

    HttpResponse bad = receiver.handle(post("application/json", "{\"resourceSpans\":[".getBytes(StandardCharsets.UTF_8)));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.contentType()).isEqualTo("application/json");
    assertThat(text(bad)).startsWith("{\"code\":3,\"message\":\"");

    HttpResponse empty = receiver.handle(post("application/json", "{}".getBytes(StandardCharsets.UTF_8)));
    assertThat(empty.status()).isEqualTo(200);
    assertThat(text(empty)).isEqualTo("{\"partialSuccess\":{}}");
  }

  @Test
  void mediaTypeParsing() {
    assertThat(OtlpHttpReceiver.mediaType("application/json; charset=utf-8")).isEqualTo("application/json");
    assertThat(OtlpHttpReceiver.mediaType(" Application/X-Protobuf ")).isEqualTo("application/x-protobuf");
    assertThat(OtlpHttpReceiver.mediaType(null)).isEmpty();
  }
}
