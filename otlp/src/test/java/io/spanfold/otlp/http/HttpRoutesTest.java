package io.spanfold.otlp.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class HttpRoutesTest {
  private final HttpHandler a = r -> HttpResponse.text(200, "a");
  private final HttpHandler b = r -> HttpResponse.text(200, "b");
  private final HttpHandler c = r -> HttpResponse.text(200, "c");

  @Test
  void exactPathsMatchOnlyThemselves() {
    HttpRoutes routes = HttpRoutes.builder().route("/ready", a).route("/api/echo", b).build();

    assertThat(routes.match("/ready").handler()).isSameAs(a);
    assertThat(routes.match("/api/echo").handler()).isSameAs(b);
    assertThat(routes.match("/ready/")).isNull();
    assertThat(routes.match("/api")).isNull();
    assertThat(routes.match("/")).isNull();
    assertThat(routes.match("/api/echo/x")).isNull();
  }

  @Test
  void parametersBindOneSegmentAndAreDecoded() {
    HttpRoutes routes = HttpRoutes.builder()
        .route("/api/traces/{traceID}", a)
        .route("/api/search/tag/{name}/values", b)
        .build();

    HttpRoutes.Match m = routes.match("/api/traces/0af7651916cd43dd8448eb211c80319c");
    assertThat(m.handler()).isSameAs(a);
    assertThat(m.pathParams()).containsExactly(
        org.assertj.core.api.Assertions.entry("traceID", "0af7651916cd43dd8448eb211c80319c"));
    // An encoded '/' stays inside the parameter; '+' is not a space in a path.
    HttpRoutes.Match tag = routes.match("/api/search/tag/http%2Fmethod+x/values");
    assertThat(tag.handler()).isSameAs(b);
    assertThat(tag.pathParams().get("name")).isEqualTo("http/method+x");
    assertThat(routes.match("/api/traces/")).isNull();
    assertThat(routes.match("/api/traces")).isNull();
    assertThat(routes.match("/api/traces/a/b")).isNull();
  }

  @Test
  void exactRoutesWinOverParameterRoutesWhateverTheOrder() {
    HttpRoutes routes = HttpRoutes.builder().route("/api/{x}", a).route("/api/echo", b).build();

    assertThat(routes.match("/api/echo").handler()).isSameAs(b);
    assertThat(routes.match("/api/other").handler()).isSameAs(a);
    assertThat(routes.patterns()).containsExactly("/api/echo", "/api/{x}");
  }

  @Test
  void restParameterTakesTheRemainingSegments() {
    HttpRoutes routes = HttpRoutes.builder().route("/static/{file...}", c).build();

    assertThat(routes.match("/static/a/b.js").pathParams().get("file")).isEqualTo("a/b.js");
    assertThat(routes.match("/static/a").pathParams().get("file")).isEqualTo("a");
    assertThat(routes.match("/static")).isNull();
  }

  @Test
  void methodSetsAreUppercasedAndGetAdmitsHead() {
    HttpRoutes routes = HttpRoutes.builder().route("/x", Set.of("get"), a).route("/y", b).build();

    HttpRoutes.Match x = routes.match("/x");
    assertThat(x.allows("GET")).isTrue();
    assertThat(x.allows("HEAD")).isTrue();
    assertThat(x.allows("POST")).isFalse();
    assertThat(x.allowedMethods()).containsExactly("GET", "HEAD");
    assertThat(routes.match("/y").allows("DELETE")).isTrue();
  }

  @Test
  void badPatternsAreRejectedWithTheReason() {
    assertThatThrownBy(() -> HttpRoutes.builder().route("x", a)).hasMessageContaining("must start with '/'");
    assertThatThrownBy(() -> HttpRoutes.builder().route("/a/{}", a)).hasMessageContaining("empty parameter");
    assertThatThrownBy(() -> HttpRoutes.builder().route("/a/x{y}", a)).hasMessageContaining("whole segment");
    assertThatThrownBy(() -> HttpRoutes.builder().route("/a/{r...}/b", a)).hasMessageContaining("last segment");
    assertThatThrownBy(() -> HttpRoutes.builder().route("/a", Set.of(), a)).hasMessageContaining("methods");
  }

  @Test
  void routeNamesFollowTempoInstrumentationLabels() {
    // Tempo's integration tests assert these labels on tempo_request_duration_seconds
    assertThat(HttpRoutes.routeName("/api/traces/{traceID}")).isEqualTo("api_traces_traceid");
    assertThat(HttpRoutes.routeName("/api/v2/traces/{traceID}")).isEqualTo("api_v2_traces_traceid");
    assertThat(HttpRoutes.routeName("/api/search")).isEqualTo("api_search");
    assertThat(HttpRoutes.routeName("/api/v2/search/tag/{tagName}/values")).isEqualTo(
        "api_v2_search_tag_tagname_values");
    assertThat(HttpRoutes.routeName("/api/v2/search/tag/{tagName...}/values")).isEqualTo(
        "api_v2_search_tag_tagname_values");
    assertThat(HttpRoutes.routeName("/metrics")).isEqualTo("metrics");
    assertThat(HttpRoutes.routeName("/")).isEqualTo("root");
    assertThat(HttpRoutes.routeName("//a--B/_9_/")).isEqualTo("a_b_9");

    HttpRoutes routes = HttpRoutes.builder().route("/api/v2/traces/{traceID}", r -> null).build();
    assertThat(routes.match("/api/v2/traces/abc").routeName()).isEqualTo("api_v2_traces_traceid");
  }
}
