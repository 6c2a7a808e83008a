package io.spanfold.core.store.internal;

import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.store.BlockInfo;
import io.spanfold.core.store.BlockState;
import io.spanfold.core.store.FsyncPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Internal, unstable. One tenant's blocks: the head block taking appends and the copy-on-write blocklist readers
 * iterate (newest first).
 *
 * <p>Concurrency: appends, head cuts and head reads synchronize on {@code appendLock} (one acquisition per batch);
 * blocklist changes on {@code listLock}; readers take a reference on each block they read, so retention or completion
 * never closes a block under a reader. Lock order: {@code appendLock} may be held while taking {@code listLock},
 * never the reverse (nothing called under {@code listLock} may touch a head block's lock).
 */
public final class TenantStore {
  private static final System.Logger LOG = System.getLogger("io.spanfold.core.store");

  private final String tenant;
  private final Path dir;
  private final StoreSettings s;
  private final ExecutorService completer;
  private final Object appendLock = new Object();
  private final Object listLock = new Object();
  private volatile Block[] blocks = new Block[0];
  private HeadBlock head;
  private long nextId;
  private volatile boolean closed;
  /** Appends needing a cut wait while this many completions are in flight (see {@link #append}). */
  private static final int MAX_COMPLETIONS_IN_FLIGHT = 1;
  private final Object completionMonitor = new Object();
  private int inFlight;

  private TenantStore(
      String tenant, Path dir, StoreSettings s, ExecutorService completer) {
    this.tenant = tenant;
    this.dir = dir;
    this.s = s;
    this.completer = completer;
  }

  /** Opens (creating if needed) a tenant directory: completed blocks as they are, head blocks recovered. */
  public static TenantStore open(
      String tenant, Path dir, StoreSettings s, ExecutorService completer) throws IOException {
    Files.createDirectories(dir);
    TenantStore t = new TenantStore(tenant, dir, s, completer);
    List<Long> ids = new ArrayList<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : (Iterable<Path>) list::iterator) {
        String name = p.getFileName().toString();
        long id = BlockFiles.parseId(name);
        if (id >= 0 && Files.isDirectory(p)) {
          ids.add(id);
        }
        t.nextId = Math.max(t.nextId, Math.max(id, BlockFiles.parseQuarantinedId(name)) + 1);
      }
    }
    ids.sort(null);
    List<Block> opened = new ArrayList<>();
    List<HeadBlock> recovered = new ArrayList<>();
    for (long id : ids) {
      Path bd = dir.resolve(BlockFiles.dirName(id));
      try {
        if (Files.exists(bd.resolve(BlockFiles.META))) {
          opened.add(CompletedBlock.open(tenant, id, bd));
          // Completion committed before the span log was removed: the log is redundant.
          Files.deleteIfExists(bd.resolve(BlockFiles.WAL));
        } else if (Files.exists(bd.resolve(BlockFiles.WAL))) {
          HeadBlock h = HeadBlock.recover(tenant, id, bd, t.appendLock, s.recovery, s.recoveryProgressNanos);
          h.clampRecoveredRange(s.slackNanos, s.blockDurationNanos);
          opened.add(h);
          recovered.add(h);
        } else {
          BlockFiles.deleteRecursively(bd);
        }
      } catch (CorruptBlockException e) {
        BlockFiles.quarantine(bd, e.getMessage());
        s.metrics.blockQuarantined(tenant);
      }
    }
    Block[] arr = opened.toArray(new Block[0]);
    reverse(arr);
    t.blocks = arr;
    if (!recovered.isEmpty()) {
      HeadBlock last = recovered.get(recovered.size() - 1);
      // Only the newest block may keep taking appends; older logs were being completed when the process stopped.
      if (arr[0] == last) {
        t.head = last;
        recovered.remove(recovered.size() - 1);
      }
      for (HeadBlock h : recovered) {
        synchronized (t.appendLock) {
          h.freeze();
        }
        t.submitCompletion(h);
      }
    }
    t.reportStored();
    return t;
  }

  public String tenant() {
    return tenant;
  }

  /**
   * Copies the batch's spans into the head block's span log (cutting the head first when it is full or old).
   *
   * <p>Backpressure: when the head must be cut while the previous cut is still being completed, the append waits
   * (without the append lock, so lookups go on) for that completion. Otherwise a completion thread slower than the
   * ingest would let frozen heads — each holding its trace and search indexes on the heap — pile up until the heap
   * is gone; this way at most one frozen head exists beside the head.
   */
  public void append(SpanBatch b) throws IOException {
    while (true) {
      synchronized (appendLock) {
        if (closed) {
          throw new IllegalStateException("span store is closed");
        }
        long now = s.clock.getAsLong();
        HeadBlock h = head;
        if (h != null
            && !h.isEmpty()
            && (now - h.createdNanos() >= s.blockDurationNanos
                || h.bytes() + HeadBlock.estimateBytes(b) > s.maxBlockBytes
                || h.spanCount() + b.size() > s.maxBlockSpans
                // every span of the batch may start a trace: the cut keeps the trace count at or below the cap
                || h.traceCount() + b.size() > s.maxBlockTraces)) {
          if (completionsInFlight() >= MAX_COMPLETIONS_IN_FLIGHT) {
            h = null; // wait below, outside the lock
          } else {
            cutLocked();
            h = newHeadLocked(now);
          }
        } else if (h == null) {
          h = newHeadLocked(now);
        }
        if (h != null) {
          h.append(b, now, s.slackNanos);
          if (s.fsync == FsyncPolicy.EVERY_BATCH) {
            h.force();
          }
          return;
        }
      }
      awaitCompletionRoom();
    }
  }

  /** Frozen heads whose completion was submitted and has not finished (successfully or not). */
  private int completionsInFlight() {
    synchronized (completionMonitor) {
      return inFlight;
    }
  }

  private void awaitCompletionRoom() throws IOException {
    synchronized (completionMonitor) {
      while (inFlight >= MAX_COMPLETIONS_IN_FLIGHT && !closed) {
        try {
          // bounded so a store closed meanwhile is noticed even without a notification
          completionMonitor.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while waiting for a block completion");
        }
      }
    }
  }

  private HeadBlock newHeadLocked(long now) throws IOException {
    long id = nextId;
    HeadBlock h =
        HeadBlock.create(tenant, id, dir.resolve(BlockFiles.dirName(id)), appendLock, now, s.maxBlockTraces);
    nextId = id + 1;
    head = h;
    synchronized (listLock) {
      Block[] cur = blocks;
      Block[] next = new Block[cur.length + 1];
      next[0] = h;
      System.arraycopy(cur, 0, next, 1, cur.length);
      blocks = next;
    }
    return h;
  }

  private void cutLocked() {
    HeadBlock old = head;
    if (old == null || old.isEmpty()) {
      return;
    }
    old.freeze();
    head = null;
    submitCompletion(old);
  }

  /** Cuts the head block if it holds spans; its completion runs on the completion thread. */
  public void cutHead() {
    synchronized (appendLock) {
      cutLocked();
    }
  }

  private void submitCompletion(HeadBlock h) {
    synchronized (completionMonitor) {
      inFlight++;
    }
    try {
      completer.execute(() -> {
        try {
          complete(h);
        } finally {
          completionFinished();
        }
      });
    } catch (RejectedExecutionException e) {
      completionFinished();
      // Store closing: the span log stays and the block is completed after the next open.
      LOG.log(System.Logger.Level.DEBUG, "completion of block " + h.dir() + " deferred to next open");
    }
  }

  private void completionFinished() {
    synchronized (completionMonitor) {
      inFlight--;
      completionMonitor.notifyAll();
    }
  }

  private void complete(HeadBlock h) {
    long t0 = System.nanoTime();
    try {
      if (h.isEmpty()) {
        replace(h, null);
        h.retire(Block.Disposal.DELETE_DIRECTORY);
        return;
      }
      BlockWriter.complete(h);
      CompletedBlock c = CompletedBlock.open(tenant, h.id(), h.dir());
      replace(h, c);
      h.retire(Block.Disposal.DELETE_WAL);
      s.metrics.blockCompleted(tenant, c.spanCount(), c.bytes(), System.nanoTime() - t0);
      reportStored();
    } catch (IOException | RuntimeException e) {
      h.markCompletionFailed();
      LOG.log(System.Logger.Level.ERROR,
          "completing block " + h.dir() + " failed; it stays readable from its span log and is retried", e);
    }
  }

  private void replace(Block old, Block with) {
    synchronized (listLock) {
      Block[] cur = blocks;
      List<Block> next = new ArrayList<>(cur.length);
      for (Block b : cur) {
        if (b == old) {
          if (with != null) {
            next.add(with);
          }
        } else {
          next.add(b);
        }
      }
      blocks = next.toArray(new Block[0]);
    }
  }

  /**
   * Forces the appended bytes of the head and of frozen heads awaiting completion to disk (the INTERVAL fsync
   * policy), without holding the append lock: a head cut does not force its log.
   */
  public void sync() {
    for (Block b : blocks) {
      if (b instanceof HeadBlock && ((HeadBlock) b).unforced() && b.acquire()) {
        try {
          ((HeadBlock) b).forceWithoutBlockingAppends();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        } finally {
          b.release();
        }
      }
    }
  }

  /**
   * Cuts a head older than the block duration, retries failed completions. Retention is separate (see
   * {@link #enforceRetention}) so tests can wait for completions in between.
   */
  public void maintainHead() {
    long now = s.clock.getAsLong();
    synchronized (appendLock) {
      if (closed) {
        return;
      }
      if (head != null && !head.isEmpty() && now - head.createdNanos() >= s.blockDurationNanos) {
        cutLocked();
      }
    }
    for (Block b : blocks) {
      if (b instanceof HeadBlock && b.state() == BlockState.COMPLETING && ((HeadBlock) b).takeCompletionFailure()) {
        submitCompletion((HeadBlock) b);
      }
    }
  }

  /** Deletes completed blocks past retention, then the oldest completed blocks while over the byte cap. */
  public void enforceRetention() {
    long now = s.clock.getAsLong();
    long cutoff = now - s.retentionNanos;
    List<Block> expired = new ArrayList<>();
    List<Block> capped = new ArrayList<>();
    List<Block> damaged = new ArrayList<>();
    synchronized (listLock) {
      List<Block> keep = new ArrayList<>(Arrays.asList(blocks));
      for (Block b : blocks) {
        if (b instanceof CompletedBlock && ((CompletedBlock) b).corruption() != null) {
          damaged.add(b);
          keep.remove(b);
        } else if (b.state() == BlockState.COMPLETE && b.maxTimeNanos() < cutoff) {
          expired.add(b);
          keep.remove(b);
        }
      }
      if (s.maxBytes > 0) {
        long total = 0;
        for (Block b : keep) {
          total += b.bytes();
        }
        for (int i = keep.size() - 1; i >= 0 && total > s.maxBytes; i--) {
          Block b = keep.get(i);
          if (b.state() == BlockState.COMPLETE) {
            total -= b.bytes();
            capped.add(b);
            keep.remove(i);
          }
        }
      }
      if (!expired.isEmpty() || !capped.isEmpty() || !damaged.isEmpty()) {
        blocks = keep.toArray(new Block[0]);
      }
    }
    for (Block b : expired) {
      b.retire(Block.Disposal.DELETE_DIRECTORY);
    }
    for (Block b : capped) {
      b.retire(Block.Disposal.DELETE_DIRECTORY);
    }
    for (Block b : damaged) {
      b.retire(Block.Disposal.QUARANTINE);
      s.metrics.blockQuarantined(tenant);
    }
    if (!expired.isEmpty()) {
      s.metrics.blocksDeleted(tenant, expired.size(), false);
    }
    if (!capped.isEmpty()) {
      s.metrics.blocksDeleted(tenant, capped.size(), true);
    }
    reportStored();
  }

  private void reportStored() {
    Block[] bs = blocks;
    long bytes = 0;
    long spans = 0;
    long traces = 0;
    for (Block b : bs) {
      bytes += b.bytes();
      spans += b.spanCount();
      traces += b.traceCount();
    }
    s.metrics.stored(tenant, bs.length, bytes, spans, traces);
  }

  /** Returns the trace as {@code TracesData} bytes, or null. */
  public byte[] find(long high, long low, long fromNanos, long toNanos) throws IOException {
    while (true) {
      TraceAssembler a = new TraceAssembler();
      boolean raced = false;
      for (Block b : blocks) {
        if (!b.overlaps(fromNanos, toNanos)) {
          continue;
        }
        if (!b.acquire()) {
          // Replaced or deleted since the snapshot: its successor is only in a newer snapshot, so start over.
          raced = true;
          break;
        }
        try {
          b.collect(high, low, a);
        } finally {
          b.release();
        }
      }
      if (!raced) {
        return a.encode();
      }
    }
  }

  /** Runs a search over this tenant's blocks (see {@link SearchEngine}). */
  public io.spanfold.core.search.SearchResponse search(io.spanfold.core.search.SearchRequest r) {
    while (true) {
      io.spanfold.core.search.SearchResponse resp = SearchEngine.search(blocks, r, s.clock.getAsLong());
      if (resp != null) {
        return resp;
      }
    }
  }

  public java.util.Map<String, java.util.Set<String>> tagNames(long from, long to) {
    return SearchEngine.tagNames(blocks, from, to);
  }

  public java.util.Set<io.spanfold.core.search.TagValue> tagValues(
      io.spanfold.core.query.traceql.Attribute attr, io.spanfold.core.query.traceql.Query filter, long from, long to,
      int max, long budgetNanos) {
    return SearchEngine.tagValues(blocks, attr, filter, from, to, max, budgetNanos);
  }

  public long now() {
    return s.clock.getAsLong();
  }

  public void forEachBlock(Consumer<BlockInfo> c) {
    for (Block b : blocks) {
      c.accept(b.info());
    }
  }

  /** Stops appends, forces the head, releases every block (files stay). Completions must have been drained. */
  public void close() {
    synchronized (appendLock) {
      closed = true;
      // The head, and any frozen head whose completion failed: their logs are what the next open recovers.
      for (Block b : blocks) {
        if (b instanceof HeadBlock) {
          try {
            ((HeadBlock) b).force();
          } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "forcing the span log of " + b.dir() + " at close failed", e);
          }
        }
      }
    }
    Block[] bs;
    synchronized (listLock) {
      bs = blocks;
      blocks = new Block[0];
    }
    for (Block b : bs) {
      b.retire(Block.Disposal.KEEP);
    }
  }

  private static void reverse(Block[] a) {
    for (int i = 0, j = a.length - 1; i < j; i++, j--) {
      Block x = a[i];
      a[i] = a[j];
      a[j] = x;
    }
  }
}
