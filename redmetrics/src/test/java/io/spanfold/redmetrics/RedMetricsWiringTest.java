package io.spanfold.redmetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.client.CollectorRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedMetricsWiringTest {
  @Test
  void parsesOwnFlagsIgnoresOthersAndNamesBadOnes() {
    try (RedMetricsWiring w =
        RedMetricsWiring.fromArgs(
            "--http.port=3200",
            "--remote-write.url=http://127.0.0.1:1/api/v1/write",
            "--remote-write.interval=20s",
            "--remote-write.external-label=cluster=home",
            "--span-metrics.dimensions=http.method, env",
            "--span-metrics.max-active-series=100")) {
      assertThat(w.remoteWriteEnabled()).isTrue();
      CollectorRegistry reg = new CollectorRegistry();
      w.register(reg);
      assertThat(reg.getSampleValue("tempo_metrics_generator_registry_active_series", new String[] {"tenant"},
          new String[] {"single-tenant"})).isZero();
    }
    assertThat(RedMetricsWiring.fromArgs().remoteWriteEnabled()).isFalse();
    assertThat(RedMetricsWiring.duration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(RedMetricsWiring.duration("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThatThrownBy(() -> RedMetricsWiring.fromArgs("--remote-write.interval=0s"))
        .hasMessageContaining("--remote-write.interval");
    assertThatThrownBy(() -> RedMetricsWiring.fromArgs("--span-metrics.bogus=1"))
        .hasMessageContaining("--span-metrics.bogus");
  }
}
