package io.spanfold.core.store;

import static io.spanfold.core.store.StoreFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanfold.core.store.internal.BlockFiles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpanStoreDurabilityTest {
  static final long T0 = SpanStoreTest.T0;
  static final int SPANS_PER_TRACE = 20;

  @TempDir Path dir;
  final AtomicLong clock = new AtomicLong(T0);

  SpanStore.Builder builder(Path d) {
    return SpanStore.builder().dataDir(d).clock(clock::get).maintenanceInterval(Duration.ofHours(1));
  }

  /** Request {@code r}: traces [r*5, r*5+5) × 4 spans each; trace t gets spans from 5 requests (r = t/5 .. ). */
  static TracesData request(int r, int tracesPerRequest, int spansPerTracePerRequest, int part) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(scope("lib-" + (r % 3)));
    for (int t = 0; t < tracesPerRequest; t++) {
      long lo = (long) r * tracesPerRequest + t + 1;
      for (int s = 0; s < spansPerTracePerRequest; s++) {
        long id = part * 1000L + s + 1;
        ss.addSpans(span(0xABCDL, lo, id, id == 1 ? 0 : 1, "op-" + s, 2, T0 + id, s == 3));
      }
    }
    return TracesData.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource("svc-" + (r % 4))).addScopeSpans(ss))
        .build();
  }

  static int spanCount(byte[] tracesData) throws IOException {
    if (tracesData == null) {
      return 0;
    }
    return TracesData.parseFrom(tracesData).getResourceSpansList().stream()
        .flatMap(r -> r.getScopeSpansList().stream())
        .mapToInt(ScopeSpans::getSpansCount)
        .sum();
  }

  @Test
  void hundredThousandSpansSurviveCloseAndReopen() throws IOException {
    // 5000 traces of 20 spans, each trace's spans arriving in two halves far apart, blocks cut every 30 000 spans.
    int traces = 5000;
    int perRequest = 50; // traces per request
    List<TracesData> firstHalves = new ArrayList<>();
    try (SpanStore store = builder(dir).maxBlockSpans(30_000).build()) {
      for (int half = 0; half < 2; half++) {
        for (int r = 0; r < traces / perRequest; r++) {
          TracesData req = request(r, perRequest, SPANS_PER_TRACE / 2, half);
          if (half == 0 && r == 0) {
            firstHalves.add(req);
          }
          store.accept(decode(req));
        }
      }
      assertThat(store.blocks().stream().mapToLong(BlockInfo::spanCount).sum()).isEqualTo(100_000);
      assertThat(store.blocks().size()).isGreaterThanOrEqualTo(4);
    }
    try (SpanStore store = builder(dir).maxBlockSpans(30_000).build()) {
      assertThat(store.blocks().stream().mapToLong(BlockInfo::spanCount).sum()).isEqualTo(100_000);
      for (int t = 1; t <= traces; t++) {
        assertThat(spanCount(store.findTrace(0xABCDL, t, 0, 0))).as("trace %d", t).isEqualTo(SPANS_PER_TRACE);
      }
      store.completeHeadBlock();
      assertThat(store.blocks()).extracting(BlockInfo::state).containsOnly(BlockState.COMPLETE);
      for (int t = 1; t <= traces; t += 7) {
        assertThat(spanCount(store.findTrace(0xABCDL, t, 0, 0))).isEqualTo(SPANS_PER_TRACE);
      }
    }
  }

  @Test
  void crashWithoutCloseLosesNothingAndATornTailIsCutAtTheTear() throws IOException {
    Path live = dir.resolve("live");
    Path crashed = dir.resolve("crashed");
    Path torn = dir.resolve("torn");
    SpanStore store = builder(live).fsyncPolicy(FsyncPolicy.NONE).build();
    try {
      for (int r = 0; r < 20; r++) {
        store.accept(decode(request(r, 10, 5, 0)));
      }
      // A process crash leaves the page cache as it is: a copy of the files now is what a restart would find.
      copyTree(live, crashed);
      copyTree(live, torn);
    } finally {
      store.close();
    }
    try (SpanStore reopened = builder(crashed).build()) {
      for (int t = 1; t <= 200; t++) {
        assertThat(spanCount(reopened.findTrace(0xABCDL, t, 0, 0))).isEqualTo(5);
      }
    }
    // Cut the span log in the middle of its last record: the last span (trace 200, span 5) is lost, nothing else.
    Path wal = onlyBlockDir(torn).resolve(BlockFiles.WAL);
    long logical;
    try (SpanStore s = builder(crashed).build()) {
      logical = s.blocks().get(0).bytes();
    }
    try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
      f.setLength(logical - 30);
    }
    try (SpanStore reopened = builder(torn).build()) {
      for (int t = 1; t < 200; t++) {
        assertThat(spanCount(reopened.findTrace(0xABCDL, t, 0, 0))).isEqualTo(5);
      }
      assertThat(spanCount(reopened.findTrace(0xABCDL, 200, 0, 0))).isEqualTo(4);
      // The store appends after the tear and keeps it all over another restart.
      reopened.accept(decode(request(500, 1, 3, 0)));
    }
    try (SpanStore reopened = builder(torn).build()) {
      assertThat(spanCount(reopened.findTrace(0xABCDL, 501, 0, 0))).isEqualTo(3);
      assertThat(spanCount(reopened.findTrace(0xABCDL, 200, 0, 0))).isEqualTo(4);
    }
  }

  @Test
  void garbledRecordInTheMiddleStopsRecoveryThere() throws IOException {
    try (SpanStore store = builder(dir).build()) {
      for (int r = 0; r < 10; r++) {
        store.accept(decode(request(r, 1, 5, 0)));
      }
    }
    Path wal = onlyBlockDir(dir).resolve(BlockFiles.WAL);
    byte[] all = Files.readAllBytes(wal);
    // Flip a byte inside a span's bytes about halfway through the log.
    int at = indexOf(all, "op-2".getBytes(), 0);
    for (int i = 0; i < 5; i++) {
      at = indexOf(all, "op-2".getBytes(), at + 1);
    }
    all[at] ^= 0x55;
    Files.write(wal, all);
    try (SpanStore store = builder(dir).build()) {
      int before = 0;
      int after = 0;
      for (int t = 1; t <= 10; t++) {
        int n = spanCount(store.findTrace(0xABCDL, t, 0, 0));
        if (n == 5) {
          before++;
        } else {
          assertThat(n).isLessThan(5);
          after++;
        }
      }
      assertThat(before).isBetween(1, 9);
      assertThat(before + after).isEqualTo(10);
    }
  }

  @Test
  void retentionDeletesExpiredBlocksFromDiskAndLookups() throws IOException {
    try (SpanStore store = builder(dir).retention(Duration.ofHours(3)).blockDuration(Duration.ofHours(1)).build()) {
      long hour = Duration.ofHours(1).toNanos();
      for (int h = 0; h < 5; h++) {
        TracesData req = request(h, 1, 3, 0);
        // span timestamps follow the clock (within the ingestion slack)
        store.accept(decode(shift(req, clock.get() - T0)));
        clock.addAndGet(hour);
        store.runMaintenance();
      }
      // now = T0+5h: blocks with data at T0+0h and T0+1h are past 3h retention (max time < now-3h = T0+2h)
      assertThat(store.findTrace(0xABCDL, 1, 0, 0)).isNull();
      assertThat(store.findTrace(0xABCDL, 2, 0, 0)).isNull();
      for (int t = 3; t <= 5; t++) {
        assertThat(spanCount(store.findTrace(0xABCDL, t, 0, 0))).isEqualTo(3);
      }
      Path tenant = dir.resolve("single-tenant");
      try (Stream<Path> s = Files.list(tenant)) {
        assertThat(s.map(p -> p.getFileName().toString()).collect(Collectors.toList()))
            .containsExactlyInAnyOrder(BlockFiles.dirName(2), BlockFiles.dirName(3), BlockFiles.dirName(4));
      }
      assertThat(store.blocks()).hasSize(3);
    }
  }

  @Test
  void byteCapDeletesOldestBlocksFirst() throws IOException {
    AtomicInteger deleted = new AtomicInteger();
    StoreMetrics m = new StoreMetrics() {
      @Override
      public void blocksDeleted(String tenant, int count, boolean byBytesCap) {
        if (byBytesCap) {
          deleted.addAndGet(count);
        }
      }
    };
    long cap;
    try (SpanStore store = builder(dir).metrics(m).build()) {
      for (int b = 0; b < 6; b++) {
        store.accept(decode(request(b, 20, 10, 0)));
        store.completeHeadBlock();
      }
      long perBlock = store.blocks().get(0).bytes();
      cap = perBlock * 5 / 2; // room for two blocks and a half
      assertThat(deleted.get()).isZero();
    }
    try (SpanStore store = builder(dir).metrics(m).maxBytes(cap).build()) {
      store.runMaintenance();
      List<BlockInfo> left = store.blocks();
      assertThat(left).hasSize(2);
      assertThat(left.stream().mapToLong(BlockInfo::bytes).sum()).isLessThanOrEqualTo(cap);
      assertThat(left).extracting(BlockInfo::id).containsExactly(5L, 4L);
      assertThat(deleted.get()).isEqualTo(4);
      assertThat(store.findTrace(0xABCDL, 1, 0, 0)).isNull();
      assertThat(spanCount(store.findTrace(0xABCDL, 5 * 20 + 1, 0, 0))).isEqualTo(10);
    }
  }

  @Test
  void corruptCompletedBlocksAreQuarantinedAndTheRestIsServed() throws IOException {
    List<String> errors = new ArrayList<>();
    Handler h = new Handler() {
      @Override
      public void publish(LogRecord r) {
        errors.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger jul = Logger.getLogger("io.spanfold.core.store");
    jul.addHandler(h);
    AtomicInteger quarantined = new AtomicInteger();
    StoreMetrics m = new StoreMetrics() {
      @Override
      public void blockQuarantined(String tenant) {
        quarantined.incrementAndGet();
      }
    };
    try {
      try (SpanStore store = builder(dir).build()) {
        for (int b = 0; b < 7; b++) {
          store.accept(decode(request(b, 4, 5, 0)));
          store.completeHeadBlock();
        }
      }
      Path tenant = dir.resolve("single-tenant");
      // block 0 intact; 1: meta byte flipped; 2: spans.dat truncated; 3: index.cm garbled; 4: bloom truncated;
      // 5: spans.dat header magic garbled; 6: index.cm missing
      flip(tenant.resolve(BlockFiles.dirName(1)).resolve(BlockFiles.META), 20);
      truncate(tenant.resolve(BlockFiles.dirName(2)).resolve(BlockFiles.SPANS), 100);
      garble(tenant.resolve(BlockFiles.dirName(3)).resolve(BlockFiles.INDEX));
      truncate(tenant.resolve(BlockFiles.dirName(4)).resolve(BlockFiles.BLOOM), 8);
      flip(tenant.resolve(BlockFiles.dirName(5)).resolve(BlockFiles.SPANS), 0);
      Files.delete(tenant.resolve(BlockFiles.dirName(6)).resolve(BlockFiles.INDEX));
      try (SpanStore store = builder(dir).metrics(m).build()) {
        assertThat(spanCount(store.findTrace(0xABCDL, 1, 0, 0))).isEqualTo(5);
        // the garbled index may open; a read then detects the damage and maintenance quarantines it
        for (int t = 1; t <= 28; t++) {
          int n = spanCount(store.findTrace(0xABCDL, t, 0, 0));
          assertThat(n).isIn(0, 5);
        }
        store.runMaintenance();
        assertThat(store.blocks()).extracting(BlockInfo::id).contains(0L).doesNotContain(1L, 2L, 4L, 5L, 6L);
        store.accept(decode(request(100, 1, 2, 0)));
        assertThat(spanCount(store.findTrace(0xABCDL, 101, 0, 0))).isEqualTo(2);
      }
      try (Stream<Path> s = Files.list(tenant)) {
        List<String> names = s.map(p -> p.getFileName().toString()).collect(Collectors.toList());
        for (int b = 1; b <= 6; b++) {
          if (b == 3) {
            continue;
          }
          String prefix = BlockFiles.dirName(b) + BlockFiles.CORRUPT_MARK;
          assertThat(names).anyMatch(n -> n.startsWith(prefix));
        }
      }
      assertThat(quarantined.get()).isGreaterThanOrEqualTo(5);
      assertThat(errors).anyMatch(e -> e.contains("quarantined corrupt block"));
      // a reopen after quarantine does not trip over the renamed directories, and ids are not reused
      try (SpanStore store = builder(dir).build()) {
        assertThat(spanCount(store.findTrace(0xABCDL, 1, 0, 0))).isEqualTo(5);
        store.completeHeadBlock();
        // block 7 was created after the quarantine; ids 1..6 were not reused
        assertThat(store.blocks()).extracting(BlockInfo::id).containsExactly(7L, 0L);
      }
    } finally {
      jul.removeHandler(h);
    }
  }

  static TracesData shift(TracesData t, long delta) {
    TracesData.Builder b = t.toBuilder();
    for (ResourceSpans.Builder rs : b.getResourceSpansBuilderList()) {
      for (ScopeSpans.Builder ss : rs.getScopeSpansBuilderList()) {
        for (io.opentelemetry.proto.trace.v1.Span.Builder s : ss.getSpansBuilderList()) {
          s.setStartTimeUnixNano(s.getStartTimeUnixNano() + delta).setEndTimeUnixNano(s.getEndTimeUnixNano() + delta);
        }
      }
    }
    return b.build();
  }

  static Path onlyBlockDir(Path data) throws IOException {
    try (Stream<Path> s = Files.list(data.resolve("single-tenant"))) {
      List<Path> l = s.collect(Collectors.toList());
      assertThat(l).hasSize(1);
      return l.get(0);
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  static void flip(Path f, int at) throws IOException {
    byte[] b = Files.readAllBytes(f);
    b[at] ^= 0x7F;
    Files.write(f, b);
  }

  static void truncate(Path f, long by) throws IOException {
    try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
      r.setLength(r.length() - by);
    }
  }

  static void garble(Path f) throws IOException {
    byte[] b = Files.readAllBytes(f);
    java.util.Random rnd = new java.util.Random(42);
    for (int i = b.length / 8; i < b.length; i += 3) {
      b[i] = (byte) rnd.nextInt();
    }
    Files.write(f, b);
  }
}
