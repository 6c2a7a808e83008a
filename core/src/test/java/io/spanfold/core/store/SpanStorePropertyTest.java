package io.spanfold.core.store;

import static io.spanfold.core.store.StoreFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanfold.core.store.internal.BlockFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The store against a plain in-memory model over random interleavings of appends, lookups, head completions,
 * restarts and clock advances (time cuts and retention).
 */
class SpanStorePropertyTest {
  static final long T0 = SpanStoreTest.T0;
  static final long HOUR = Duration.ofHours(1).toNanos();
  static final int MAX_BLOCK_SPANS = 25;
  static final long RETENTION = 3 * HOUR;

  /** An operation: kind 0 append, 1 lookup, 2 complete head, 3 restart, 4 advance clock. */
  static final class Op {
    final int kind;
    final int a;
    final int b;
    final long seed;

    Op(int kind, int a, int b, long seed) {
      this.kind = kind;
      this.a = a;
      this.b = b;
      this.seed = seed;
    }

    @Override
    public String toString() {
      return new String[] {"append", "lookup", "complete", "restart", "advance"}[kind] + "(" + a + "," + b + ")";
    }
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op =
        Combinators.combine(
                Arbitraries.frequency(
                    net.jqwik.api.Tuple.of(8, 0), net.jqwik.api.Tuple.of(5, 1), net.jqwik.api.Tuple.of(1, 2),
                    net.jqwik.api.Tuple.of(1, 3), net.jqwik.api.Tuple.of(2, 4)),
                Arbitraries.integers().between(1, 12),
                Arbitraries.integers().between(0, 90),
                Arbitraries.longs())
            .as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(40);
  }

  /** Model block: the requests it holds, in arrival order, and its newest data time. */
  static final class ModelBlock {
    final long created;
    final List<TracesData> requests = new ArrayList<>();
    int spans;
    long maxTime = Long.MIN_VALUE;
    boolean complete;

    ModelBlock(long created) {
      this.created = created;
    }
  }

  @Property(tries = 40)
  void storeBehavesLikeTheModel(@ForAll("ops") List<Op> ops) throws IOException {
    Path dir = Files.createTempDirectory("spanstore-prop");
    AtomicLong clock = new AtomicLong(T0);
    List<ModelBlock> model = new ArrayList<>(); // oldest first
    SpanStore store = open(dir, clock);
    try {
      for (Op op : ops) {
        switch (op.kind) {
          case 0: {
            java.util.Random rnd = new java.util.Random(op.seed);
            TracesData req = randomRequest(rnd, op.a, clock.get());
            int n = op.a;
            ModelBlock head = model.isEmpty() || model.get(model.size() - 1).complete
                ? null : model.get(model.size() - 1);
            if (head != null
                && (clock.get() - head.created >= HOUR || head.spans + n > MAX_BLOCK_SPANS)) {
              head.complete = true;
              head = null;
            }
            if (head == null) {
              head = new ModelBlock(clock.get());
              model.add(head);
            }
            head.requests.add(req);
            head.spans += n;
            head.maxTime = Math.max(head.maxTime, maxEnd(req));
            store.accept(decode(req));
            break;
          }
          case 1:
            check(store, model, op.a % 8 + 1);
            break;
          case 2:
            store.completeHeadBlock();
            if (!model.isEmpty()) {
              model.get(model.size() - 1).complete = true;
            }
            break;
          case 3:
            store.close();
            store = open(dir, clock);
            break;
          default: {
            clock.addAndGet(op.b * Duration.ofMinutes(1).toNanos());
            store.runMaintenance();
            long now = clock.get();
            if (!model.isEmpty()) {
              ModelBlock last = model.get(model.size() - 1);
              if (!last.complete && now - last.created >= HOUR) {
                last.complete = true;
              }
            }
            model.removeIf(b -> b.complete && b.maxTime < now - RETENTION);
            break;
          }
        }
        assertThat(store.blocks().stream().mapToLong(BlockInfo::spanCount).sum())
            .as("spans after %s", op)
            .isEqualTo(model.stream().mapToLong(b -> b.spans).sum());
      }
      for (int t = 1; t <= 8; t++) {
        check(store, model, t);
      }
      store.close();
      store = open(dir, clock);
      for (int t = 1; t <= 8; t++) {
        check(store, model, t);
      }
    } finally {
      store.close();
      BlockFiles.deleteRecursively(dir);
    }
  }

  private static SpanStore open(Path dir, AtomicLong clock) throws IOException {
    return SpanStore.builder()
        .dataDir(dir)
        .clock(clock::get)
        .maintenanceInterval(Duration.ofHours(1))
        .blockDuration(Duration.ofHours(1))
        .retention(Duration.ofNanos(RETENTION))
        .maxBlockSpans(MAX_BLOCK_SPANS)
        .fsyncPolicy(FsyncPolicy.NONE)
        .build();
  }

  private static void check(SpanStore store, List<ModelBlock> model, int lo) throws IOException {
    List<TracesData> live = new ArrayList<>();
    for (ModelBlock b : model) {
      live.addAll(b.requests);
    }
    TracesData want = expected(42, lo, live);
    byte[] got = store.findTrace(42, lo, 0, 0);
    if (want.getResourceSpansCount() == 0) {
      assertThat(got).as("trace %d", lo).isNull();
    } else {
      assertThat(got).as("trace %d", lo).isNotNull();
      assertThat(TracesData.parseFrom(got)).isEqualTo(want);
      assertThat(got).isEqualTo(want.toByteArray());
    }
  }

  /** {@code n} spans over 8 traces, 2 resources × 2 scopes, span ids from a small pool so duplicates happen. */
  private static TracesData randomRequest(java.util.Random rnd, int n, long now) {
    TracesData.Builder td = TracesData.newBuilder();
    ResourceSpans.Builder[] rs = new ResourceSpans.Builder[2];
    ScopeSpans.Builder[][] ss = new ScopeSpans.Builder[2][2];
    for (int i = 0; i < n; i++) {
      int r = rnd.nextInt(2);
      int s = rnd.nextInt(2);
      if (ss[r][s] == null) {
        ss[r][s] = ScopeSpans.newBuilder().setScope(scope("scope-" + s));
        if (s == 1) {
          ss[r][s].setSchemaUrl("https://schema/" + s);
        }
      }
      long spanId = 1 + rnd.nextInt(30);
      ss[r][s].addSpans(span(42, 1 + rnd.nextInt(8), spanId, rnd.nextBoolean() ? 0 : spanId + 1,
          "op-" + rnd.nextInt(1000), 1 + rnd.nextInt(2), now + rnd.nextInt(1000) * 1000L, rnd.nextInt(5) == 0));
    }
    for (int r = 0; r < 2; r++) {
      for (int s = 0; s < 2; s++) {
        if (ss[r][s] != null) {
          if (rs[r] == null) {
            rs[r] = ResourceSpans.newBuilder().setResource(resource("svc-" + r));
          }
          rs[r].addScopeSpans(ss[r][s]);
        }
      }
    }
    for (ResourceSpans.Builder b : rs) {
      if (b != null) {
        td.addResourceSpans(b);
      }
    }
    return td.build();
  }

  private static long maxEnd(TracesData t) {
    long max = Long.MIN_VALUE;
    for (ResourceSpans r : t.getResourceSpansList()) {
      for (ScopeSpans s : r.getScopeSpansList()) {
        for (io.opentelemetry.proto.trace.v1.Span sp : s.getSpansList()) {
          max = Math.max(max, sp.getEndTimeUnixNano());
        }
      }
    }
    return max;
  }
}
