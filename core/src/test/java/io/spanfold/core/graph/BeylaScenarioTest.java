package io.spanfold.core.graph;

import static io.spanfold.core.graph.Otlp.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A home-lab as Beyla reports it: a browser (uninstrumented) calls frigate, frigate calls ollama over HTTP and
 * notifies ntfy through a queue, immich queries postgres (client span only). Halves arrive in both orders and in
 * separate requests, encoded with the generated OTLP classes and decoded by core's decoder.
 */
class BeylaScenarioTest {
  static final long T0 = 1_700_000_000_000_000_000L;
  static final long MS = 1_000_000L;

  long now = 0;
  final Recorder seen = new Recorder();
  final ServiceGraphBuilder graph = ServiceGraphBuilder.builder().clock(() -> now).listener(seen).build();

  /** frigate serves the browser (root server span), then calls ollama. */
  static List<Span> frigateHttp(long trace, boolean error) {
    long s = trace * 100;
    return List.of(
        span(trace, s + 1, 0, SERVER, T0, 300 * MS, false, str("http.route", "/api/events")),
        span(trace, s + 2, s + 1, CLIENT, T0 + 10 * MS, 200 * MS, false, str("server.address", "ollama"),
            num("server.port", 11434)));
  }

  static Span ollamaServer(long trace, boolean error) {
    long s = trace * 100;
    return span(trace, s + 3, s + 2, SERVER, T0 + 30 * MS, 150 * MS, error, str("http.route", "/api/generate"));
  }

  @Test
  void homeLabGraph() {
    // traces 1-3: ollama's server half arrives first, frigate's client half in a later request
    List<ResourceSpans> first = new ArrayList<>();
    List<Span> ollamaEarly = new ArrayList<>();
    for (long t = 1; t <= 3; t++) {
      ollamaEarly.add(ollamaServer(t, t == 3));
    }
    first.add(resource("ollama", ollamaEarly));
    graph.accept(batch(first));
    assertThat(seen.edges).isEmpty();
    assertThat(graph.stats().pendingEdges()).isEqualTo(3);

    now += Duration.ofSeconds(1).toNanos();
    List<Span> frigate = new ArrayList<>();
    for (long t = 1; t <= 5; t++) {
      frigate.addAll(frigateHttp(t, false));
    }
    // ntfy: trace 21's consumer half came before, trace 22's producer first
    graph.accept(batch(resource("ntfy", span(21, 2103, 2102, CONSUMER, T0 + 50 * MS, 4 * MS, false))));
    frigate.add(span(21, 2101, 0, INTERNAL, T0, 60 * MS, false));
    frigate.add(span(21, 2102, 2101, PRODUCER, T0 + 1 * MS, 2 * MS, false, str("messaging.system", "ntfy")));
    frigate.add(span(22, 2202, 0, PRODUCER, T0, 3 * MS, false, str("messaging.system", "ntfy")));
    graph.accept(batch(resource("frigate", frigate)));
    // traces 4-5: ollama's half arrives after frigate's, in its own request
    graph.accept(batch(resource("ollama", ollamaServer(4, false), ollamaServer(5, false))));
    graph.accept(batch(resource("ntfy", span(22, 2203, 2202, CONSUMER, T0 + 80 * MS, 5 * MS, true))));

    // immich: root server span per request (from the browser) and a postgres client span with no server side
    List<Span> immich = new ArrayList<>();
    for (long t = 11; t <= 13; t++) {
      long s = t * 100;
      immich.add(span(t, s + 1, 0, SERVER, T0, 40 * MS, false));
      immich.add(span(t, s + 2, s + 1, CLIENT, T0 + MS, 8 * MS, t == 12, str("db.system", "postgresql"),
          str("db.namespace", "immich"), str("server.address", "postgres"), num("server.port", 5432)));
    }
    // a service without service.name is skipped entirely
    graph.accept(batch(resource("immich", immich),
        resource(null, span(99, 9901, 0, SERVER, T0, MS, false), span(99, 9902, 9901, CLIENT, T0, MS, false))));

    assertThat(seen.count("frigate", "ollama", ConnectionType.UNKNOWN)).isEqualTo(5);
    assertThat(seen.failed("frigate", "ollama", ConnectionType.UNKNOWN)).isEqualTo(1);
    assertThat(seen.count("immich", "postgres", ConnectionType.DATABASE)).isEqualTo(3);
    assertThat(seen.failed("immich", "postgres", ConnectionType.DATABASE)).isEqualTo(1);
    assertThat(seen.count("frigate", "ntfy", ConnectionType.MESSAGING_SYSTEM)).isEqualTo(2);
    assertThat(seen.failed("frigate", "ntfy", ConnectionType.MESSAGING_SYSTEM)).isEqualTo(1);
    assertThat(seen.edges).hasSize(10);
    for (Seen s : seen.edges) {
      if (s.server.equals("ollama")) {
        assertThat(s.clientNanos).isEqualTo(200 * MS);
        assertThat(s.serverNanos).isEqualTo(150 * MS);
        assertThat(s.spans).isEqualTo(2);
      } else if (s.server.equals("postgres")) {
        assertThat(s.clientNanos).isEqualTo(8 * MS);
        assertThat(s.serverNanos).isEqualTo(8 * MS); // database: the client's duration on both sides
        assertThat(s.spans).isEqualTo(1);
      }
    }
    // root server spans of frigate (5) and immich (3) wait for a client that never comes
    assertThat(graph.stats().pendingEdges()).isEqualTo(8);
    assertThat(graph.stats().spansWithoutService()).isEqualTo(2);

    now += Duration.ofSeconds(11).toNanos();
    graph.expire();
    assertThat(seen.count("user", "frigate", ConnectionType.VIRTUAL_NODE)).isEqualTo(5);
    assertThat(seen.count("user", "immich", ConnectionType.VIRTUAL_NODE)).isEqualTo(3);
    assertThat(seen.edges).filteredOn(s -> s.client.equals("user"))
        .allSatisfy(s -> {
          assertThat(s.virtual).isEqualTo(VirtualNode.CLIENT);
          assertThat(s.clientNanos).isZero();
        });
    assertThat(seen.unpaired).isEmpty();

    ServiceGraphStats stats = graph.stats();
    assertThat(stats.spansSeen()).isEqualTo(5 * 3 + 3 * 2 + 2 * 2);
    assertThat(stats.pairedSpans()).isEqualTo(10 + 3 + 4);
    assertThat(stats.virtualSpans()).isEqualTo(8);
    assertThat(stats.pendingEdges()).isZero();
    assertThat(stats.droppedSpans()).isZero();
    assertThat(stats.expiredEdges()).isZero();
    assertThat(stats.completedEdges()).isEqualTo(10);
    assertThat(stats.virtualEdges()).isEqualTo(8);

    ServiceGraph g = graph.snapshot(Duration.ofMinutes(1));
    assertThat(g.nodes()).extracting(ServiceGraph.Node::name)
        .containsExactly("frigate", "immich", "ntfy", "ollama", "postgres", "user");
    ServiceGraph.Edge ollama = g.edge("frigate", "ollama");
    assertThat(ollama.requests()).isEqualTo(5);
    assertThat(ollama.failed()).isEqualTo(1);
    assertThat(ollama.requestRate()).isCloseTo(5 / 60.0, within(1e-9));
    assertThat(ollama.serverLatency().avgSeconds()).isCloseTo(0.150, within(1e-9));
    assertThat(ollama.clientLatency().avgSeconds()).isCloseTo(0.200, within(1e-9));
    // log2 buckets: 150 ms lies in [2^27, 2^28) ns
    assertThat(ollama.serverLatency().p50Seconds()).isBetween(0.134217728, 0.268435456);
    assertThat(g.edge("immich", "postgres").connectionType()).isEqualTo(ConnectionType.DATABASE);
    assertThat(g.edge("user", "frigate").connectionType()).isEqualTo(ConnectionType.VIRTUAL_NODE);
    ServiceGraph.Node ntfy = g.node("ntfy");
    assertThat(ntfy.requests()).isEqualTo(2);
    assertThat(ntfy.failed()).isEqualTo(1);
    assertThat(ntfy.latency().avgSeconds()).isCloseTo(0.0045, within(1e-9));
    assertThat(g.node("user").requests()).isZero();
    assertThat(g.node("frigate").requests()).isEqualTo(5);
  }
}
