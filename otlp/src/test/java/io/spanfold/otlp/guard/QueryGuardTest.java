package io.spanfold.otlp.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanfold.otlp.http.HttpGate;
import io.spanfold.otlp.http.HttpHandler;
import io.spanfold.otlp.http.HttpRequest;
import io.spanfold.otlp.http.HttpResponse;
import io.spanfold.otlp.http.NonBlockingHttpHandler;
import java.util.Map;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QueryGuardTest {
  private static HttpRequest get(String path, Map<String, String> headers) {
    return new HttpRequest("GET", path, Map.of(), headers, new byte[0]);
  }

  @Test
  void openPathsAreOpenAndTheRestNeedsCredentialsAndTenant() {
    HttpGate gate = QueryGuard.builder().authenticator(Authenticator.bearerToken("q")).multitenancy(true).build()
        .gate();
    assertThat(gate.check(get("/ready", Map.of()))).isNull();
    assertThat(gate.check(get("/metrics", Map.of()))).isNull();
    HttpResponse none = gate.check(get("/api/search", Map.of()));
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"spanfold\"");
    assertThat(gate.check(get("/api/search", Map.of("authorization", "Bearer x"))).status()).isEqualTo(403);
    HttpResponse noOrg = gate.check(get("/api/search", Map.of("authorization", "Bearer q")));
    assertThat(noOrg.status()).isEqualTo(401);
    assertThat(new String(noOrg.body())).isEqualTo("no org id\n");
    assertThat(gate.check(get("/api/search", Map.of("authorization", "Bearer q", "x-scope-orgid", "a")))).isNull();

    HttpGate closed = QueryGuard.builder().authenticator(Authenticator.bearerToken("q")).openPaths(Set.of()).build()
        .gate();
    assertThat(closed.check(get("/ready", Map.of())).status()).isEqualTo(401);
  }

  @Test
  void tenantResolver() {
    assertThat(QueryGuard.tenantResolver(true).apply(get("/x", Map.of("x-scope-orgid", "t1")))).isEqualTo("t1");
    assertThat(QueryGuard.tenantResolver(false).apply(get("/x", Map.of("x-scope-orgid", "t1"))))
        .isEqualTo("single-tenant");
  }

  @Test
  void aLimitKeepsAHandlerNonBlockingOnlyWithoutATimeBudget() throws Exception {
    HttpHandler inline = NonBlockingHttpHandler.of(r -> HttpResponse.text(200, "ok"));
    HttpHandler capped = QueryGuard.builder().maxConcurrent(2).build().limit(inline);
    assertThat(capped).isInstanceOf(NonBlockingHttpHandler.class);
    assertThat(capped.handle(get("/api/traces/1", Map.of())).status()).isEqualTo(200);
    // a time budget waits for the handler on another thread: that must stay off the event loop
    HttpHandler timed = QueryGuard.builder().maxConcurrent(2).timeout(Duration.ofSeconds(5)).build().limit(inline);
    assertThat(timed).isNotInstanceOf(NonBlockingHttpHandler.class);
    assertThat(timed.handle(get("/api/traces/1", Map.of())).status()).isEqualTo(200);
    HttpHandler plain = QueryGuard.builder().maxConcurrent(2).build().limit(r -> HttpResponse.text(200, "ok"));
    assertThat(plain).isNotInstanceOf(NonBlockingHttpHandler.class);
  }
}
