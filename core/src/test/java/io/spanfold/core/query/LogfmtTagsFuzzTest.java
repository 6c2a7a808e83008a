package io.spanfold.core.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Fuzzes {@link LogfmtTags#parse} with the input read as UTF-8: tags, or an {@link IllegalArgumentException} with
 * Tempo's {@code invalid tags: …} wording, nothing else. Seeds:
 * {@code src/test/resources/io/spanfold/core/query/LogfmtTagsFuzzTestInputs/parse/}.
 */
class LogfmtTagsFuzzTest {
  @FuzzTest(maxDuration = "2m")
  void parse(byte[] data) {
    String encoded = new String(data, StandardCharsets.UTF_8);
    Map<String, String> tags;
    try {
      tags = LogfmtTags.parse(encoded);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith("invalid tags: ");
      return;
    }
    for (Map.Entry<String, String> e : tags.entrySet()) {
      assertThat(e.getKey()).isNotEmpty();
      assertThat(e.getValue()).isNotNull();
      assertThat(encoded).contains(e.getKey());
    }
  }
}
