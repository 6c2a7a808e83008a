package io.spanfold.otlp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.CodedInputStream;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.spanfold.core.ingest.IngestResult;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.otlp.json.OtlpJsonDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link OtlpJsonDecoder}: any bytes end in a batch or {@link MalformedRequestException} (never another
 * exception, a stack overflow or a hang), the protobuf it transcodes to is valid for protobuf-java, the batch's slices
 * lie in its buffer, ingest takes the batch, and allocation stays proportional to the input. Seeds:
 * {@code src/test/resources/io/spanfold/otlp/fuzz/OtlpJsonDecoderFuzzTestInputs/}.
 */
class OtlpJsonDecoderFuzzTest {
  /** Strings, the protobuf buffer (grown by doubling), Jackson's text buffers: a few bytes a byte of JSON. */
  private static final long BYTES_PER_INPUT_BYTE = 64;
  /**
   * Per parse, Jackson copies its factory-wide field-name table the first time the document brings a new name
   * (copy-on-write); that table holds at most a few thousand names before it is reset, so this is a constant.
   * Found by fuzzing: 3.7 KB of distinct unknown names allocated 1.3 MB.
   */
  private static final long FIXED_ALLOWANCE = 4 * 1024 * 1024;

  private static final OtlpJsonDecoder DECODER = new OtlpJsonDecoder();
  private static final SpanBatch BATCH = new SpanBatch();
  private static final SpanIngest INGEST = SpanIngest.builder().consumer(b -> {}).build();

  static {
    // Load Jackson and the decoder before anything is measured.
    byte[] warm = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"w\",\"startTimeUnixNano\":\"1\"}]}]}]}"
        .getBytes(StandardCharsets.UTF_8);
    try {
      DECODER.decode(warm, 0, warm.length, BATCH);
      DECODER.decode(new byte[] {'['}, 0, 1, BATCH);
    } catch (MalformedRequestException expected) {
      // the second one
    }
  }

  @FuzzTest(maxDuration = "5m")
  void decode(byte[] data) throws IOException {
    long bound = FIXED_ALLOWANCE + BYTES_PER_INPUT_BYTE * data.length;
    long allocated = decodeMeasured(data);
    if (allocated > bound) {
      // A first run of a code path may load and (when fuzzing) instrument classes on this thread: measure the warm
      // path. An allocation sized by the input's contents happens again.
      allocated = decodeMeasured(data);
    }
    assertThat(allocated).as("bytes allocated decoding %d bytes of JSON", data.length).isLessThanOrEqualTo(bound);
    boolean decoded = decodedLast;
    if (!decoded) {
      return;
    }
    FuzzChecks.assertSlicesInside(BATCH);
    // Oracle: what the transcoder wrote is a request protobuf-java reads (nesting allowed as deep as Jackson's).
    CodedInputStream in = CodedInputStream.newInstance(BATCH.buffer(), 0, BATCH.bufferLength());
    in.setRecursionLimit(10_000);
    ExportTraceServiceRequest parsed = ExportTraceServiceRequest.parseFrom(in);
    int spans = parsed.getResourceSpansList().stream().flatMap(rs -> rs.getScopeSpansList().stream())
        .mapToInt(ss -> ss.getSpansCount()).sum();
    assertThat(BATCH.size()).isEqualTo(spans);
    IngestResult result = INGEST.ingest(BATCH);
    assertThat(result.accepted() + result.rejected()).isEqualTo(spans);
  }

  private static boolean decodedLast;

  private static long decodeMeasured(byte[] data) {
    long before = FuzzChecks.allocatedBytes();
    try {
      DECODER.decode(data, 0, data.length, BATCH);
      decodedLast = true;
    } catch (MalformedRequestException e) {
      // A JSON problem, never protobuf the transcoder wrote and the protobuf decoder then refused.
      assertThat(e.getMessage()).startsWith("malformed OTLP/JSON: ");
      decodedLast = false;
    }
    return FuzzChecks.allocatedBytes() - before;
  }

  /** Jackson's StreamReadConstraints are in force: 100 000 nested arrays fail cleanly instead of overflowing. */
  @Test
  void deepNestingIsRejectedByJacksonLimits() {
    String json = "{\"resourceSpans\":[{\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}]}";
    assertThatThrownBy(() -> decode(json)).isInstanceOf(MalformedRequestException.class)
        .hasMessageContaining("nesting depth");
    String anyValues = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"k\",\"value\":"
        + "{\"arrayValue\":{\"values\":[".repeat(20_000) + "]}}".repeat(20_000) + "}]}}]}";
    assertThatThrownBy(() -> decode(anyValues)).isInstanceOf(MalformedRequestException.class)
        .hasMessageContaining("nesting depth");
  }

  /** A big exponent once made BigDecimal.toBigIntegerExact compute 10^exponent (40 MB and seconds for 1e99999999). */
  @Test
  void hugeExponentsAreOutOfRangeWithoutBeingExpanded() {
    for (String v : new String[] {"\"1e99999999\"", "1e99999999", "\"-1e9999999\"", "\"1E+2147483647\""}) {
      String json = span("\"startTimeUnixNano\":" + v);
      long before = FuzzChecks.allocatedBytes();
      assertThatThrownBy(() -> decode(json)).as(v).isInstanceOf(MalformedRequestException.class)
          .hasMessageContaining("startTimeUnixNano");
      assertThat(FuzzChecks.allocatedBytes() - before).as(v).isLessThan(1024 * 1024);
    }
    for (String v : new String[] {"\"1e-999999999\"", "1e-999999999", "\"1" + "0".repeat(5000) + "\""}) {
      assertThatThrownBy(() -> decode(span("\"droppedAttributesCount\":" + v))).as(v)
          .isInstanceOf(MalformedRequestException.class);
    }
  }

  @Test
  void integersInExponentFormStillDecode() throws Exception {
    decode(span("\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"0102030405060708\","
        + "\"startTimeUnixNano\":\"1.5e3\",\"endTimeUnixNano\":2.0e3,\"droppedAttributesCount\":\"10e-1\""));
    assertThat(BATCH.startNanos(0)).isEqualTo(1500);
    assertThat(BATCH.endNanos(0)).isEqualTo(2000);
  }

  private static String span(String fields) {
    return "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{" + fields + "}]}]}]}";
  }

  private static void decode(String json) throws MalformedRequestException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    DECODER.decode(b, 0, b.length, BATCH);
  }
}
