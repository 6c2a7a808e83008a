package io.spanfold.core.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogfmtTagsTest {
  @Test
  void parsesPlainQuotedBareAndEmptyValues() {
    assertThat(LogfmtTags.parse("service.name=api  http.url=\"/a b\" k= bare x=\"q\\\"\\n\\u0041\""))
        .containsExactly(
            Map.entry("service.name", "api"),
            Map.entry("http.url", "/a b"),
            Map.entry("k", ""),
            Map.entry("bare", ""),
            Map.entry("x", "q\"\nA"));
  }

  @Test
  void readsEveryLine() {
    assertThat(LogfmtTags.parse("a=1\nb=2")).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
  }

  @Test
  void emptyInputHasNoTags() {
    assertThat(LogfmtTags.parse("  ")).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiterString = " ==> ",
      value = {
        "=v ==> invalid tags: unexpected '=' at pos 1",
        "k=v=w ==> invalid tags: unexpected '=' at pos 4",
        "'\"k\"=v' ==> invalid tags: unexpected '\"' at pos 1",
        "'k=\"abc' ==> invalid tags: unterminated quoted value at pos 7",
        "'k=\"a\\qb\"' ==> invalid tags: invalid quoted value at pos 9",
        "k=1 k=2 ==> invalid tags: tag k has been set twice",
      })
  void reportsErrorsAsTempo(String input, String message) {
    assertThatThrownBy(() -> LogfmtTags.parse(input)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }
}
