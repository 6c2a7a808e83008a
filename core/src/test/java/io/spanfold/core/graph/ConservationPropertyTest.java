package io.spanfold.core.graph;

import static io.spanfold.core.graph.Otlp.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** For any span stream, every client/server span seen is paired, virtual, unpaired, dropped or still pending. */
class ConservationPropertyTest {
  static final Span.SpanKind[] KINDS = {SERVER, CLIENT, PRODUCER, CONSUMER, INTERNAL};
  static final String[] SERVICES = {"a", "b", "c", "d", null};

  @Property(tries = 200)
  void everySpanIsAccountedFor(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 40) int maxItems,
      @ForAll @IntRange(min = 1, max = 400) int spans,
      @ForAll @IntRange(min = 1, max = 30) int traces,
      @ForAll @LongRange(min = 0, max = 4_000_000_000L) long maxStep) {
    Random rnd = new Random(seed);
    long[] now = {0};
    Recorder seen = new Recorder();
    ServiceGraphBuilder g = ServiceGraphBuilder.builder().clock(() -> now[0]).listener(seen).maxItems(maxItems)
        .build();
    long sentEdgeSpans = 0;
    int i = 0;
    while (i < spans) {
      int n = 1 + rnd.nextInt(12);
      List<ResourceSpans> rs = new ArrayList<>();
      for (int k = 0; k < n && i < spans; k++, i++) {
        Span.SpanKind kind = KINDS[rnd.nextInt(KINDS.length)];
        String service = SERVICES[rnd.nextInt(SERVICES.length)];
        long trace = 1 + rnd.nextInt(traces);
        long id = 1 + rnd.nextInt(20); // small id space: collisions, duplicates and real pairs
        long parent = rnd.nextInt(4) == 0 ? 0 : 1 + rnd.nextInt(20);
        boolean db = kind == CLIENT && rnd.nextInt(6) == 0;
        boolean peer = rnd.nextInt(3) == 0;
        List<io.opentelemetry.proto.common.v1.KeyValue> attrs = new ArrayList<>();
        if (db) {
          attrs.add(str("db.system", "pg"));
        }
        if (peer) {
          attrs.add(str("peer.service", "ext"));
        }
        Span s = span(trace, id, parent, kind, 1000, rnd.nextInt(1000), rnd.nextInt(5) == 0,
            attrs.toArray(new io.opentelemetry.proto.common.v1.KeyValue[0]));
        rs.add(resource(service, s));
        if (service != null && kind != INTERNAL) {
          sentEdgeSpans++;
        }
      }
      g.accept(batch(rs));
      now[0] += (long) (rnd.nextDouble() * maxStep);
      check(g, seen, sentEdgeSpans, maxItems);
    }
    now[0] += 20_000_000_000L;
    g.expire();
    ServiceGraphStats st = check(g, seen, sentEdgeSpans, maxItems);
    assertThat(st.pendingSpans()).isZero();
    assertThat(st.pendingEdges()).isZero();
  }

  private static ServiceGraphStats check(ServiceGraphBuilder g, Recorder seen, long sent, int maxItems) {
    ServiceGraphStats st = g.stats();
    assertThat(st.spansSeen()).isEqualTo(sent);
    assertThat(st.pairedSpans() + st.virtualSpans() + st.unpairedSpans() + st.droppedSpans() + st.pendingSpans())
        .as("%s", st)
        .isEqualTo(sent);
    assertThat(st.pendingEdges()).isLessThanOrEqualTo(maxItems);
    long listenedSpans = seen.edges.stream().mapToLong(s -> s.spans).sum();
    assertThat(listenedSpans).isEqualTo(st.pairedSpans() + st.virtualSpans());
    assertThat(seen.edges).hasSize((int) (st.completedEdges() + st.virtualEdges()));
    assertThat(seen.unpaired.stream().mapToLong(s -> s.spans).sum()).isEqualTo(st.unpairedSpans());
    assertThat(seen.unpaired).hasSize((int) st.expiredEdges());
    assertThat(seen.dropped).hasSize((int) st.droppedSpans());
    return st;
  }
}
