package io.spanfold.otlp.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanfold.otlp.guard.Authenticator.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
  @Test
  void bearerToken() {
    Authenticator a = Authenticator.bearerToken("s3cret-token");
    assertThat(a.check(null)).isEqualTo(Outcome.MISSING);
    assertThat(a.check("")).isEqualTo(Outcome.MISSING);
    assertThat(a.check("Bearer s3cret-token")).isEqualTo(Outcome.ALLOWED);
    assertThat(a.check("bearer  s3cret-token ")).isEqualTo(Outcome.ALLOWED);
    assertThat(a.check("Bearer s3cret-tokeN")).isEqualTo(Outcome.WRONG);
    assertThat(a.check("Bearer s3cret-token-and-more")).isEqualTo(Outcome.WRONG);
    assertThat(a.check("Basic s3cret-token")).isEqualTo(Outcome.WRONG);
    assertThat(a.check("s3cret-token")).isEqualTo(Outcome.WRONG);
    assertThat(a.challenge()).isEqualTo("Bearer realm=\"spanfold\"");
    assertThat(a.toString()).doesNotContain("s3cret");
  }

  @Test
  void basicAuth() {
    Authenticator a = Authenticator.parseBasic("alice:pa:ss");
    String good = Base64.getEncoder().encodeToString("alice:pa:ss".getBytes(StandardCharsets.UTF_8));
    String bad = Base64.getEncoder().encodeToString("alice:pass".getBytes(StandardCharsets.UTF_8));
    assertThat(a.check("Basic " + good)).isEqualTo(Outcome.ALLOWED);
    assertThat(a.check("Basic " + bad)).isEqualTo(Outcome.WRONG);
    assertThat(a.check("Basic !!notbase64")).isEqualTo(Outcome.WRONG);
    assertThat(a.challenge()).startsWith("Basic ");
    assertThat(a.toString()).doesNotContain("pa:ss");
    assertThatThrownBy(() -> Authenticator.parseBasic("nocolon-secret")).hasMessageNotContaining("secret");
  }

  @Test
  void noneAllowsEverything() {
    assertThat(Authenticator.NONE.check(null)).isEqualTo(Outcome.ALLOWED);
    assertThat(Authenticator.NONE.required()).isFalse();
  }

  @Test
  void tenantsFollowTempo() {
    IngestGuard g = IngestGuard.builder().multitenancy(true).build();
    assertThat(g.admit(Map.<String, String>of()::get).message()).isEqualTo("no org id");
    assertThat(g.admit(Map.<String, String>of()::get).kind().httpStatus()).isEqualTo(401);
    assertThat(g.admit(Map.of("x-scope-orgid", "team-a")::get).tenant()).isEqualTo("team-a");
    assertThat(g.admit(Map.of("x-scope-orgid", "../etc")::get).kind())
        .isEqualTo(IngestGuard.Verdict.Kind.INVALID_TENANT);
    assertThat(g.admit(Map.of("x-scope-orgid", "..")::get).ok()).isFalse();
    assertThat(IngestGuard.NONE.admit(Map.of("x-scope-orgid", "team-a")::get).tenant()).isEqualTo("single-tenant");
  }
}
