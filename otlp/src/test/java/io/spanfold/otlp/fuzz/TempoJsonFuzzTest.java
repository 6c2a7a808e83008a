package io.spanfold.otlp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.spanfold.otlp.query.TempoJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link TempoJson} over arbitrary {@code TracesData} bytes: each call returns JSON that parses, or throws its
 * defined {@link IllegalArgumentException} ("malformed protobuf: …"), never another exception, a stack overflow or
 * an allocation out of proportion to the input. Seeds: {@code src/test/resources/io/spanfold/otlp/fuzz/
 * TempoJsonFuzzTestInputs/}.
 */
class TempoJsonFuzzTest {
  /**
   * Output per input byte, all three calls together: a control byte in a string becomes {@code \\u00XX} (6 chars),
   * held in a StringBuilder and a char[] and written to a growing byte stream.
   */
  private static final long BYTES_PER_INPUT_BYTE = 512;
  private static final long FIXED_ALLOWANCE = 1024 * 1024;
  private static final JsonFactory READER = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(100_000).build()).build();

  static {
    TempoJson.trace(new byte[0]);
  }

  @FuzzTest(maxDuration = "5m")
  void write(byte[] data) throws IOException {
    long bound = FIXED_ALLOWANCE + BYTES_PER_INPUT_BYTE * data.length;
    long allocated = writeAllMeasured(data);
    if (allocated > bound) {
      // A first run of a code path may load and (when fuzzing) instrument classes on this thread: measure the warm
      // path. An allocation sized by the input's contents happens again.
      allocated = writeAllMeasured(data);
    }
    assertThat(allocated).as("bytes allocated writing %d input bytes", data.length).isLessThanOrEqualTo(bound);
    if (written != null) {
      for (byte[] json : written) {
        assertValidJson(json);
      }
    }
  }

  private static byte[][] written;

  private static long writeAllMeasured(byte[] data) {
    long before = FuzzChecks.allocatedBytes();
    try {
      written = new byte[][] {
        TempoJson.traceV1(data),
        TempoJson.trace(data),
        TempoJson.traceByIdResponse(data, data.length, true, "partial \u0000 \"trace\"")
      };
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith("malformed protobuf: ");
      written = null;
    }
    return FuzzChecks.allocatedBytes() - before;
  }

  /** A trace of many resource spans: each occurrence once copied all before it (quadratic). */
  @Test
  void manyOccurrencesOfARepeatedFieldAllocateLinearly() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] resourceSpans = {0x0A, 0x04, 0x1A, 0x02, 'u', 'r'}; // resource_spans { schema_url: "ur" }
    for (int i = 0; i < 50_000; i++) {
      out.write(resourceSpans, 0, resourceSpans.length);
    }
    byte[] data = out.toByteArray();
    long before = FuzzChecks.allocatedBytes();
    byte[] json = TempoJson.trace(data);
    assertAllocationProportional(before, data.length);
    assertThat(new String(json, StandardCharsets.UTF_8)).startsWith("{\"resourceSpans\":[{\"schemaUrl\":\"ur\"},");
  }

  /** A singular message repeated on the wire is still merged as gogo merges it (the fix made merging lazy). */
  @Test
  void repeatedSingularMessageIsMerged() {
    // resource_spans { resource { attributes {key "a"} } resource { attributes {key "b"} } }
    byte[] kvA = {0x0A, 0x03, 0x0A, 0x01, 'a'};
    byte[] kvB = {0x0A, 0x03, 0x0A, 0x01, 'b'};
    byte[] rs = concat(new byte[] {0x0A, 0x05}, kvA, new byte[] {0x0A, 0x05}, kvB);
    byte[] data = concat(new byte[] {0x0A, (byte) rs.length}, rs);
    assertThat(new String(TempoJson.trace(data), StandardCharsets.UTF_8))
        .isEqualTo("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"a\"},{\"key\":\"b\"}]}}]}");
  }

  /** 10 000 nested array values in an attribute: a defined error, not a StackOverflowError or Jackson's limit. */
  @Test
  void deeplyNestedAnyValueIsAMalformedMessage() {
    byte[] value = {0x0A, 0x01, 'x'}; // AnyValue { string_value: "x" }
    for (int i = 0; i < 10_000; i++) {
      byte[] array = wrap(1, value); // ArrayValue { values: value }
      value = wrap(5, array); // AnyValue { array_value: array }
    }
    byte[] kv = concat(new byte[] {0x0A, 0x01, 'k'}, wrap(2, value));
    byte[] span = wrap(9, kv);
    byte[] data = wrap(1, wrap(2, wrap(2, span)));
    assertThatThrownBy(() -> TempoJson.trace(data)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("malformed protobuf: messages nested deeper than 100");
  }

  @Test
  void nestingUpToTheLimitIsWritten() throws IOException {
    byte[] value = {0x0A, 0x01, 'x'};
    for (int i = 0; i < 45; i++) { // TracesData..KeyValue take 5 levels, each array value 2
      value = wrap(5, wrap(1, value));
    }
    byte[] data = wrap(1, wrap(2, wrap(2, wrap(9, concat(new byte[] {0x0A, 0x01, 'k'}, wrap(2, value))))));
    assertValidJson(TempoJson.trace(data));
  }

  private static void assertAllocationProportional(long before, int inputLength) {
    assertThat(FuzzChecks.allocatedBytes() - before).as("bytes allocated writing %d input bytes", inputLength)
        .isLessThanOrEqualTo(FIXED_ALLOWANCE + BYTES_PER_INPUT_BYTE * inputLength);
  }

  private static void assertValidJson(byte[] json) throws IOException {
    try (JsonParser p = READER.createParser(json)) {
      assertThat(p.nextToken()).isNotNull();
      p.skipChildren();
      assertThat(p.nextToken()).as("one JSON value").isNull();
    }
  }

  private static byte[] wrap(int field, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 6);
    out.write(field << 3 | 2);
    int n = body.length;
    while ((n & ~0x7F) != 0) {
      out.write(n & 0x7F | 0x80);
      n >>>= 7;
    }
    out.write(n);
    out.write(body, 0, body.length);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p, 0, p.length);
    }
    return out.toByteArray();
  }
}
