package io.spanfold.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryListenerTest {
  @TempDir Path dir;

  static final class Recording implements RecoveryListener {
    final List<String> events = new ArrayList<>();
    final List<long[]> progress = new ArrayList<>();
    long finishedSpans = -1;
    long finishedBytes = -1;

    @Override
    public void started(String tenant, Path file, long fileBytes) {
      events.add("started " + tenant + " " + file.getFileName());
    }

    @Override
    public void progress(String tenant, Path file, long bytesRead, long fileBytes, long spans, long elapsedNanos) {
      progress.add(new long[] {bytesRead, fileBytes, spans});
    }

    @Override
    public void finished(String tenant, Path file, long bytes, long spans, long elapsedNanos) {
      events.add("finished " + tenant);
      finishedSpans = spans;
      finishedBytes = bytes;
    }
  }

  @Test
  void reportsStartProgressAndEndOfAHeadBlockReplay() throws Exception {
    int spans = 5000;
    try (SpanStore s = SpanStore.builder().dataDir(dir).build()) {
      ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(StoreFixtures.scope("lib"));
      for (int i = 0; i < spans; i++) {
        ss.addSpans(StoreFixtures.span(1, i + 1, i + 1, 0, "op", 2, 1_700_000_000_000_000_000L, false));
      }
      s.accept(StoreFixtures.decode(TracesData.newBuilder().addResourceSpans(
          ResourceSpans.newBuilder().setResource(StoreFixtures.resource("svc")).addScopeSpans(ss)).build()));
    }
    Recording r = new Recording();
    try (SpanStore s = SpanStore.builder().dataDir(dir).recoveryListener(r)
        .recoveryProgressInterval(Duration.ZERO).build()) {
      assertThat(s.findTrace(1, 4321, 0, 0)).isNotNull();
    }
    assertThat(r.events).containsExactly("started single-tenant wal.log", "finished single-tenant");
    assertThat(r.finishedSpans).isEqualTo(spans);
    // one report per 1024 records (5000 spans + a resource and a scope record)
    assertThat(r.progress).hasSize(4);
    long lastRead = 0;
    long lastSpans = 0;
    for (long[] p : r.progress) {
      assertThat(p[0]).isGreaterThan(lastRead).isLessThanOrEqualTo(p[1]);
      assertThat(p[2]).isGreaterThan(lastSpans).isLessThan(spans);
      lastRead = p[0];
      lastSpans = p[2];
    }
    assertThat(r.finishedBytes).isGreaterThan(lastRead);
  }

  @Test
  void noProgressWithinTheInterval() throws Exception {
    try (SpanStore s = SpanStore.builder().dataDir(dir).build()) {
      s.accept(StoreFixtures.decode(TracesData.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
          .setResource(StoreFixtures.resource("svc")).addScopeSpans(ScopeSpans.newBuilder()
              .addSpans(StoreFixtures.span(1, 2, 3, 0, "op", 2, 1_700_000_000_000_000_000L, false)))).build()));
    }
    Recording r = new Recording();
    try (SpanStore s = SpanStore.builder().dataDir(dir).recoveryListener(r).build()) {
      assertThat(s.findTrace(1, 2, 0, 0)).isNotNull();
    }
    assertThat(r.progress).isEmpty();
    assertThat(r.finishedSpans).isEqualTo(1);
  }
}
