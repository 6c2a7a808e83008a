package io.spanfold.core.query.traceql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parser golden tests: query → canonical form (Tempo's AST stringer). Many queries are the language examples of
 * Tempo's pkg/traceql/test_examples.yaml (v2.10.8), re-typed as test data.
 */
class TraceQLParserTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " ==> ",
      quoteCharacter = '\'',
      value = {
        // spanset filters and constant folding
        "{} ==> { true }",
        "{ true } ==> { true }",
        "{ !true } ==> { false }",
        "{ true && false } ==> { false }",
        "{ 1 = 2 } ==> { false }",
        "{ 1 < 2 } ==> { true }",
        "{ -1 = 2 } ==> { false }",
        "{ \"test\" =~ \"te.*\" } ==> { true }",
        "{ \"test\" !~ \"test\" } ==> { false }",
        "{ .a } ==> { .a }",
        "{ !.a } ==> { !.a }",
        "{ .a = 2 } ==> { .a = 2 }",
        "{ -.a = 2 } ==> { (-.a) = 2 }",
        "{ .a =~ \"test\" } ==> { .a =~ `test` }",
        "{ resource.a != 3 } ==> { resource.a != 3 }",
        "{ span.a != 3 } ==> { span.a != 3 }",
        "{ !(\"test\" != .c || ((true && .b) || 3 < .a)) } ==> { !((`test` != .c) || ((true && .b) || (3 < .a))) }",
        "{ status = ok } ==> { status = ok }",
        "{ status != error } ==> { status != error }",
        "{ statusMessage = \"\" } ==> { statusMessage = `` }",
        "{ kind = consumer } ==> { kind = consumer }",
        "{ traceDuration > 1s } ==> { traceDuration > 1s }",
        "{ rootServiceName = \"foo\" } ==> { rootServiceName = `foo` }",
        "{ rootName != \"foo\" } ==> { rootName != `foo` }",
        "{ duration > 1h30m } ==> { duration > 1h30m0s }",
        "{ duration > 1.5s } ==> { duration > 1.5s }",
        "{ duration < 100ms } ==> { duration < 100ms }",
        "{ duration < 300us } ==> { duration < 300µs }",
        "{ duration < 300µs } ==> { duration < 300µs }",
        "{ duration < 7ns } ==> { duration < 7ns }",
        "{ duration >= 2d } ==> { duration >= 48h0m0s }",
        "{ span.foo != 3.0 } ==> { span.foo != 3.0 }",
        "{ span.foo = 1e10 } ==> { span.foo = 1e+10 }",
        "{ span.foo = 0.25 } ==> { span.foo = 0.25 }",
        "{ span.\"a b\" = `x` } ==> { span.\"a b\" = `x` }",
        "{ resource.service.name = \"api\" } ==> { resource.service.name = `api` }",
        "{ .service.name = \"api\" } ==> { .service.name = `api` }",
        "{ .duration = 1s } ==> { .duration = 1s }",
        "{ span.duration = 1s } ==> { span.duration = 1s }",
        "{ .foo != nil } ==> { .foo != nil }",
        "{ nil != .foo } ==> { .foo != nil }",
        "{ .foo = nil } ==> { .foo = nil }",
        "{ nil = nil } ==> { false }",
        "{ name != nil } ==> { name != nil }",
        "{ span.x = `raw\\n` } ==> { span.x = `raw\\n` }",
        "{ .a = maxInt } ==> { .a = 9223372036854775807 }",
        // scoped intrinsics
        "{ trace:duration > 2s } ==> { traceDuration > 2s }",
        "{ trace:rootName = \"a\" } ==> { rootName = `a` }",
        "{ trace:rootService = \"a\" } ==> { rootServiceName = `a` }",
        "{ trace:id = \"00aasdf4ergf\" } ==> { trace:id = `aasdf4ergf` }",
        "{ span:duration > 2s } ==> { duration > 2s }",
        "{ span:name = \"x\" } ==> { name = `x` }",
        "{ span:status = error } ==> { status = error }",
        "{ span:kind = client } ==> { kind = client }",
        "{ span:statusMessage = \"m\" } ==> { statusMessage = `m` }",
        "{ span:id = \"61626364656667\" } ==> { span:id = `61626364656667` }",
        "{ span:parentID = \"84737586494\" } ==> { span:parentID = `84737586494` }",
        // arithmetic and precedence
        "{ 1 + 1 = 2 } ==> { true }",
        "{ .a + 1 = 2 } ==> { (.a + 1) = 2 }",
        "{ .a * 2 + 1 = 2 } ==> { ((.a * 2) + 1) = 2 }",
        "{ .a + 2 * 3 = 7 } ==> { (.a + 6) = 7 }",
        "{ .a ^ 2 ^ 3 > 1 } ==> { (.a ^ 8) > 1 }",
        "{ .a || .b && .c } ==> { (.a || .b) && .c }",
        "{ .a = 1 || .b = 2 && .c = 3 } ==> { ((.a = 1) || (.b = 2)) && (.c = 3) }",
        "{ duration > 1s * 2s } ==> { duration > 2e+18 }",
        "{ .http.status >= \"200\" } ==> { .http.status >= `200` }",
        // spanset operators
        "{ true } && { true } ==> { true } && { true }",
        "{ .a } || { .b } ==> { .a } || { .b }",
        "{ .a } >> { .b } ==> { .a } >> { .b }",
        "{ .a } << { .b } ==> { .a } << { .b }",
        "{ .a } > { .b } ==> { .a } > { .b }",
        "{ .a } < { .b } ==> { .a } < { .b }",
        "{ .a } ~ { .b } ==> { .a } ~ { .b }",
        "{ .a } !> { .b } ==> { .a } !> { .b }",
        "{ .a } !< { .b } ==> { .a } !< { .b }",
        "{ .a } !~ { .b } ==> { .a } !~ { .b }",
        "{ .a } !>> { .b } ==> { .a } !>> { .b }",
        "{ .a } !<< { .b } ==> { .a } !<< { .b }",
        "{ .a } &> { .b } ==> { .a } &> { .b }",
        "{ .a } &< { .b } ==> { .a } &< { .b }",
        "{ .a } &~ { .b } ==> { .a } &~ { .b }",
        "{ .a } &>> { .b } ==> { .a } &>> { .b }",
        "{ .a } &<< { .b } ==> { .a } &<< { .b }",
        "{ .a } && { .b } > { .c } ==> { .a } && ({ .b } > { .c })",
        "{ .a } > { .b } > { .c } ==> ({ .a } > { .b }) > { .c }",
        "({ .a } || { .b }) > { .c } ==> ({ .a } || { .b }) > { .c }",
        "({ .a } | count() > 1) && ({ .b } | count() > 1) ==> ({ .a }|(count()) > 1) && ({ .b }|(count()) > 1)",
        "({ true } | count() > 1 | { false }) >> ({ true } | count() > 1 | { false }) ==> ({ true }|(count()) > 1|{ false }) >> ({ true }|(count()) > 1|{ false })",
        // pipelines
        "{ .a } | count() > 1 ==> { .a }|(count()) > 1",
        "{ .a } | count() >= 1 ==> { .a }|(count()) >= 1",
        "{ } | count() = 1 ==> { true }|(count()) = 1",
        "{ } | count() != 1 ==> { true }|(count()) != 1",
        "{ } | count() < 1 ==> { true }|(count()) < 1",
        "{ } | count() <= 1 ==> { true }|(count()) <= 1",
        "{ } | avg(duration) > 1s ==> { true }|(avg(duration)) > 1s",
        "{ } | min(duration) = 1h ==> { true }|(min(duration)) = 1h0m0s",
        "{ } | max(span.a) = 1 ==> { true }|(max(span.a)) = 1",
        "{ } | sum(duration) > -1 ==> { true }|(sum(duration)) > -1",
        "{ } | max((1 + .a) * 2) = 1 ==> { true }|(max((1 + .a) * 2)) = 1",
        "avg(.field) > 1 ==> (avg(.field)) > 1",
        "max(duration) > 3s | { status = error || .http.status = 500 } ==> (max(duration)) > 3s|{ (status = error) || (.http.status = 500) }",
        "count() = 1 | { true } ==> (count()) = 1|{ true }",
        "select(.a) ==> select(.a)",
        "{} | select(.a,.b,.c) ==> { true }|select(.a, .b, .c)",
        "{} | select(span.a, resource.b, name, span:id) ==> { true }|select(span.a, resource.b, name, span:id)",
        "{ true } | by(.a) ==> { true }|by(.a)",
        "{ true } | by(1 + .a) | coalesce() ==> { true }|by(1 + .a)|coalesce()",
        "{ true } | by(name) | count() > 2 ==> { true }|by(name)|(count()) > 2",
        "by(.a) | { true } ==> by(.a)|{ true }",
        "{ true } | { .a } ==> { true }|{ .a }",
        "{ } with(most_recent=true) ==> { true }",
        "{ .a } // trailing comment ==> { .a }",
        // Grafana search builder forms
        "{resource.service.name=\"api\" && name=\"GET /x\" && status=error && duration>100ms && duration<5s && span.http.status_code=500} ==> { (((((resource.service.name = `api`) && (name = `GET /x`)) && (status = error)) && (duration > 100ms)) && (duration < 5s)) && (span.http.status_code = 500) }",
        "{(resource.service.name=\"a\" || resource.service.name=\"b\") && span.http.method!=\"GET\" && span.http.method!=\"POST\"} ==> { (((resource.service.name = `a`) || (resource.service.name = `b`)) && (span.http.method != `GET`)) && (span.http.method != `POST`) }",
        "{span.http.url=~\"/api/.*|/v1/\\\\.x\" && traceDuration>1s && .tag=\"v\"} ==> { ((span.http.url =~ `/api/.*|/v1/\\.x`) && (traceDuration > 1s)) && (.tag = `v`) }",
        "{kind=server && rootServiceName=\"api\" && rootName=\"GET /\" && statusMessage=~\"time.*\"} ==> { (((kind = server) && (rootServiceName = `api`)) && (rootName = `GET /`)) && (statusMessage =~ `time.*`) }",
      })
  void parsesToCanonicalForm(String query, String canonical) {
    assertThat(TraceQL.parse(query).toString()).isEqualTo(canonical);
  }

  @org.junit.jupiter.api.Test
  void decodesStringEscapesLikeGo() {
    Query q = TraceQL.parse("{ span.x = \"a\\\"b\\n\\t\\u00e9\\x41\\101\" }");
    assertThat(q.toString()).isEqualTo("{ span.x = `a\"b\n\t\u00e9AA` }");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiterString = " ==> ",
      quoteCharacter = '\'',
      value = {
        "'' ==> parse error at line 1, col 1: syntax error: unexpected $end",
        "{ .a } | { .b ==> parse error at line 1, col 14: syntax error: unexpected $end",
        "{ .a | .b } ==> parse error at line 1, col 6: syntax error: unexpected |",
        "({ .a } | { .b } ==> parse error at line 1, col 17: syntax error: unexpected $end, expecting ) or |",
        "by() ==> parse error at line 1, col 4: syntax error: unexpected )",
        "coalesce() ==> parse error at line 1, col 1: syntax error: unexpected coalesce",
        "select() ==> parse error at line 1, col 8: syntax error: unexpected )",
        "{ true } && ==> parse error at line 1, col 12: syntax error: unexpected $end",
        "count( ==> parse error at line 1, col 7: syntax error: unexpected $end, expecting )",
        "count(avg) ==> parse error at line 1, col 7: syntax error: unexpected avg, expecting )",
        "count(.thing) ==> parse error at line 1, col 7: syntax error: unexpected ., expecting )",
        "wharblgarbl ==> parse error at line 1, col 1: syntax error: unexpected IDENTIFIER",
        "{ 2 <> 3} ==> parse error at line 1, col 6: syntax error: unexpected >",
        "'{ 2 = .b ' ==> parse error at line 1, col 10: syntax error: unexpected $end",
        "{ + } ==> parse error at line 1, col 3: syntax error: unexpected +",
        "{ . foo } ==> parse error at line 1, col 3: syntax error: unexpected END_ATTRIBUTE, expecting IDENTIFIER",
        "{ .foo .bar } ==> parse error at line 1, col 8: syntax error: unexpected .",
        "{ parent. } ==> parse error at line 1, col 3: syntax error: unexpected END_ATTRIBUTE, expecting IDENTIFIER or resource. or span.",
        ".3foo ==> parse error at line 1, col 3: syntax error: unexpected IDENTIFIER",
        "{} | topk(10) ==> parse error at line 1, col 6: syntax error: unexpected topk",
        "{ .a = \"x } ==> parse error at line 1, col 8: literal not terminated",
        "{ attribute = 4 } ==> parse error at line 1, col 13: unknown identifier: attribute",
        "'{\n  .a = 1\n  && }' ==> parse error at line 3, col 6: syntax error: unexpected }",
      })
  void reportsSyntaxErrorsWithPosition(String query, String message) {
    assertThatThrownBy(() -> TraceQL.parse(query))
        .isInstanceOf(TraceQLParseException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "true",
        "[ true ]",
        "( true )",
        "{ . }",
        "{ < }",
        "{ .a < }",
        "{ .a < 3",
        "{ (.a < 3 }",
        "{ .attribute == 4 }",
        "{ span. }",
        "{ true } + { true }",
        "{ true } = { true }",
        "{ true } <= { true }",
        "max(name) = \"foo\"",
        "max(status) = ok",
        "min(1) = \"foo\"",
        "avg(.field) + 1",
        "select(.a",
        "select(1 + \"string\")",
        "coalesce() | { true }",
        "count() > 3 && { true }",
        "{ true } | count()",
        "{ true } | notAnAggregate() = 1",
        "{ true } | count = 1",
        "{ true } | max() = 1",
        "{ trace:status = error }",
        "{ trace:name = \"a\" }",
        "{ trace:rootServiceName = \"a\" }",
        "{ span:rootName = \"bar\" }",
      })
  void rejectsInvalidSyntax(String query) {
    assertThatThrownBy(() -> TraceQL.parse(query)).isInstanceOf(TraceQLParseException.class);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " ==> ",
      quoteCharacter = '\'',
      value = {
        "{ status } ==> span filter field expressions must resolve to a boolean: { status }",
        "{ 1.1 } ==> span filter field expressions must resolve to a boolean: { 1.1 }",
        "{ \"foo\" } ==> span filter field expressions must resolve to a boolean: { `foo` }",
        "{ 1 + \"foo\" = 1 } ==> binary operations must operate on the same type: 1 + `foo`",
        "{ 1 = \"foo\" } ==> binary operations must operate on the same type: 1 = `foo`",
        "{ 1 =~ 2} ==> illegal operation for the given types: 1 =~ 2",
        "{ status > ok } ==> illegal operation for the given types: status > ok",
        "{ rootServiceName = 1 } ==> binary operations must operate on the same type: rootServiceName = 1",
        "{ span:status = nil } ==> status=nil is not valid because intrinsics cannot be nil",
        "{ resource.service.name = nil } ==> resource.service.name=nil is not valid because resource.service.name cannot be nil",
        "{ span.foo =~ \"[\" } ==> invalid regex: `[`",
        "{ span.foo !~ \"a(?=b)\" } ==> invalid regex: `a(?=b)`",
        "{ -true } ==> illegal operation for the given type: -true",
        "{ !1 = 1 } ==> illegal operation for the given type: !1",
        "sum(3) = 2 ==> aggregate field expressions must reference the span: sum(3)",
        "min(1 = 3) = 1 ==> aggregate field expressions must resolve to a number type: min(false)",
        "{ true } | by(1) ==> grouping field expressions must reference the span: by(1)",
      })
  void reportsSemanticErrors(String query, String message) {
    assertThatThrownBy(() -> TraceQL.parse(query))
        .isInstanceOf(TraceQLParseException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " ==> ",
      quoteCharacter = '\'',
      value = {
        "{} | rate() ==> TraceQL metrics function rate() (use /api/metrics/query_range) not yet supported",
        "{} | quantile_over_time(duration, .5, .99) ==> TraceQL metrics function quantile_over_time() (use /api/metrics/query_range) not yet supported",
        "{} | compare({status=error}) ==> TraceQL metrics function compare() (use /api/metrics/query_range) not yet supported",
        "{ event.foo = \"bar\" } ==> attribute scope event. (event.foo) not yet supported",
        "{ link.foo = \"bar\" } ==> attribute scope link. (link.foo) not yet supported",
        "{ instrumentation.foo = \"bar\" } ==> attribute scope instrumentation. (instrumentation.foo) not yet supported",
        "{ event:name = \"exception\" } ==> intrinsic (event:name) not yet supported",
        "{ link:traceID = \"f1\" } ==> intrinsic (link:traceID) not yet supported",
        "{ instrumentation:version = \"v3.34\" } ==> intrinsic (instrumentation:version) not yet supported",
        "{ span:childCount > 1 } ==> intrinsic (span:childCount) not yet supported",
        "{ parent.a != 3 } ==> parent (parent.a) not yet supported",
        "{ parent.span.a > 3 } ==> parent (parent.span.a) not yet supported",
        "{ parent } ==> intrinsic (parent) not yet supported",
        "{ nestedSetLeft > 3 } ==> intrinsic (nestedSetLeft) not yet supported",
        "min(.field) < max(duration) ==> scalar filter rhs of type (max(duration)) not yet supported",
        "3 = 2 ==> scalar filter lhs of type (3) not yet supported",
        "({ .a } | count()) > ({ .b } | count()) ==> scalar pipeline expressions such as ({ … } | count()) > 1 not yet supported",
      })
  void reportsUnsupportedConstructs(String query, String message) {
    assertThatThrownBy(() -> TraceQL.parse(query))
        .isInstanceOf(TraceQLUnsupportedException.class)
        .hasMessage(message);
  }
}
