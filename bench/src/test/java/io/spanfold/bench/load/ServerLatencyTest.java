package io.spanfold.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ServerLatencyTest {
  private static String exposition(String route, long[] cumulative) {
    String[] le = {"1.0E-4", "2.5E-4", "5.0E-4", "0.001", "0.0025", "0.005", "+Inf"};
    StringBuilder sb = new StringBuilder("# TYPE tempo_request_duration_seconds histogram\n");
    for (String status : new String[] {"200", "404"}) {
      for (int i = 0; i < le.length; i++) {
        sb.append("tempo_request_duration_seconds_bucket{method=\"GET\",route=\"").append(route)
            .append("\",status_code=\"").append(status).append("\",ws=\"false\",le=\"").append(le[i]).append("\",} ")
            .append(status.equals("200") ? cumulative[i] : 1).append(".0\n");
      }
    }
    sb.append("tempo_request_duration_seconds_bucket{method=\"GET\",route=\"metrics\",status_code=\"200\",ws=\"false\","
        + "le=\"+Inf\",} 99.0\n");
    sb.append("spanfold_request_phase_duration_seconds_bucket{route=\"").append(route)
        .append("\",phase=\"handler\",le=\"1.0E-4\",} 7.0\n");
    sb.append("spanfold_request_phase_duration_seconds_bucket{route=\"").append(route)
        .append("\",phase=\"handler\",le=\"+Inf\",} 8.0\n");
    return sb.toString();
  }

  @Test
  void differenceOfTwoScrapesHoldsTheRunsRequestsSummedOverStatus() {
    ServerLatency.Snapshot before = ServerLatency.parse(exposition("api_v2_traces_traceid",
        new long[] {0, 0, 0, 0, 0, 0, 0}), "api_v2_traces_traceid");
    // 1000 more requests: 500 in (250, 500] µs, 480 in (0.5, 1] ms, 10 in (1, 2.5] ms, 10 in (2.5, 5] ms
    ServerLatency.Snapshot after = ServerLatency.parse(exposition("api_v2_traces_traceid",
        new long[] {0, 0, 500, 980, 990, 1000, 1000}), "api_v2_traces_traceid");
    ServerLatency.Snapshot d = after.minus(before);
    assertThat(before.duration.count()).isEqualTo(1); // the one 404 (in the first bucket), other routes ignored
    assertThat(d.duration.count()).isEqualTo(1000);
    assertThat(d.duration.shareWithin(0.001)).isEqualTo(0.98);
    // histogram_quantile: rank 500 is the top of (250, 500] µs; rank 990 the top of (1, 2.5] ms; rank 985 halfway
    assertThat(d.duration.quantile(0.5)).isCloseTo(0.0005, within(1e-12));
    assertThat(d.duration.quantile(0.985)).isCloseTo(0.00175, within(1e-12));
    assertThat(d.duration.quantile(0.99)).isCloseTo(0.0025, within(1e-12));
    assertThat(d.phases).containsKey("handler");
    assertThat(ServerLatency.describe(d)).contains("n=1000", "p50 ~0.500", "within 1 ms 98.00 %");
  }

  @Test
  void rankInTheInfBucketAnswersTheHighestFiniteBound() {
    ServerLatency.Snapshot s = ServerLatency.parse(exposition("r", new long[] {0, 0, 0, 0, 0, 0, 10}), "r");
    assertThat(s.duration.count()).isEqualTo(11);
    assertThat(s.duration.quantile(0.99)).isEqualTo(0.005);
    assertThat(new ServerLatency.Buckets().quantile(0.5)).isNaN();
  }
}
