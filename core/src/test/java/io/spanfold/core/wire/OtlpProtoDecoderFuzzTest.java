package io.spanfold.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spanfold.core.ingest.IngestResult;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.core.model.SpanBatch;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link OtlpProtoDecoder}: any bytes end in a batch or {@link MalformedRequestException}, never another
 * exception; every slice of the batch lies inside the decoded range (the input is embedded between guard bytes);
 * the batch reads back and goes through {@link SpanIngest} without exceptions; and the call allocates in proportion
 * to the input, whatever lengths the bytes claim. Regression mode (plain {@code mvn verify}) replays the committed
 * seeds in {@code src/test/resources/io/spanfold/core/wire/OtlpProtoDecoderFuzzTestInputs/}; see the README section
 * "Fuzzing" for a real fuzzing run.
 */
class OtlpProtoDecoderFuzzTest {
  private static final int GUARD = 3;
  /** The batch's columns grow with the span count (about 100 bytes a span, doubled); a span takes 2 bytes or more. */
  private static final long BYTES_PER_INPUT_BYTE = 160;
  private static final long FIXED_ALLOWANCE = 256 * 1024;

  // Reused across inputs as a receiver thread reuses them, so state left behind by one input is exercised too.
  private static final OtlpProtoDecoder DECODER = new OtlpProtoDecoder();
  private static final SpanBatch BATCH = new SpanBatch();
  private static final SpanIngest INGEST = SpanIngest.builder().consumer(OtlpProtoDecoderFuzzTest::readAll).build();

  @FuzzTest(maxDuration = "5m")
  void decode(byte[] data) {
    byte[] buf = new byte[data.length + 2 * GUARD];
    Arrays.fill(buf, (byte) 0xFF);
    System.arraycopy(data, 0, buf, GUARD, data.length);

    long bound = FIXED_ALLOWANCE + BYTES_PER_INPUT_BYTE * data.length;
    long allocated = decodeMeasured(buf, data.length);
    if (allocated > bound) {
      // The first run of a code path may load and (when fuzzing) instrument classes on this thread: measure the
      // warm path. An allocation sized by the input's contents happens again.
      allocated = decodeMeasured(buf, data.length);
    }
    assertThat(allocated).as("bytes allocated decoding %d input bytes", data.length).isLessThanOrEqualTo(bound);
    boolean decoded = decodedLast;
    if (!decoded) {
      return;
    }
    assertSlicesInside(BATCH, GUARD, GUARD + data.length);
    int spans = BATCH.size();
    IngestResult result = INGEST.ingest(BATCH);
    assertThat(result.accepted() + result.rejected()).isEqualTo(spans);
    assertThat(BATCH.size()).isEqualTo(result.accepted());
    assertSlicesInside(BATCH, GUARD, GUARD + data.length);
  }

  private static boolean decodedLast;

  private static long decodeMeasured(byte[] buf, int length) {
    long before = AllocationMeter.allocatedBytes();
    try {
      DECODER.decode(buf, GUARD, length, BATCH);
      decodedLast = true;
    } catch (MalformedRequestException e) {
      assertThat(e.getMessage()).startsWith("malformed OTLP protobuf: ");
      decodedLast = false;
    }
    return AllocationMeter.allocatedBytes() - before;
  }

  /** A length prefix claiming 2 GiB - 1 bytes must fail on the bytes present, not try to make room for them. */
  @Test
  void hugeLengthPrefixFailsWithoutAllocating() {
    byte[] request = {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 0x12, 0x00};
    decodeExpectingFailure(request); // first call: class loading and interpreter warm-up allocate too
    long before = AllocationMeter.allocatedBytes();
    decodeExpectingFailure(request);
    assertThat(AllocationMeter.allocatedBytes() - before).isLessThan(16 * 1024);
  }

  private static void decodeExpectingFailure(byte[] request) {
    try {
      DECODER.decode(request, 0, request.length, BATCH);
      throw new AssertionError("decoded a request whose length prefix exceeds it");
    } catch (MalformedRequestException e) {
      assertThat(e.getMessage()).contains("truncated length-delimited field (length 2147483647");
    }
  }

  static void assertSlicesInside(SpanBatch b, int from, int to) {
    assertThat(b.bufferLength()).isEqualTo(to);
    for (int i = 0; i < b.size(); i++) {
      assertSlice(b.spanOffset(i), b.spanLength(i), from, to, "span", i);
      assertSlice(b.nameOffset(i), b.nameLength(i), from, to, "name", i);
      assertSlice(b.statusMessageOffset(i), b.statusMessageLength(i), from, to, "status message", i);
      assertThat(b.nameOffset(i)).isBetween(b.spanOffset(i), b.spanOffset(i) + b.spanLength(i));
      assertThat(b.resourceIndex(i)).isBetween(0, b.resourceCount() - 1);
      assertThat(b.scopeIndex(i)).isBetween(0, b.scopeCount() - 1);
    }
    for (int r = 0; r < b.resourceCount(); r++) {
      if (b.resourceLength(r) != -1 || b.resourceOffset(r) != -1) {
        assertSlice(b.resourceOffset(r), b.resourceLength(r), from, to, "resource", r);
      }
      if (b.resourceSchemaUrlLength(r) > 0) {
        assertSlice(b.resourceSchemaUrlOffset(r), b.resourceSchemaUrlLength(r), from, to, "resource schema", r);
      }
      assertThat(b.resourceServiceName(r)).isNotNull();
    }
    for (int s = 0; s < b.scopeCount(); s++) {
      if (b.scopeLength(s) != -1 || b.scopeOffset(s) != -1) {
        assertSlice(b.scopeOffset(s), b.scopeLength(s), from, to, "scope", s);
      }
      if (b.scopeSchemaUrlLength(s) > 0) {
        assertSlice(b.scopeSchemaUrlOffset(s), b.scopeSchemaUrlLength(s), from, to, "scope schema", s);
      }
    }
  }

  private static void assertSlice(int off, int len, int from, int to, String what, int index) {
    assertThat(len).as("%s[%d] length", what, index).isGreaterThanOrEqualTo(0);
    assertThat(off).as("%s[%d] offset", what, index).isBetween(from, to);
    assertThat(off + len).as("%s[%d] end", what, index).isBetween(from, to);
  }

  /** A consumer that touches everything a real one may read: strings, and the attributes in each slice. */
  private static void readAll(SpanBatch b) {
    byte[] buf = b.buffer();
    long sink = 0;
    for (int i = 0; i < b.size(); i++) {
      sink += b.name(i).length() + b.statusMessage(i).length() + b.serviceName(i).length();
      sink += b.traceIdHigh(i) ^ b.spanId(i) ^ b.parentSpanId(i) ^ b.kind(i) ^ b.statusCode(i);
      OtlpAttributes.forEach(buf, b.spanOffset(i), b.spanLength(i), OtlpFields.SPAN_ATTRIBUTES, NO_OP);
    }
    for (int r = 0; r < b.resourceCount(); r++) {
      if (b.resourceLength(r) >= 0) {
        OtlpAttributes.forEach(buf, b.resourceOffset(r), b.resourceLength(r), OtlpFields.RESOURCE_ATTRIBUTES, NO_OP);
      }
    }
    assertThat(sink).isNotNull();
  }

  private static final OtlpAttributes.AttributeVisitor NO_OP = (buf, ko, kl, type, vo, vl, bits) -> {};
}
