package io.spanfold.core.query.traceql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link TraceQL#parse} with the input read as UTF-8: a {@link Query} or one of the two defined errors
 * ({@link TraceQLParseException}, {@link TraceQLUnsupportedException}), never another exception or a stack overflow.
 * A parsed query also reads back its query methods without failing. Seeds:
 * {@code src/test/resources/io/spanfold/core/query/traceql/TraceQLFuzzTestInputs/parse/}.
 *
 * <p>When fuzzing, disable Jazzer's regex-injection sanitizer ({@code
 * -Djazzer.disabled_hooks=com.code_intelligence.jazzer.sanitizers.RegexInjection}): compiling the user's {@code =~}
 * pattern is the feature, and an invalid one is turned into a parse error.
 */
class TraceQLFuzzTest {
  @FuzzTest(maxDuration = "5m")
  void parse(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    Query q;
    try {
      q = TraceQL.parse(text);
    } catch (TraceQLParseException | TraceQLUnsupportedException e) {
      assertThat(e.getMessage()).isNotEmpty();
      return;
    }
    assertThat(q.text()).isEqualTo(text);
    assertThat(q.toString()).isNotNull();
    assertThat(q.requiredConditions()).isNotNull();
    assertThat(q.attributes()).isNotNull();
    assertThat(q.hints()).isNotNull();
  }

  @Test
  void deepNestingIsADefinedError() {
    for (String q : new String[] {"{ " + "(".repeat(100_000) + "true" + ")".repeat(100_000) + " }",
        "{ " + "!".repeat(100_000) + "true }", "{ " + "-".repeat(100_000) + "1 = 1 }",
        "(".repeat(100_000) + "{ true }" + ")".repeat(100_000), "{ .a = 1 " + "&& .a = 1 ".repeat(100_000) + "}",
        "{ .a } " + "&& { .b } ".repeat(100_000), "{ } | count() > " + "1 + ".repeat(100_000) + "1"}) {
      assertThatThrownBy(() -> TraceQL.parse(q)).as(q.substring(0, 20)).isInstanceOf(TraceQLParseException.class)
          .hasMessageContaining("too");
    }
  }

  @Test
  void nestingWithinTheLimitsParses() {
    TraceQL.parse("{ " + "(".repeat(100) + ".a = 1" + ")".repeat(100) + " }");
    TraceQL.parse("{ .a = 1 " + "&& .a = 1 ".repeat(400) + "}");
  }
}
