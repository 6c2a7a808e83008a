package io.spanfold.otlp.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanfold.otlp.query.TraceIdParser.InvalidTraceIdException;
import io.spanfold.otlp.query.TraceIdParser.TraceId;
import org.junit.jupiter.api.Test;

class TraceIdParserTest {
  @Test
  void fullLengthIdSplitsIntoHighAndLow() {
    assertThat(TraceIdParser.parse("5b8efff798038103d269b633813fc700"))
        .isEqualTo(new TraceId(0x5b8efff798038103L, 0xd269b633813fc700L));
  }

  @Test
  void caseInsensitive() {
    assertThat(TraceIdParser.parse("5B8EFFF798038103D269B633813FC700"))
        .isEqualTo(TraceIdParser.parse("5b8efff798038103d269b633813fc700"));
  }

  @Test
  void shortIdsAreLeftPadded() {
    assertThat(TraceIdParser.parse("d269b633813fc700")).isEqualTo(new TraceId(0, 0xd269b633813fc700L));
    assertThat(TraceIdParser.parse("1")).isEqualTo(new TraceId(0, 1));
    // odd length: a zero is prepended, the value is the same
    assertThat(TraceIdParser.parse("abc")).isEqualTo(new TraceId(0, 0xabc));
    assertThat(TraceIdParser.parse("1d269b633813fc700")).isEqualTo(new TraceId(1, 0xd269b633813fc700L));
  }

  @Test
  void emptyIsAllZeros() {
    assertThat(TraceIdParser.parse("")).isEqualTo(new TraceId(0, 0));
  }

  @Test
  void nonHexCharacterNamesCharacterAndOneBasedPosition() {
    assertThatThrownBy(() -> TraceIdParser.parse("12x4"))
        .isInstanceOf(InvalidTraceIdException.class)
        .hasMessage("trace IDs can only contain hex characters: invalid character 'x' at position 3");
    assertThatThrownBy(() -> TraceIdParser.parse("g"))
        .hasMessage("trace IDs can only contain hex characters: invalid character 'g' at position 1");
    assertThatThrownBy(() -> TraceIdParser.parse("ab\u00e9"))
        .hasMessage("trace IDs can only contain hex characters: invalid character '\u00e9' at position 3");
    assertThatThrownBy(() -> TraceIdParser.parse("a-b"))
        .hasMessage("trace IDs can only contain hex characters: invalid character '-' at position 2");
    // Unicode digits are not hex digits
    assertThatThrownBy(() -> TraceIdParser.parse("\u0663"))
        .hasMessage("trace IDs can only contain hex characters: invalid character '\u0663' at position 1");
  }

  @Test
  void hexIsCheckedBeforeLength() {
    assertThatThrownBy(() -> TraceIdParser.parse("0".repeat(40) + "z"))
        .hasMessage("trace IDs can only contain hex characters: invalid character 'z' at position 41");
  }

  @Test
  void moreThan128BitsIsRejectedEvenWithLeadingZeros() {
    assertThat(TraceIdParser.parse("f".repeat(32))).isEqualTo(new TraceId(-1L, -1L));
    assertThatThrownBy(() -> TraceIdParser.parse("1" + "0".repeat(32)))
        .isInstanceOf(InvalidTraceIdException.class)
        .hasMessage("trace IDs can't be larger than 128 bits");
    assertThatThrownBy(() -> TraceIdParser.parse("00" + "f".repeat(32)))
        .hasMessage("trace IDs can't be larger than 128 bits");
  }
}
