package io.spanfold.core.graph;

import static io.spanfold.core.graph.Otlp.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.common.v1.KeyValue;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceGraphBuilderTest {
  static final long S = 1_000_000_000L;
  long now = 0;
  final Recorder seen = new Recorder();

  ServiceGraphBuilder graph(int maxItems) {
    return ServiceGraphBuilder.builder().clock(() -> now).listener(seen).maxItems(maxItems).build();
  }

  String dbServer(KeyValue... attrs) {
    ServiceGraphBuilder g = graph(10);
    seen.edges.clear();
    g.accept(batch(resource("app", span(1, 1, 0, CLIENT, 0, 5, false, attrs))));
    assertThat(seen.edges).hasSize(1);
    assertThat(seen.edges.get(0).type).isEqualTo(ConnectionType.DATABASE);
    return seen.edges.get(0).server;
  }

  @Test
  void databaseServerNameFollowsTempoPrecedence() {
    KeyValue sys = str("db.system", "postgresql");
    assertThat(dbServer(sys, str("peer.service", "pg-main"), str("server.address", "db1"))).isEqualTo("pg-main");
    assertThat(dbServer(sys, str("server.address", "db1"), str("network.peer.address", "10.0.0.5")))
        .isEqualTo("db1");
    assertThat(dbServer(sys, str("network.peer.address", "10.0.0.5"), num("network.peer.port", 5432)))
        .isEqualTo("10.0.0.5:5432");
    assertThat(dbServer(sys, str("network.peer.address", "10.0.0.5"))).isEqualTo("10.0.0.5");
    assertThat(dbServer(sys)).isEqualTo("postgresql");
    // db.namespace comes first among the database name attributes
    assertThat(dbServer(sys, str("db.namespace", "photos"))).isEqualTo("photos");
    assertThat(dbServer(str("db.name", "legacy"), sys)).isEqualTo("legacy");
  }

  @Test
  void databaseAttributeOnTheResourceCounts() {
    ServiceGraphBuilder g = graph(10);
    g.accept(batch(resource("app", List.of(span(1, 1, 0, CLIENT, 0, 5, false)), str("db.system", "redis"))));
    assertThat(seen.edges).singleElement().satisfies(s -> {
      assertThat(s.server).isEqualTo("redis");
      assertThat(s.type).isEqualTo(ConnectionType.DATABASE);
    });
  }

  @Test
  void expiryInfersVirtualNodesOrCountsUnpaired() {
    ServiceGraphBuilder g = graph(100);
    g.accept(batch(
        resource("shop",
            span(1, 11, 10, CLIENT, 0, 7, false, str("peer.service", "stripe")), // external peer -> virtual server
            span(2, 21, 20, CLIENT, 0, 7, true), // no peer attribute -> unpaired
            span(3, 31, 0, SERVER, 0, 9, false, str("peer.service", "mobile-app")), // root, named caller
            span(4, 41, 0, SERVER, 0, 9, false), // root -> user
            span(5, 51, 50, SERVER, 0, 9, false)))); // not a root -> unpaired
    assertThat(seen.edges).isEmpty();
    now += 9 * S;
    g.expire();
    assertThat(seen.edges).isEmpty();
    now += 1 * S;
    g.expire();
    assertThat(seen.edges).extracting(s -> s.client + "->" + s.server + "/" + s.virtual)
        .containsExactly("shop->stripe/SERVER", "mobile-app->shop/CLIENT", "user->shop/CLIENT");
    assertThat(seen.edges).allSatisfy(s -> assertThat(s.type).isEqualTo(ConnectionType.VIRTUAL_NODE));
    assertThat(seen.unpaired).extracting(s -> s.client + "->" + s.server).containsExactly("shop->", "->shop");
    ServiceGraphStats st = g.stats();
    assertThat(st.expiredEdges()).isEqualTo(2);
    assertThat(st.unpairedSpans()).isEqualTo(2);
    assertThat(st.virtualEdges()).isEqualTo(3);
    assertThat(st.pendingEdges()).isZero();
  }

  @Test
  void acceptSweepsOnceTheIntervalPassed() {
    ServiceGraphBuilder g = graph(100);
    g.accept(batch(resource("a", span(1, 11, 10, CLIENT, 0, 7, false))));
    now += 11 * S;
    g.accept(batch(resource("a", span(2, 1, 0, INTERNAL, 0, 7, false))));
    assertThat(g.stats().expiredEdges()).isEqualTo(1);
    assertThat(g.stats().pendingEdges()).isZero();
  }

  @Test
  void fullStoreDropsAndCountsAndNeverGrows() {
    ServiceGraphBuilder g = graph(4);
    for (int t = 1; t <= 10; t++) {
      g.accept(batch(resource("a", span(t, t * 10 + 1, t * 10, CLIENT, 0, 7, false))));
      assertThat(g.stats().pendingEdges()).isLessThanOrEqualTo(4);
    }
    ServiceGraphStats st = g.stats();
    assertThat(st.pendingEdges()).isEqualTo(4);
    assertThat(st.droppedSpans()).isEqualTo(6);
    assertThat(seen.dropped).hasSize(6).allSatisfy(s -> assertThat(s.client).isEqualTo("a"));
    // a pair whose first half is pending still completes while the store is full
    g.accept(batch(resource("b", span(2, 22, 21, SERVER, 0, 5, false))));
    assertThat(seen.count("a", "b", ConnectionType.UNKNOWN)).isEqualTo(1);
    // a database call needs no slot
    g.accept(batch(resource("a", span(50, 1, 0, CLIENT, 0, 5, false, str("db.system", "mysql")))));
    assertThat(seen.count("a", "mysql", ConnectionType.DATABASE)).isEqualTo(1);
    // once the oldest half is due, a new one takes its place instead of being dropped
    now += 10 * S;
    g.accept(batch(resource("a", span(60, 601, 600, CLIENT, 0, 7, false))));
    assertThat(g.stats().droppedSpans()).isEqualTo(6);
    assertThat(g.stats().expiredEdges()).isEqualTo(3);
  }

  @Test
  void dimensionsComeFromResourceThenSpanPerSide() {
    ServiceGraphBuilder g = ServiceGraphBuilder.builder().clock(() -> now).listener(seen)
        .dimensions(List.of("deployment.environment", "http.request.method")).build();
    g.accept(batch(
        resource("web", List.of(span(1, 11, 10, CLIENT, 0, 7, false, str("http.request.method", "GET"),
            str("deployment.environment", "ignored-span-value"))), str("deployment.environment", "prod")),
        resource("api", span(1, 12, 11, SERVER, 0, 5, false, str("http.request.method", "POST")))));
    assertThat(seen.edges).singleElement().satisfies(s -> {
      assertThat(s.clientDims).containsExactly("prod", "GET");
      assertThat(s.serverDims).containsExactly("", "POST");
    });
  }

  @Test
  void duplicateHalfIsMergedAndCountedOnce() {
    ServiceGraphBuilder g = graph(10);
    g.accept(batch(resource("a", span(1, 11, 10, CLIENT, 0, 7, false), span(1, 11, 10, CLIENT, 0, 7, false))));
    g.accept(batch(resource("b", span(1, 12, 11, SERVER, 0, 5, false))));
    assertThat(seen.edges).singleElement().satisfies(s -> assertThat(s.spans).isEqualTo(3));
    ServiceGraphStats st = g.stats();
    assertThat(st.spansSeen()).isEqualTo(3);
    assertThat(st.pairedSpans()).isEqualTo(3);
  }

  @Test
  void builderValidatesAndNamesTheField() {
    assertThatThrownBy(() -> ServiceGraphBuilder.builder().maxItems(0)).hasMessageContaining("maxItems");
    assertThatThrownBy(() -> ServiceGraphBuilder.builder().wait(Duration.ofSeconds(-1))).hasMessageContaining("wait");
    assertThatThrownBy(() -> ServiceGraphBuilder.builder().dimensions(List.of("a", "a")))
        .hasMessageContaining("dimensions");
    assertThatThrownBy(() -> ServiceGraphBuilder.builder().peerAttributes(List.of("")))
        .hasMessageContaining("peerAttributes");
    ServiceGraphBuilder g = graph(10);
    assertThatThrownBy(() -> g.snapshot(Duration.ZERO)).hasMessageContaining("window");
  }

  @Test
  void snapshotWindowForgetsOldTraffic() {
    ServiceGraphBuilder g = graph(10);
    g.accept(batch(resource("a", span(1, 1, 0, CLIENT, 0, 5, false, str("db.system", "mysql")))));
    assertThat(g.snapshot(Duration.ofMinutes(1)).edges()).hasSize(1);
    now += Duration.ofMinutes(2).toNanos();
    g.accept(batch(resource("a", span(2, 1, 0, CLIENT, 0, 5, false, str("db.system", "mysql")))));
    assertThat(g.snapshot(Duration.ofMinutes(1)).edge("a", "mysql").requests()).isEqualTo(1);
    assertThat(g.snapshot(Duration.ofMinutes(5)).edge("a", "mysql").requests()).isEqualTo(2);
    now += Duration.ofMinutes(20).toNanos();
    ServiceGraph empty = g.snapshot(Duration.ofHours(1));
    assertThat(empty.edges()).isEmpty();
    assertThat(empty.nodes()).isEmpty();
    assertThat(empty.window()).isEqualTo(Duration.ofSeconds(590)); // clamped to the retention
  }
}
