package io.spanfold.core.store;

import static io.spanfold.core.store.StoreFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanfold.core.model.SpanBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpanStoreTest {
  static final long T0 = 1_700_000_000_000_000_000L;

  @TempDir Path dir;
  final AtomicLong clock = new AtomicLong(T0);

  SpanStore.Builder builder() {
    return SpanStore.builder().dataDir(dir).clock(clock::get).maintenanceInterval(Duration.ofHours(1));
  }

  /** Two resources, two scopes (one with schema_url, one resource without), three traces interleaved. */
  static TracesData mixedRequest(long base) {
    ResourceSpans.Builder a = ResourceSpans.newBuilder().setResource(resource("checkout")).setSchemaUrl("https://s/1");
    ResourceSpans.Builder b = ResourceSpans.newBuilder(); // no resource at all
    ScopeSpans.Builder a1 = ScopeSpans.newBuilder().setScope(scope("lib-a")).setSchemaUrl("https://scope/1");
    ScopeSpans.Builder a2 = ScopeSpans.newBuilder().setScope(scope("lib-b"));
    ScopeSpans.Builder b1 = ScopeSpans.newBuilder(); // no scope
    for (int t = 1; t <= 3; t++) {
      a1.addSpans(span(base, t, t * 100 + 1, 0, "root-" + t, 2, T0 + t, false));
      a2.addSpans(span(base, t, t * 100 + 2, t * 100 + 1, "child-" + t, 3, T0 + t + 5, t == 2));
      b1.addSpans(span(base, t, t * 100 + 3, t * 100 + 2, "db-" + t, 3, T0 + t + 9, false));
    }
    return TracesData.newBuilder()
        .addResourceSpans(a.addScopeSpans(a1).addScopeSpans(a2))
        .addResourceSpans(b.addScopeSpans(b1))
        .build();
  }

  static void assertTrace(SpanStore store, long hi, long lo, List<TracesData> sent) throws IOException {
    byte[] got = store.findTrace(hi, lo, 0, 0);
    TracesData want = expected(hi, lo, sent);
    assertThat(got).as("trace %x-%x", hi, lo).isNotNull();
    assertThat(TracesData.parseFrom(got)).isEqualTo(want);
    assertThat(got).isEqualTo(want.toByteArray());
  }

  @Test
  void appendAndFindExactBytesInHeadCompletedAndAfterRestart() throws IOException {
    TracesData req = mixedRequest(7);
    try (SpanStore store = builder().build()) {
      store.accept(decode(req));
      for (int t = 1; t <= 3; t++) {
        assertTrace(store, 7, t, List.of(req));
      }
      assertThat(store.findTrace(7, 99, 0, 0)).isNull();
      store.completeHeadBlock();
      assertThat(store.blocks()).extracting(BlockInfo::state).containsExactly(BlockState.COMPLETE);
      for (int t = 1; t <= 3; t++) {
        assertTrace(store, 7, t, List.of(req));
      }
      assertThat(store.findTrace(7, 99, 0, 0)).isNull();
    }
    try (SpanStore store = builder().build()) {
      for (int t = 1; t <= 3; t++) {
        assertTrace(store, 7, t, List.of(req));
      }
    }
  }

  @Test
  void duplicateSpansAreReturnedOnceWithinAndAcrossBlocks() throws IOException {
    TracesData req = mixedRequest(1);
    try (SpanStore store = builder().build()) {
      store.accept(decode(req));
      store.accept(decode(req));
      assertTrace(store, 1, 2, List.of(req));
      store.completeHeadBlock();
      store.accept(decode(req));
      assertTrace(store, 1, 2, List.of(req));
      byte[] got = store.findTrace(1, 2, 0, 0);
      int spans = TracesData.parseFrom(got).getResourceSpansList().stream()
          .flatMap(r -> r.getScopeSpansList().stream()).mapToInt(ScopeSpans::getSpansCount).sum();
      assertThat(spans).isEqualTo(3);
    }
  }

  @Test
  void sameSpanIdWithOtherKindIsKept() throws IOException {
    Span client = span(5, 5, 42, 0, "call", 3, T0, false);
    Span server = client.toBuilder().setKindValue(2).build();
    TracesData req = TracesData.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource("svc"))
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(client).addSpans(server)))
        .build();
    try (SpanStore store = builder().build()) {
      store.accept(decode(req));
      assertTrace(store, 5, 5, List.of(req));
      assertThat(TracesData.parseFrom(store.findTrace(5, 5, 0, 0)).getResourceSpans(0).getScopeSpans(0)
          .getSpansCount()).isEqualTo(2);
    }
  }

  @Test
  void traceSpreadOverSeveralBlocksIsMergedAndTimeRangeHonoured() throws IOException {
    List<TracesData> sent = new ArrayList<>();
    try (SpanStore store = builder().build()) {
      for (int part = 0; part < 4; part++) {
        long start = clock.get();
        TracesData r = TracesData.newBuilder()
            .addResourceSpans(ResourceSpans.newBuilder().setResource(resource("svc-" + (part % 2)))
                .addScopeSpans(ScopeSpans.newBuilder().setScope(scope("s"))
                    .addSpans(span(3, 3, 10 + part, part == 0 ? 0 : 10, "op" + part, 2, start, false))
                    .addSpans(span(3, 4, 20 + part, 0, "other" + part, 2, start, false))))
            .build();
        sent.add(r);
        store.accept(decode(r));
        if (part < 3) {
          store.completeHeadBlock();
        }
        clock.addAndGet(Duration.ofMinutes(10).toNanos());
      }
      assertThat(store.blocks()).hasSize(4);
      assertTrace(store, 3, 3, sent);
      assertTrace(store, 3, 4, sent);
      // Only the second block (data around T0+10min) lies in this window.
      long from = T0 + Duration.ofMinutes(9).toNanos();
      long to = T0 + Duration.ofMinutes(11).toNanos();
      TracesData windowed = TracesData.parseFrom(store.findTrace(3, 3, from, to));
      assertThat(windowed.getResourceSpansList()).hasSize(1);
      assertThat(windowed.getResourceSpans(0).getScopeSpans(0).getSpans(0).getName()).isEqualTo("op1");
      assertThat(store.findTrace(3, 3, T0 + Duration.ofDays(1).toNanos(), 0)).isNull();
    }
  }

  @Test
  void spansWithOldAndFutureTimestampsAreAcceptedAndFound() throws IOException {
    long old = 1_500_000_000_000_000_000L; // 2017
    long future = T0 + Duration.ofDays(3650).toNanos();
    TracesData r = TracesData.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource("svc"))
            .addScopeSpans(ScopeSpans.newBuilder()
                .addSpans(span(9, 1, 1, 0, "old", 1, old, false))
                .addSpans(span(9, 2, 2, 0, "future", 1, future, false))))
        .build();
    try (SpanStore store = builder().retention(Duration.ofHours(2)).build()) {
      store.accept(decode(r));
      store.completeHeadBlock();
      store.runMaintenance();
      assertTrace(store, 9, 1, List.of(r));
      assertTrace(store, 9, 2, List.of(r));
      BlockInfo b = store.blocks().get(0);
      assertThat(b.minTimeNanos()).isEqualTo(T0);
      assertThat(b.maxTimeNanos()).isEqualTo(T0);
    }
  }

  @Test
  void headIsCutBySpanCountAndBlockDuration() throws IOException {
    try (SpanStore store = builder().maxBlockSpans(9).blockDuration(Duration.ofMinutes(5)).build()) {
      store.accept(decode(mixedRequest(1))); // 9 spans
      store.accept(decode(mixedRequest(2))); // cut before: would exceed 9
      assertThat(store.blocks()).hasSize(2);
      clock.addAndGet(Duration.ofMinutes(6).toNanos());
      store.runMaintenance();
      assertThat(store.blocks()).extracting(BlockInfo::state)
          .containsExactly(BlockState.COMPLETE, BlockState.COMPLETE);
      assertTrace(store, 1, 1, List.of(mixedRequest(1)));
      assertTrace(store, 2, 3, List.of(mixedRequest(2)));
    }
  }

  @Test
  void headIsCutByTraceCountWithOneSpanTraces() throws IOException {
    long t0 = clock.get();
    try (SpanStore store = builder().maxBlockTraces(25).build()) {
      List<TracesData> sent = new java.util.ArrayList<>();
      for (int r = 0; r < 12; r++) {
        // ten one-span traces per request: 120 traces, at most 25 per block, so a cut every second request
        io.opentelemetry.proto.trace.v1.ScopeSpans.Builder spans = io.opentelemetry.proto.trace.v1.ScopeSpans
            .newBuilder().setScope(StoreFixtures.scope("s"));
        for (int i = 0; i < 10; i++) {
          spans.addSpans(StoreFixtures.span(77, r * 10 + i + 1, 1, 0, "root", 2, t0, false));
        }
        TracesData td = TracesData.newBuilder().addResourceSpans(
            io.opentelemetry.proto.trace.v1.ResourceSpans.newBuilder()
                .setResource(StoreFixtures.resource("svc")).addScopeSpans(spans)).build();
        sent.add(td);
        store.accept(decode(td));
      }
      assertThat(store.blocks()).hasSize(6);
      assertThat(store.blocks()).allSatisfy(b -> assertThat(b.traceCount()).isEqualTo(20));
      for (int t = 1; t <= 120; t++) {
        assertThat(store.findTrace(77, t, 0, 0)).as("trace %d", t).isNotNull();
      }
    }
  }

  @Test
  void appendsWaitForTheCompletionBeforeCuttingAgain() throws IOException {
    // A slow completion thread: the metrics callback runs on it after each block is completed.
    StoreMetrics slow = new StoreMetrics() {
      @Override
      public void blockCompleted(String tenant, long spans, long bytes, long durationNanos) {
        try {
          Thread.sleep(150);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    try (SpanStore store = builder().maxBlockSpans(9).metrics(slow).build()) {
      for (int r = 1; r <= 6; r++) {
        store.accept(decode(mixedRequest(r))); // 9 spans: every request after the first cuts the head
        long frozenOrHead = store.blocks().stream().filter(b -> b.state() != BlockState.COMPLETE).count();
        // without the wait, frozen heads (each with its indexes on the heap) would queue behind the slow completion
        assertThat(frozenOrHead).as("after request %d", r).isLessThanOrEqualTo(2);
      }
      assertThat(store.blocks()).hasSize(6);
      for (int r = 1; r <= 6; r++) {
        assertTrace(store, r, 1, List.of(mixedRequest(r)));
      }
    }
  }

  @Test
  void tenantsAreSeparate() throws IOException {
    try (SpanStore store = builder().build()) {
      SpanBatch b = decode(mixedRequest(4));
      b.tenant("team/a b");
      store.accept(b);
      assertThat(store.findTrace(4, 1, 0, 0)).isNull();
      assertThat(store.findTrace("team/a b", 4, 1, 0, 0)).isNotNull();
    }
    try (SpanStore store = builder().build()) {
      assertThat(store.findTrace("team/a b", 4, 1, 0, 0)).isNotNull();
      assertThat(store.blocks()).extracting(BlockInfo::tenant).containsOnly("team/a b");
    }
  }

  @Test
  void everyBatchFsyncAndMetricsReportTheBlocklist() throws IOException {
    long[] last = new long[4];
    StoreMetrics m = new StoreMetrics() {
      @Override
      public void stored(String tenant, int blocks, long bytes, long spans, long traces) {
        last[0] = blocks;
        last[1] = bytes;
        last[2] = spans;
        last[3] = traces;
      }
    };
    try (SpanStore store = builder().fsyncPolicy(FsyncPolicy.EVERY_BATCH).metrics(m).build()) {
      store.accept(decode(mixedRequest(1)));
      store.accept(new SpanBatch()); // empty batches are a no-op
      assertTrace(store, 1, 1, List.of(mixedRequest(1)));
      store.completeHeadBlock();
      store.accept(decode(mixedRequest(2)));
      store.runMaintenance();
      assertThat(last[0]).isEqualTo(2);
      assertThat(last[2]).isEqualTo(18);
      assertThat(last[3]).isEqualTo(6);
      assertThat(last[1]).isEqualTo(store.blocks().stream().mapToLong(BlockInfo::bytes).sum()).isPositive();
    }
  }

  @Test
  void builderNamesTheField() {
    assertThatThrownBy(() -> SpanStore.builder().retention(Duration.ZERO)).hasMessageContaining("retention");
    assertThatThrownBy(() -> SpanStore.builder().maxBytes(-1)).hasMessageContaining("maxBytes");
    assertThatThrownBy(() -> SpanStore.builder().blockDuration(Duration.ofSeconds(-1)))
        .hasMessageContaining("blockDuration");
    assertThatThrownBy(() -> SpanStore.builder().maxBlockBytes(10)).hasMessageContaining("maxBlockBytes");
    assertThatThrownBy(() -> SpanStore.builder().maxBlockSpans(0)).hasMessageContaining("maxBlockSpans");
    assertThatThrownBy(() -> SpanStore.builder().maxBlockTraces(0)).hasMessageContaining("maxBlockTraces");
    assertThatThrownBy(() -> SpanStore.builder().fsyncPolicy(null)).hasMessageContaining("fsyncPolicy");
    assertThatThrownBy(() -> SpanStore.builder().build()).hasMessageContaining("dataDir");
  }

  @Test
  void secondStoreOnSameDirIsRefused() throws IOException {
    try (SpanStore store = builder().build()) {
      assertThatThrownBy(() -> builder().build()).isInstanceOf(IOException.class).hasMessageContaining("in use");
    }
  }

  @Test
  void closedStoreRefusesAppends() throws IOException {
    SpanStore store = builder().build();
    store.close();
    assertThatThrownBy(() -> store.accept(decode(mixedRequest(1)))).isInstanceOf(IllegalStateException.class);
  }
}
