package io.spanfold.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fuzzes {@link OtlpAttributes#findString} and {@link OtlpAttributes#forEach} over arbitrary message bytes: they never
 * throw, every slice they report lies inside the scanned range (the message is embedded between guard bytes), and
 * they allocate nothing that grows with the input or with a length read from it.
 *
 * <p>Input layout: byte 0 picks the attributes field number (1..16), byte 1 the key looked up, the rest is the message.
 */
class OtlpAttributesFuzzTest {
  private static final int GUARD = 5;
  private static final byte[][] KEYS = {
    "service.name".getBytes(StandardCharsets.UTF_8), new byte[0], "http.request.method".getBytes(StandardCharsets.UTF_8)
  };
  /** Exceptions used internally to stop at malformed bytes carry a stack trace: a fixed cost per call. */
  private static final long FIXED_ALLOWANCE = 64 * 1024;

  @FuzzTest(maxDuration = "5m")
  void scan(byte[] data) {
    if (data.length < 2) {
      return;
    }
    int field = (data[0] & 0x0F) + 1;
    byte[] key = KEYS[(data[1] & 0xFF) % KEYS.length];
    int length = data.length - 2;
    byte[] buf = new byte[length + 2 * GUARD];
    Arrays.fill(buf, (byte) 0x80); // a varint continuation byte: reading past the end would look like more data
    System.arraycopy(data, 2, buf, GUARD, length);
    int from = GUARD;
    int to = GUARD + length;
    // The visitor checks with plain comparisons (AssertJ would allocate inside the measured region) and counts.
    int[] violations = new int[1];
    OtlpAttributes.AttributeVisitor check = (b, keyOff, keyLen, type, valOff, valLen, bits) -> {
      boolean bad = b != buf || !inside(keyOff, keyLen, from, to);
      if (type == OtlpAttributes.TYPE_STRING || type == OtlpAttributes.TYPE_BYTES || type == OtlpAttributes.TYPE_ARRAY
          || type == OtlpAttributes.TYPE_KVLIST) {
        bad |= !inside(valOff, valLen, from, to);
      } else if (type != OtlpAttributes.TYPE_EMPTY && type != OtlpAttributes.TYPE_BOOL
          && type != OtlpAttributes.TYPE_INT && type != OtlpAttributes.TYPE_DOUBLE) {
        bad = true;
      }
      if (bad) {
        violations[0]++;
      }
    };

    long before = AllocationMeter.allocatedBytes();
    long found = OtlpAttributes.findString(buf, from, length, field, key);
    OtlpAttributes.forEach(buf, from, length, field, check);
    long allocated = AllocationMeter.allocatedBytes() - before;
    if (allocated > FIXED_ALLOWANCE) { // a first run may load classes on this thread: measure the warm path
      before = AllocationMeter.allocatedBytes();
      OtlpAttributes.findString(buf, from, length, field, key);
      OtlpAttributes.forEach(buf, from, length, field, check);
      allocated = AllocationMeter.allocatedBytes() - before;
    }
    assertThat(allocated).as("bytes allocated scanning %d bytes", length).isLessThanOrEqualTo(FIXED_ALLOWANCE);
    assertThat(violations[0]).as("attributes reported outside [%d, %d) or with an unknown type", from, to).isZero();

    // findString may find a match that forEach never reaches: forEach stops at the first malformed value, while
    // findString does not parse the values of keys it skips (both documented as "stop quietly"; found by fuzzing).
    if (found != -1) {
      assertInside((int) (found >>> 32), (int) found, from, to);
    }
  }

  private static boolean inside(int off, int len, int from, int to) {
    return len >= 0 && off >= from && off <= to && off + len >= from && off + len <= to;
  }

  private static void assertInside(int off, int len, int from, int to) {
    assertThat(len).isGreaterThanOrEqualTo(0);
    assertThat(off).isBetween(from, to);
    assertThat(off + len).isBetween(from, to);
  }
}
