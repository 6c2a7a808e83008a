package io.spanfold.otlp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spanfold.otlp.query.TraceIdParser;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Fuzzes {@link TraceIdParser#parse} with the input read as UTF-8: it returns an id or throws its
 * {@link TraceIdParser.InvalidTraceIdException}, nothing else; and an accepted id is exactly the input's hex digits,
 * left-padded to 32. Seeds: {@code src/test/resources/io/spanfold/otlp/fuzz/TraceIdParserFuzzTestInputs/}.
 */
class TraceIdParserFuzzTest {
  @FuzzTest(maxDuration = "2m")
  void parse(byte[] data) {
    String id = new String(data, StandardCharsets.UTF_8);
    TraceIdParser.TraceId parsed;
    try {
      parsed = TraceIdParser.parse(id);
    } catch (TraceIdParser.InvalidTraceIdException e) {
      assertThat(e.getMessage()).matches("(?s)trace IDs can only contain hex characters: invalid character '.+' at "
          + "position [1-9][0-9]*|trace IDs can't be larger than 128 bits");
      return;
    }
    assertThat(id).matches("[0-9a-fA-F]{0,32}");
    String expected = "0".repeat(32 - id.length()) + id.toLowerCase(Locale.ROOT);
    assertThat(String.format("%016x%016x", parsed.high(), parsed.low())).isEqualTo(expected);
  }
}
