package io.spanfold.core.store.internal;

import static io.spanfold.core.store.internal.SpanLogDescriptor.*;

import com.carrotsearch.hppc.LongIntHashMap;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.store.BlockState;
import io.spanfold.core.store.RecoveryListener;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Internal, unstable. The block that takes appends: a span log (the write-ahead log, laid out as in
 * {@link SpanLogDescriptor}), per-block resource and scope dictionaries, and a {@link HeadTraceIndex}.
 *
 * <p>I/O: each batch's records are staged in a direct buffer and written with one positional write; readers see the
 * log through a read-only mapping of the sparsely extended file. Measured against the earlier design (a background
 * thread zero-filling the file ahead, the appender writing through a writable mapping): the zero-fill's CPU is gone,
 * a full disk is an IOException of the write (never a fault on a mapped page), and the appender takes no page faults.
 *
 * <p>Concurrency: appends and reads synchronize on the lock given at construction (the tenant's append lock, so an
 * append costs one lock acquisition). Once {@link #freeze() frozen} it is read-only. Trace-by-id reads
 * ({@link #collect}) do not take the lock: every change of the trace index and the dictionaries is bracketed by a
 * sequence counter (odd while changing, as in a seqlock), and a read that saw the counter move retries, falling back
 * to the lock only after a few tries. So a lookup never waits behind a whole batch being appended.
 */
public final class HeadBlock extends Block {
  private static final int MIN_GROWTH = 4 << 20;
  private static final int MAX_GROWTH = 64 << 20;
  /** A batch's records are staged in a direct buffer of at least this size (grown for larger batches). */
  private static final int MIN_STAGE = 256 << 10;
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle VERSION;
  /** Optimistic reads tried back to back before {@link #collect} starts yielding between tries. */
  private static final int SPIN_TRIES = 8;
  /**
   * How long {@link #collect} keeps retrying optimistically before it takes the lock: a change is short, so retrying
   * only waits for the change under way (or for its thread to be scheduled again), the lock for a whole batch.
   */
  private static final long OPTIMISTIC_NANOS = 20_000_000L;

  static {
    try {
      VERSION = MethodHandles.lookup().findVarHandle(HeadBlock.class, "version", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Object lock;
  /** Seqlock counter of index and dictionary changes: odd while one is under way (written under the lock only). */
  @SuppressWarnings("unused")
  private int version;
  private final FileChannel channel;
  private final long createdNanos;
  /**
   * Read view of the log, mapped ahead of the write position (the file is extended sparsely to the mapping's size, so
   * unwritten space reads as zeros and costs no writes). Appends never go through it: see {@link #append}.
   */
  private MappedByteBuffer map;
  /** Records of the batch being appended, written to the log with one positional write; null once frozen. */
  private ByteBuffer stage;
  /** Log offset of {@code stage}'s first byte while a batch is being staged, else {@code Integer.MAX_VALUE}. */
  private int stageBase = Integer.MAX_VALUE;
  /** Log offset of the next record while a batch is being staged. */
  private int staged;
  /** A view of {@code stage} for CRCs and the write (positions and limits change; no allocation per record). */
  private ByteBuffer stageView;
  private int[] spanAt = new int[128];
  private int position;
  private final Object forceLock = new Object();
  private volatile int forced;
  private volatile boolean frozen;
  private final CRC32 crc = new CRC32();

  private final HeadTraceIndex index;
  private final HeadSearchIndex search;
  private byte[] replayScratch = new byte[256];
  private final Dictionary resources = new Dictionary();
  private final Dictionary scopes = new Dictionary();
  private int[] batchResourceIds = new int[8];
  private int[] batchScopeIds = new int[8];
  private byte[] hashScratch = new byte[256];

  private volatile long minTime = Long.MAX_VALUE;
  private volatile long maxTime = Long.MIN_VALUE;
  private volatile int spanCount;
  private volatile int traceCount;
  private volatile int bytes;

  private HeadBlock(
      String tenant, long id, Path dir, Object lock, FileChannel channel, long createdNanos, int expectedTraces) {
    super(tenant, id, dir);
    this.index = new HeadTraceIndex(expectedTraces);
    this.search = new HeadSearchIndex(index);
    this.lock = lock;
    this.channel = channel;
    this.createdNanos = createdNanos;
  }

  /** Creates a new, empty head block in {@code dir} (created). */
  public static HeadBlock create(String tenant, long id, Path dir, Object lock, long createdNanos) throws IOException {
    return create(tenant, id, dir, lock, createdNanos, Integer.MAX_VALUE);
  }

  /**
   * As above, for a head cut at {@code maxTraces} traces: its trace index stops doubling there rather than past it.
   */
  public static HeadBlock create(String tenant, long id, Path dir, Object lock, long createdNanos, int maxTraces)
      throws IOException {
    Files.createDirectories(dir);
    FileChannel ch =
        FileChannel.open(
            dir.resolve(BlockFiles.WAL), StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    HeadBlock h = new HeadBlock(tenant, id, dir, lock, ch, createdNanos, maxTraces);
    try {
      ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
      writeHeader(header, FILE_KIND_WAL, id, createdNanos);
      while (header.hasRemaining()) {
        ch.write(header, header.position());
      }
      h.ensureMapped(HEADER_LENGTH);
      // Not forced here (this runs under the append lock at a head cut): the first fsync of the log covers it, and a
      // log whose header never reached the disk held nothing that was forced either.
      h.position = HEADER_LENGTH;
      h.bytes = HEADER_LENGTH;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    return h;
  }

  /**
   * Recovers a head block from its span log: replays every record up to the first torn or CRC-bad one, truncates the
   * log there (zeroing the rest) and rebuilds dictionaries and index.
   *
   * @throws CorruptBlockException when the log's header is unusable
   */
  public static HeadBlock recover(String tenant, long id, Path dir, Object lock) throws IOException {
    return recover(tenant, id, dir, lock, RecoveryListener.NOOP, Long.MAX_VALUE);
  }

  /** As {@link #recover(String, long, Path, Object)}, telling {@code listener} about progress. */
  public static HeadBlock recover(
      String tenant, long id, Path dir, Object lock, RecoveryListener listener, long progressNanos)
      throws IOException {
    FileChannel ch = FileChannel.open(dir.resolve(BlockFiles.WAL), StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      long size = ch.size();
      if (size < HEADER_LENGTH || size > Integer.MAX_VALUE) {
        throw new CorruptBlockException("span log size " + size + " out of range");
      }
      MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
      m.order(ByteOrder.LITTLE_ENDIAN);
      String bad = checkHeader(m, FILE_KIND_WAL);
      if (bad != null) {
        throw new CorruptBlockException("span log: " + bad);
      }
      HeadBlock h = new HeadBlock(tenant, id, dir, lock, ch, m.getLong(HEADER_CREATED), Integer.MAX_VALUE);
      h.setMap(m);
      Path file = dir.resolve(BlockFiles.WAL);
      long t0 = System.nanoTime();
      listener.started(tenant, file, size);
      h.replay((int) size, listener, file, t0, progressNanos);
      listener.finished(tenant, file, h.position, h.index.spanCount(), System.nanoTime() - t0);
      return h;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Number of bytes a span log record of this batch's spans and dictionary entries can take at most. */
  public static long estimateBytes(SpanBatch b) {
    long n = (long) b.size() * (SPAN_BYTES + 8);
    for (int i = 0; i < b.size(); i++) {
      n += b.spanLength(i);
    }
    return n;
  }

  public long createdNanos() {
    return createdNanos;
  }

  /**
   * Appends every span of the batch to the span log and index. The caller holds the lock. Times are clamped to
   * {@code [now - slack, now + slack]} for the block's time range only (the records keep the real times).
   */
  public void append(SpanBatch b, long nowNanos, long slackNanos) throws IOException {
    if (frozen) {
      throw new IllegalStateException("head block " + id + " is frozen");
    }
    int n = b.size();
    byte[] src = b.buffer();
    int base = position;
    int resourcesBefore = resources.size();
    int scopesBefore = scopes.size();
    if (spanAt.length < n) {
      spanAt = new int[Math.max(n, spanAt.length * 2)];
    }
    // Pass 1 stages every record of the batch and writes them with one positional write: no page of the log is
    // touched through a mapping by this thread, a full disk is an IOException here, and a failed write leaves
    // nothing of the batch in the index or the dictionaries.
    stageBase = base;
    staged = base;
    try {
      // Dictionary entries first, so no span record can refer to an entry that is not in the log before it.
      int rc = b.resourceCount();
      if (batchResourceIds.length < rc) {
        batchResourceIds = new int[Math.max(rc, batchResourceIds.length * 2)];
      }
      for (int r = 0; r < rc; r++) {
        batchResourceIds[r] =
            dictId(resources, TYPE_RESOURCE, src, b.resourceOffset(r), b.resourceLength(r),
                b.resourceSchemaUrlOffset(r), b.resourceSchemaUrlLength(r), b.resourceServiceName(r));
      }
      int sc = b.scopeCount();
      if (batchScopeIds.length < sc) {
        batchScopeIds = new int[Math.max(sc, batchScopeIds.length * 2)];
      }
      for (int s = 0; s < sc; s++) {
        batchScopeIds[s] =
            dictId(scopes, TYPE_SCOPE, src, b.scopeOffset(s), b.scopeLength(s), b.scopeSchemaUrlOffset(s),
                b.scopeSchemaUrlLength(s), "");
      }
      for (int i = 0; i < n; i++) {
        int spanLength = b.spanLength(i);
        int length = spanRecordLength(spanLength);
        if (length > MAX_RECORD_LENGTH) {
          throw new IOException("span of " + spanLength + " bytes is larger than a record may be");
        }
        int at = staged;
        int r = stageRecord(at, length);
        ByteBuffer m = stage;
        m.putInt(r + LENGTH, length);
        m.put(r + TYPE, TYPE_SPAN);
        m.put(r + SPAN_KIND, (byte) b.kind(i));
        m.put(r + SPAN_STATUS, (byte) b.statusCode(i));
        m.put(r + SPAN_STATUS + 1, (byte) 0);
        m.putInt(r + SPAN_RESOURCE_ID, batchResourceIds[b.resourceIndex(i)]);
        m.putInt(r + SPAN_SCOPE_ID, batchScopeIds[b.scopeIndex(i)]);
        m.putInt(r + SPAN_BYTES_LENGTH, spanLength);
        m.putLong(r + SPAN_TRACE_HIGH, b.traceIdHigh(i));
        m.putLong(r + SPAN_TRACE_LOW, b.traceIdLow(i));
        m.putLong(r + SPAN_ID, b.spanId(i));
        m.putLong(r + SPAN_PARENT_ID, b.parentSpanId(i));
        m.putLong(r + SPAN_START, b.startNanos(i));
        m.putLong(r + SPAN_END, b.endNanos(i));
        int nameLength = b.nameLength(i);
        m.putInt(r + SPAN_NAME_OFFSET, nameLength > 0 ? b.nameOffset(i) - b.spanOffset(i) : 0);
        m.putInt(r + SPAN_NAME_LENGTH, Math.max(nameLength, 0));
        m.put(r + SPAN_BYTES, src, b.spanOffset(i), spanLength);
        m.putInt(r + CRC, stagedCrc(r, length));
        spanAt[i] = at;
        staged = at + align(length);
      }
      writeStaged(base, staged);
    } catch (IOException | RuntimeException e) {
      int v = beginChange();
      resources.truncate(resourcesBefore);
      scopes.truncate(scopesBefore);
      endChange(v);
      abandonTail(base);
      throw e;
    } finally {
      stageBase = Integer.MAX_VALUE;
    }
    position = staged;
    // Pass 2: index the records now in the log.
    long min = minTime;
    long max = maxTime;
    long lo = nowNanos - slackNanos;
    long hi = nowNanos + slackNanos;
    for (int i = 0; i < n; i++) {
      long start = b.startNanos(i);
      long end = b.endNanos(i);
      int nameLength = b.nameLength(i);
      int spanLength = b.spanLength(i);
      int v = beginChange();
      int t = index.add(b.traceIdHigh(i), b.traceIdLow(i), spanAt[i], start, end, b.parentSpanId(i) == 0,
          b.statusCode(i) == 2);
      endChange(v);
      int ri = b.resourceIndex(i);
      int rid = batchResourceIds[ri];
      if (!search.hasResource(rid)) {
        search.indexResource(rid, src, b.resourceOffset(ri), Math.max(b.resourceLength(ri), 0));
      }
      search.addSpan(t, rid, src, b.spanOffset(i), spanLength, nameLength > 0 ? b.nameOffset(i) : 0,
          Math.max(nameLength, 0), b.statusCode(i), b.kind(i), start, end);
      long cs = start < lo || start > hi ? nowNanos : start;
      long ce = end < lo || end > hi ? nowNanos : end;
      min = Math.min(min, Math.min(cs, ce));
      max = Math.max(max, Math.max(cs, ce));
    }
    minTime = min;
    maxTime = max;
    spanCount = index.spanCount();
    traceCount = index.traceCount();
    bytes = position;
  }

  private int dictId(
      Dictionary d, byte type, byte[] src, int off, int len, int schemaOff, int schemaLen, String service)
      throws IOException {
    long h = Dictionary.hash(src, off, len, schemaOff, schemaLen);
    for (int c = d.first(h); c >= 0; c = d.next(c)) {
      if (sameDict(d.offset(c), src, off, len, schemaOff, schemaLen)) {
        return c;
      }
    }
    byte[] svc = service.isEmpty() ? null : service.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int svcLen = svc == null ? 0 : svc.length;
    int length = dictRecordLength(len, schemaLen, svcLen);
    if (length > MAX_RECORD_LENGTH) {
      throw new IOException("resource or scope of " + len + " bytes is larger than a record may be");
    }
    int at = staged;
    int r = stageRecord(at, length);
    int id = d.size();
    ByteBuffer m = stage;
    m.putInt(r + LENGTH, length);
    m.put(r + TYPE, type);
    m.putInt(r + DICT_ID, id);
    m.putInt(r + DICT_MESSAGE_LENGTH, len < 0 ? -1 : len);
    m.putInt(r + DICT_SCHEMA_URL_LENGTH, schemaLen < 0 ? -1 : schemaLen);
    m.putInt(r + DICT_SERVICE_LENGTH, svcLen);
    int w = r + DICT_BYTES;
    if (len > 0) {
      m.put(w, src, off, len);
      w += len;
    }
    if (schemaLen > 0) {
      m.put(w, src, schemaOff, schemaLen);
      w += schemaLen;
    }
    if (svcLen > 0) {
      m.put(w, svc, 0, svcLen);
    }
    m.putInt(r + CRC, stagedCrc(r, length));
    staged = at + align(length);
    int v = beginChange();
    d.add(h, at);
    endChange(v);
    return id;
  }

  private boolean sameDict(int at, byte[] src, int off, int len, int schemaOff, int schemaLen) {
    // An entry added earlier in this batch is still in the stage, older ones are in the log.
    ByteBuffer m = at >= stageBase ? stage : map;
    int p = at >= stageBase ? at - stageBase : at;
    int ml = m.getInt(p + DICT_MESSAGE_LENGTH);
    int sl = m.getInt(p + DICT_SCHEMA_URL_LENGTH);
    if (ml != (len < 0 ? -1 : len) || sl != (schemaLen < 0 ? -1 : schemaLen)) {
      return false;
    }
    // one bulk copy and vectorised compares: this runs for every resource and scope of every batch
    int ln = Math.max(len, 0);
    int sn = Math.max(schemaLen, 0);
    if (hashScratch.length < ln + sn) {
      hashScratch = new byte[ln + sn];
    }
    byte[] logged = hashScratch;
    m.get(p + DICT_BYTES, logged, 0, ln + sn);
    // absent parts have offset -1: compare only what is there
    return (ln == 0 || Arrays.equals(logged, 0, ln, src, off, off + ln))
        && (sn == 0 || Arrays.equals(logged, ln, ln + sn, src, schemaOff, schemaOff + sn));
  }

  /**
   * Makes room in the stage for a record of {@code length} bytes at log offset {@code at} and returns its offset in
   * the stage, with the record's alignment padding zeroed (the stage is reused, the log's padding is zeros).
   */
  private int stageRecord(int at, int length) throws IOException {
    long endAt = (long) at + align(length);
    if (endAt > Integer.MAX_VALUE - MAX_GROWTH) {
      throw new IOException("head block " + id + " span log would exceed 2 GiB");
    }
    int r = at - stageBase;
    int need = r + align(length);
    ByteBuffer st = stage;
    if (st == null || need > st.capacity()) {
      int cap = Math.max(MIN_STAGE, st == null ? 0 : st.capacity());
      while (cap < need) {
        cap *= 2;
      }
      ByteBuffer grown = ByteBuffer.allocateDirect(cap).order(ByteOrder.LITTLE_ENDIAN);
      if (st != null && r > 0) {
        grown.put(0, st, 0, r);
      }
      stage = grown;
      stageView = grown.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }
    stage.putLong(need - 8, 0L);
    return r;
  }

  private int stagedCrc(int r, int length) {
    ByteBuffer v = stageView;
    v.limit(r + length).position(r + TYPE);
    crc.reset();
    crc.update(v);
    return (int) crc.getValue();
  }

  /** Writes the staged bytes for log range [from, to) at their place in the file, mapping the range for reads. */
  private void writeStaged(int from, int to) throws IOException {
    if (to == from) {
      return;
    }
    ensureMapped(to);
    ByteBuffer w = stageView;
    w.limit(to - from).position(0);
    long p = from;
    while (w.hasRemaining()) {
      p += channel.write(w, p);
    }
  }

  /**
   * After a failed append: cuts off whatever part of the batch reached the file, so no stale record past the log's
   * end can be replayed after a restart. If even that fails the next append overwrites the range anyway.
   */
  private void abandonTail(int at) {
    staged = at;
    try {
      if (channel.size() > at) {
        channel.truncate(at);
      }
    } catch (IOException | RuntimeException e) {
      System.getLogger("io.spanfold.core.store")
          .log(System.Logger.Level.WARNING, "could not cut span log " + dir + " back to " + at, e);
    }
  }

  private void replay(int size, RecoveryListener listener, Path file, long t0, long progressNanos)
      throws IOException {
    int at = HEADER_LENGTH;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    long nextReport = t0 + progressNanos;
    int records = 0;
    while (true) {
      // Reading the clock per record would cost more than the replay itself.
      if ((++records & 1023) == 0) {
        long now = System.nanoTime();
        if (now - nextReport >= 0) {
          listener.progress(tenant, file, at, size, index.spanCount(), now - t0);
          nextReport = now + progressNanos;
        }
      }
      int length = checkRecord(map, at, size, crc);
      if (length > 0) {
        byte type = map.get(at + TYPE);
        if (type == TYPE_SPAN) {
          int res = map.getInt(at + SPAN_RESOURCE_ID);
          int sc = map.getInt(at + SPAN_SCOPE_ID);
          if (res < 0 || res >= resources.size() || sc < 0 || sc >= scopes.size()) {
            length = -1;
          } else {
            long start = map.getLong(at + SPAN_START);
            long end = map.getLong(at + SPAN_END);
            int t = index.add(map.getLong(at + SPAN_TRACE_HIGH), map.getLong(at + SPAN_TRACE_LOW), at, start, end,
                map.getLong(at + SPAN_PARENT_ID) == 0, map.get(at + SPAN_STATUS) == 2);
            indexRecord(t, at, res);
            // The arrival time is not logged; the block's creation time stands in for it when clamping is moot.
            min = Math.min(min, start);
            max = Math.max(max, end);
          }
        } else {
          Dictionary d = type == TYPE_RESOURCE ? resources : scopes;
          if (map.getInt(at + DICT_ID) != d.size()) {
            length = -1;
          } else {
            d.add(hashOfRecord(at), at);
          }
        }
      }
      if (length <= 0) {
        if (length < 0) {
          System.getLogger("io.spanfold.core.store")
              .log(System.Logger.Level.WARNING,
                  "span log " + dir.resolve(BlockFiles.WAL) + " torn at offset " + at + ": truncating there");
        }
        break;
      }
      at += align(length);
    }
    // Zero the tail so stale bytes can never be taken for records after new appends.
    for (int p = at; p < size; p++) {
      if (map.get(p) != 0) {
        zero(at, size);
        break;
      }
    }
    position = at;
    forced = 0;
    bytes = at;
    spanCount = index.spanCount();
    traceCount = index.traceCount();
    recoveredRange(min, max);
  }

  /**
   * A recovered block's time range is taken from the span times, clamped like appends would have been against the
   * block's creation time and an hour after it (the arrival times are not in the log).
   */
  private void recoveredRange(long min, long max) {
    if (index.spanCount() == 0) {
      return;
    }
    minTime = min;
    maxTime = max;
  }

  /** Re-applies the ingestion clamp after recovery, once the store knows its slack and block duration. */
  public void clampRecoveredRange(long slackNanos, long blockDurationNanos) {
    if (spanCount == 0) {
      return;
    }
    long lo = createdNanos - slackNanos;
    long hi = createdNanos + blockDurationNanos + slackNanos;
    long min = minTime < lo || minTime > hi ? createdNanos : minTime;
    long max = maxTime < lo || maxTime > hi ? Math.max(min, createdNanos) : maxTime;
    minTime = Math.min(min, max);
    maxTime = Math.max(min, max);
  }

  private void zero(int from, int to) {
    for (int p = from; p < to; p += 8) {
      if (to - p >= 8) {
        map.putLong(p, 0L);
      } else {
        for (int q = p; q < to; q++) {
          map.put(q, (byte) 0);
        }
      }
    }
    map.force();
  }

  /** Rebuilds the search postings of a replayed span record (recovery path: copies bytes freely). */
  private void indexRecord(int t, int at, int res) {
    if (!search.hasResource(res)) {
      int ro = resources.offset(res);
      int ml = Math.max(map.getInt(ro + DICT_MESSAGE_LENGTH), 0);
      byte[] rb = new byte[ml];
      map.get(ro + DICT_BYTES, rb);
      search.indexResource(res, rb, 0, ml);
    }
    int sl = map.getInt(at + SPAN_BYTES_LENGTH);
    if (replayScratch.length < sl) {
      replayScratch = new byte[Math.max(sl, replayScratch.length * 2)];
    }
    map.get(at + SPAN_BYTES, replayScratch, 0, sl);
    search.addSpan(t, res, replayScratch, 0, sl, map.getInt(at + SPAN_NAME_OFFSET), map.getInt(at + SPAN_NAME_LENGTH),
        map.get(at + SPAN_STATUS), map.get(at + SPAN_KIND), map.getLong(at + SPAN_START), map.getLong(at + SPAN_END));
  }

  private long hashOfRecord(int at) {
    int ml = map.getInt(at + DICT_MESSAGE_LENGTH);
    int sl = map.getInt(at + DICT_SCHEMA_URL_LENGTH);
    int total = Math.max(ml, 0) + Math.max(sl, 0);
    if (hashScratch.length < total) {
      hashScratch = new byte[total];
    }
    map.get(at + DICT_BYTES, hashScratch, 0, total);
    return Dictionary.hash(hashScratch, 0, ml, Math.max(ml, 0), sl);
  }

  /**
   * Maps the log for reads at least up to {@code needed}, a growth step ahead. Mapping past the end of the file
   * extends it sparsely (ftruncate): no zeros are written, the unwritten tail reads as zeros (the end-of-log marker),
   * and only the positional writes allocate disk space, so a full disk fails there as an IOException.
   */
  private void ensureMapped(long needed) throws IOException {
    MappedByteBuffer m = map;
    if (m != null && needed <= m.capacity()) {
      return;
    }
    if (needed > Integer.MAX_VALUE - MAX_GROWTH) {
      throw new IOException("head block " + id + " span log would exceed 2 GiB");
    }
    long cap = m == null ? 0 : m.capacity();
    long size = Math.max(needed, cap + growth(cap));
    setMap(channel.map(FileChannel.MapMode.READ_ONLY, 0, size));
  }

  private static long growth(long size) {
    return Math.min(MAX_GROWTH, Math.max(MIN_GROWTH, size));
  }

  private void setMap(MappedByteBuffer m) {
    m.order(ByteOrder.LITTLE_ENDIAN);
    map = m;
  }

  /** Forces appended bytes to disk (the EVERY_BATCH policy, close); the caller holds the lock. */
  public void force() throws IOException {
    forceTo(position);
  }

  /**
   * Forces appended bytes to disk without holding the append lock (the INTERVAL policy's task, also for a frozen
   * block awaiting completion): appends and lookups continue meanwhile.
   */
  public void forceWithoutBlockingAppends() throws IOException {
    forceTo(bytes);
  }

  private void forceTo(int to) throws IOException {
    if (to <= forced) {
      return;
    }
    synchronized (forceLock) {
      if (to > forced && channel.isOpen()) {
        // fdatasync: the positional writes are in the page cache, the sparse extension's size is metadata it covers
        channel.force(false);
        forced = to;
      }
    }
  }

  /** True when bytes appended are not yet known to be on disk. */
  public boolean unforced() {
    return bytes > forced;
  }

  /**
   * No more appends; the block is handed to completion. The caller holds the lock. Nothing is forced here (an fsync
   * under the append lock would stall appends and lookups): the fsync task forces frozen logs too, and completion
   * makes the block durable by its own commit.
   */
  public void freeze() {
    frozen = true;
    stage = null;
    stageView = null;
  }

  private volatile boolean completionFailed;

  /** Set when a completion attempt failed; {@link #takeCompletionFailure()} clears it for one retry. */
  public void markCompletionFailed() {
    completionFailed = true;
  }

  public boolean takeCompletionFailure() {
    boolean f = completionFailed;
    completionFailed = false;
    return f;
  }

  public boolean isEmpty() {
    return spanCount == 0;
  }

  public Object lock() {
    return lock;
  }

  /** Frozen state, read by the completion task (after the hand-over, no lock needed). */
  HeadTraceIndex index() {
    return index;
  }

  /**
   * The span records of trace ordinal {@code t} as they are now, with the mapping and resource offsets to read them
   * outside the lock (records below the log position never change; an old mapping stays valid after a remap).
   */
  SearchEngine.Records records(int t) {
    synchronized (lock) {
      if (t >= index.traceCount()) {
        return null;
      }
      int n = index.count(t);
      int[] offsets = index.offsets(t, null);
      return new SearchEngine.Records(map.duplicate().order(ByteOrder.LITTLE_ENDIAN), offsets, n, resources.offsets());
    }
  }

  HeadSearchIndex searchIndex() {
    return search;
  }

  /** The current mapping; records below {@link #logLength()} (read under the lock) never change. */
  ByteBuffer log() {
    return map;
  }

  int logLength() {
    return position;
  }

  int[] resourceOffsets() {
    return resources.offsets();
  }

  int[] scopeOffsets() {
    return scopes.offsets();
  }

  int resourceCount() {
    return resources.size();
  }

  int scopeCount() {
    return scopes.size();
  }

  @Override
  public BlockState state() {
    return frozen ? BlockState.COMPLETING : BlockState.HEAD;
  }

  @Override
  public long minTimeNanos() {
    return minTime;
  }

  @Override
  public long maxTimeNanos() {
    return maxTime;
  }

  @Override
  public long spanCount() {
    return spanCount;
  }

  @Override
  public long traceCount() {
    return traceCount;
  }

  @Override
  public long bytes() {
    return bytes;
  }

  /** Marks the start of an index or dictionary change (caller holds the lock); returns the even counter it was. */
  private int beginChange() {
    int v = version;
    VERSION.setOpaque(this, v + 1);
    // the counter turns odd before any of the change's writes can be seen
    VarHandle.storeStoreFence();
    return v;
  }

  /** Ends the change begun at {@code v}: its writes happen-before a reader's acquire of the new even counter. */
  private void endChange(int v) {
    VERSION.setRelease(this, v + 2);
  }

  @Override
  public void collect(long high, long low, TraceAssembler into) {
    // Optimistic: read the index without the lock and keep the result only when no change overlapped the read. A
    // racing change can show the arrays half-grown, which may throw; that read is simply retried.
    long deadline = 0;
    for (int attempt = 0; ; attempt++) {
      if (attempt >= SPIN_TRIES) {
        // the writer is in a long change (an index growth) or not running: let it run, within a time budget
        long now = System.nanoTime();
        if (deadline == 0) {
          deadline = now + OPTIMISTIC_NANOS;
        } else if (now - deadline > 0) {
          break;
        }
        Thread.yield();
      }
      int v = (int) VERSION.getAcquire(this);
      if ((v & 1) != 0) {
        Thread.onSpinWait();
        continue;
      }
      int t;
      int n = 0;
      int[] offsets = null;
      ByteBuffer log;
      int[] resourceOffsets;
      int[] scopeOffsets;
      try {
        t = index.find(high, low);
        if (t >= 0) {
          n = index.count(t);
          offsets = index.offsets(t, null);
        }
        log = map;
        resourceOffsets = resources.offsets();
        scopeOffsets = scopes.offsets();
      } catch (RuntimeException raced) {
        continue;
      }
      VarHandle.loadLoadFence();
      if ((int) VERSION.getOpaque(this) != v) {
        continue;
      }
      // Consistent as of v: the records, the mapping and the dictionary entries they name were written before v was
      // published, and records below the log position never change, so they are read without the lock.
      if (t >= 0) {
        into.startBlock(log, resourceOffsets, scopeOffsets);
        for (int i = 0; i < n; i++) {
          into.addSpan(offsets[i]);
        }
      }
      return;
    }
    synchronized (lock) {
      int t = index.find(high, low);
      if (t < 0) {
        return;
      }
      int n = index.count(t);
      int[] offsets = index.offsets(t, null);
      into.startBlock(map, resources.offsets(), scopes.offsets());
      for (int i = 0; i < n; i++) {
        into.addSpan(offsets[i]);
      }
    }
  }

  @Override
  protected void closeResources() {
    try {
      channel.close();
    } catch (IOException e) {
      System.getLogger("io.spanfold.core.store")
          .log(System.Logger.Level.WARNING, "closing span log of block " + dir + " failed", e);
    }
  }

  /** Per block resource or scope dictionary: content hash → ids (chained on collision), id → record offset. */
  static final class Dictionary {
    private final LongIntHashMap firstByHash = new LongIntHashMap();
    private int[] offsets = new int[8];
    private int[] next = new int[8];
    private long[] hashes = new long[8];
    private int size;

    int size() {
      return size;
    }

    int first(long hash) {
      return firstByHash.getOrDefault(hash, -1);
    }

    int next(int id) {
      return next[id];
    }

    int offset(int id) {
      return offsets[id];
    }

    /** Snapshot-safe: ids below {@link #size()} never change, a grown array is a copy. */
    int[] offsets() {
      return offsets;
    }

    void add(long hash, int offset) {
      if (size == offsets.length) {
        offsets = Arrays.copyOf(offsets, size * 2);
        next = Arrays.copyOf(next, size * 2);
        hashes = Arrays.copyOf(hashes, size * 2);
      }
      offsets[size] = offset;
      next[size] = firstByHash.getOrDefault(hash, -1);
      hashes[size] = hash;
      firstByHash.put(hash, size);
      size++;
    }

    /** Forgets the entries from id {@code newSize} on (an append that failed before its records were logged). */
    void truncate(int newSize) {
      while (size > newSize) {
        size--;
        int prev = next[size];
        if (prev < 0) {
          firstByHash.remove(hashes[size]);
        } else {
          firstByHash.put(hashes[size], prev);
        }
      }
    }

    /** Content hash of a message and its schema URL (-1 lengths: absent); in memory only, never persisted. */
    static long hash(byte[] a, int off, int len, int schemaOff, int schemaLen) {
      long h = 0x9E3779B97F4A7C15L ^ len;
      h = mixBytes(h, a, off, len);
      h = (h ^ schemaLen) * 0xBF58476D1CE4E5B9L;
      h = mixBytes(h, a, schemaOff, schemaLen);
      h ^= h >>> 29;
      return h;
    }

    /** Eight bytes per step: resources are a few hundred bytes and are hashed once per batch each. */
    private static long mixBytes(long h, byte[] a, int off, int len) {
      int i = 0;
      for (; i + 8 <= len; i += 8) {
        h = (h ^ (long) LONG_LE.get(a, off + i)) * 0x100000001B3L;
        h ^= h >>> 32;
      }
      for (; i < len; i++) {
        h = (h ^ a[off + i]) * 0x100000001B3L;
      }
      return h;
    }
  }
}
