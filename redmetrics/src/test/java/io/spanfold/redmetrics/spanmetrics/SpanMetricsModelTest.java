package io.spanfold.redmetrics.spanmetrics;

import static io.spanfold.redmetrics.testing.Batches.attr;
import static io.spanfold.redmetrics.testing.Batches.resource;
import static io.spanfold.redmetrics.testing.Batches.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.spanfold.redmetrics.histogram.ExplicitBuckets;
import io.spanfold.redmetrics.testing.Batches;
import io.spanfold.redmetrics.testing.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Span-metrics against a plain model (a map from label values to totals), over random batches with thousands of
 * series (so the stripe's table and cell arrays grow several times), int/string/resource/span dimension values,
 * latencies on and around bucket bounds, negative durations, exemplars, and stale removal (cells dropped from the
 * table and their keys coming back). Every collection must expose exactly the model's series and totals.
 */
class SpanMetricsModelTest {
  private static final long NOW_MS = SpanMetricsTest.NOW_MS;
  private static final long MS = SpanMetricsTest.MS;
  private static final double[] BOUNDS = ExplicitBuckets.TEMPO_SPAN_METRICS_SECONDS;
  private static final String[] KINDS = {
    "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER",
    "SPAN_KIND_CONSUMER"
  };
  private static final String[] STATUSES = {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"};

  /** Model totals of one series. */
  private static final class Totals {
    long calls;
    long sumNanos;
    long size;
    final long[] buckets = new long[BOUNDS.length + 1];
    final String[] exemplarTrace = new String[BOUNDS.length + 1];
    final long[] exemplarTime = new long[BOUNDS.length + 1];
    boolean touched;
    long lastUpdate;

    Totals() {
      java.util.Arrays.fill(exemplarTime, Long.MIN_VALUE);
    }
  }

  @Property(tries = 8)
  void collectionsMatchTheModel(@ForAll long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    SpanMetricsTest.MutableClock clock = new SpanMetricsTest.MutableClock();
    boolean withDims = rnd.nextBoolean();
    SpanMetrics m =
        SpanMetrics.builder()
            .clock(clock)
            .ingestionSlack(Duration.ofHours(1))
            .staleDuration(Duration.ofMinutes(5))
            .dimensions(withDims ? List.of("env", "http.status_code") : List.of())
            .build();
    Map<List<String>, Totals> model = new HashMap<>();
    int services = 1 + rnd.nextInt(40);
    int names = 1 + rnd.nextInt(150);
    int rounds = 6;
    for (int round = 0; round < rounds; round++) {
      // a round touches a random subset of the key space, so some series go stale and later come back
      int activeServices = 1 + rnd.nextInt(services);
      for (int batchNo = 0; batchNo < 3; batchNo++) {
        Batches b = Batches.create();
        int[] res = new int[activeServices];
        String[] resEnv = new String[activeServices];
        for (int s = 0; s < activeServices; s++) {
          // service 0 has no service.name (label ""); some resources carry the env dimension
          String service = s == 0 ? null : "svc-" + s;
          resEnv[s] = s % 3 == 0 ? "prod" : null;
          res[s] = resEnv[s] != null ? b.resource(resource(service, attr("env", resEnv[s]))) : b.resource(resource(service));
        }
        int spans = 1 + rnd.nextInt(1500);
        long nowNs = clock.millis() * MS;
        for (int i = 0; i < spans; i++) {
          int s = rnd.nextInt(activeServices);
          String name = "op-" + rnd.nextInt(names);
          int kind = rnd.nextInt(KINDS.length);
          int status = rnd.nextInt(STATUSES.length);
          long duration = duration(rnd);
          long end = nowNs - rnd.nextInt(1000) * MS;
          long traceHi = rnd.nextInt(4) == 0 ? 0 : rnd.nextLong();
          long traceLo = rnd.nextLong() | 1;
          List<KeyValue> attrs = new ArrayList<>();
          String spanEnv = null;
          String code = "";
          if (rnd.nextBoolean()) {
            spanEnv = "span-env-" + rnd.nextInt(2);
            attrs.add(attr("env", spanEnv));
          }
          switch (rnd.nextInt(3)) {
            case 0:
              int c = 200 + 100 * rnd.nextInt(4);
              attrs.add(attr("http.status_code", c));
              code = Integer.toString(c);
              break;
            case 1:
              String cs = Integer.toString(200 + 100 * rnd.nextInt(4));
              attrs.add(attr("http.status_code", cs)); // the same label value as the int form
              code = cs;
              break;
            default:
              break; // absent: ""
          }
          Span sp = span(traceHi, traceLo, i, name, kind, status, "", end - duration, end, attrs.toArray(new KeyValue[0]));
          b.span(res[s], sp);

          List<String> labels = new ArrayList<>(List.of(s == 0 ? "" : "svc-" + s, name, KINDS[kind], STATUSES[status]));
          if (withDims) {
            labels.add(resEnv[s] != null ? resEnv[s] : spanEnv != null ? spanEnv : "");
            labels.add(code);
          }
          Totals t = model.computeIfAbsent(labels, k -> new Totals());
          long d = Math.max(0, duration);
          int bucket = bucketOf(d);
          t.calls++;
          t.sumNanos += d;
          t.size += sp.getSerializedSize();
          t.buckets[bucket]++;
          long ts = Math.floorDiv(end, MS);
          if (ts >= t.exemplarTime[bucket]) {
            t.exemplarTime[bucket] = ts;
            t.exemplarTrace[bucket] = traceHex(traceHi, traceLo);
          }
          t.touched = true;
        }
        m.accept(b.build());
      }
      // collect: touched series are updated "now"; series untouched for the stale duration are dropped
      long now = clock.millis();
      Samples out = Samples.of(m.collector());
      model.values().forEach(t -> {
        if (t.touched) {
          t.lastUpdate = now;
          t.touched = false;
        }
      });
      model.values().removeIf(t -> t.lastUpdate < now - Duration.ofMinutes(5).toMillis());
      assertMatches(out, model, withDims);
      clock.millis.addAndGet(Duration.ofMinutes(rnd.nextInt(4) * 2L).toMillis());
    }
  }

  private static long duration(SplittableRandom rnd) {
    switch (rnd.nextInt(4)) {
      case 0:
        return -rnd.nextInt(1000); // end before start: recorded as 0
      case 1:
        return (long) Math.rint(BOUNDS[rnd.nextInt(BOUNDS.length)] * 1e9) + rnd.nextInt(3) - 1; // on a bound, ±1 ns
      default:
        return (long) (Math.exp(rnd.nextDouble() * 24) * 1000); // 1 µs .. ~26 s, log-uniform
    }
  }

  private static int bucketOf(long nanos) {
    for (int i = 0; i < BOUNDS.length; i++) {
      if (nanos <= (long) Math.rint(BOUNDS[i] * 1e9)) {
        return i;
      }
    }
    return BOUNDS.length;
  }

  private static String traceHex(long hi, long lo) {
    return hi != 0 ? Long.toHexString(hi) + String.format("%016x", lo) : Long.toHexString(lo);
  }

  private static void assertMatches(Samples out, Map<List<String>, Totals> model, boolean withDims) {
    List<Sample> calls = out.named("traces_spanmetrics_calls_total");
    assertThat(calls).hasSize(model.size());
    Map<List<String>, Map<String, Sample>> byLabels = new HashMap<>();
    for (String name : List.of("traces_spanmetrics_calls_total", "traces_spanmetrics_latency_count",
        "traces_spanmetrics_latency_sum", "traces_spanmetrics_size_total", "traces_spanmetrics_latency_bucket")) {
      for (Sample s : out.named(name)) {
        int n = s.labelNames.size();
        boolean bucket = name.endsWith("_bucket");
        List<String> key = new ArrayList<>(s.labelValues.subList(0, bucket ? n - 1 : n));
        String suffix = bucket ? name + "/" + s.labelValues.get(n - 1) : name;
        Sample prev = byLabels.computeIfAbsent(key, k -> new HashMap<>()).put(suffix, s);
        assertThat(prev).as("duplicate sample %s %s", suffix, key).isNull();
      }
    }
    for (Map.Entry<List<String>, Totals> e : model.entrySet()) {
      Map<String, Sample> got = byLabels.get(e.getKey());
      assertThat(got).as("series %s", e.getKey()).isNotNull();
      Totals t = e.getValue();
      assertThat(got.get("traces_spanmetrics_calls_total").value).as("calls %s", e.getKey()).isEqualTo(t.calls);
      assertThat(got.get("traces_spanmetrics_latency_count").value).isEqualTo(t.calls);
      assertThat(got.get("traces_spanmetrics_latency_sum").value).isEqualTo(t.sumNanos / 1e9);
      assertThat(got.get("traces_spanmetrics_size_total").value).isEqualTo(t.size);
      Map<Double, Sample> bucketsByLe = new HashMap<>();
      for (Map.Entry<String, Sample> g : got.entrySet()) {
        if (g.getKey().startsWith("traces_spanmetrics_latency_bucket/")) {
          String le = g.getKey().substring(g.getKey().indexOf('/') + 1);
          bucketsByLe.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), g.getValue());
        }
      }
      long cumulative = 0;
      for (int i = 0; i <= BOUNDS.length; i++) {
        cumulative += t.buckets[i];
        Sample bucket = bucketsByLe.get(i == BOUNDS.length ? Double.POSITIVE_INFINITY : BOUNDS[i]);
        assertThat(bucket).as("bucket %d of %s", i, e.getKey()).isNotNull();
        assertThat(bucket.value).as("bucket %d of %s", i, e.getKey()).isEqualTo(cumulative);
        if (t.exemplarTrace[i] == null) {
          assertThat(bucket.exemplar).isNull();
        } else {
          assertThat(bucket.exemplar.getLabelValue(0)).as("exemplar %d of %s", i, e.getKey())
              .isEqualTo(t.exemplarTrace[i]);
          assertThat(bucket.exemplar.getTimestampMs()).isEqualTo(t.exemplarTime[i]);
        }
      }
    }
    for (Sample s : calls) {
      assertThat(s.labelNames).hasSize(withDims ? 6 : 4);
    }
  }
}
