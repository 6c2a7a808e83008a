package io.spanfold.redmetrics.spanmetrics.internal;

import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.OtlpAttributes;
import io.spanfold.core.wire.OtlpFields;
import io.spanfold.redmetrics.histogram.PackedHistogram;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Internal, unstable. One ingest stripe: a private series table and accumulators, written by one thread at a time
 * under {@link #lock} (held for a whole batch), drained by the collector under the same lock.
 *
 * <p>Per span, without allocation: two independent 64-bit hashes of the series key (service, span name, kind,
 * status[, status message], dimension values as label-value bytes) are computed in one pass straight from the
 * batch's bytes, the service part once per resource per batch. The table is one {@code long[]}, an entry per slot
 * packing hash1's high 32 bits with the cell number (the slot comes from hash1's low bits); a cell's state is a run
 * of one shared {@code long[]}: {@code hash2, sizeBytes}, then a {@link PackedHistogram}. A lookup matches the tag
 * and all of hash2 (which sits on the cache line the record touches anyway), so a span touches about three cache
 * lines of stripe state. Two keys merge only if 96 hash bits collide and they share a probe run (below 2^-96 per
 * pair); Tempo itself identifies series by one 64-bit label hash. The exact key bytes and label {@code String}s
 * are built only when a key has no cell yet.
 *
 * <p>Stale series: the registry bumps an epoch when it retires series; a stripe checks it once per batch and then
 * drops (or, when spans landed meanwhile, re-registers) the cells of retired series, so the per-span path never
 * reads a {@link Series}.
 */
public final class Stripe {
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);

  // cell header, then the packed latency histogram
  private static final int H2 = 0;
  private static final int SIZE = 1;
  private static final int HIST = 2;

  public final ReentrantLock lock = new ReentrantLock();
  private final Config config;
  private final SeriesRegistry registry;
  private final PackedHistogram histogram;
  private final int stride;
  private byte[] scratch = new byte[256];

  // table: one long per slot, hash1's high 32 bits | (cell + 1), 0 = empty; load factor <= 1/2
  private long[] table;
  private int tableMask;
  private int tableSize;

  // cells: numeric state in `data` (stride longs each); the rest is read only off the per-span path
  private long[] data;
  private long[] cellHash1;
  private Series[] cellSeries;
  private String[] cellService;
  private byte[][] cellKey;
  private int cellHigh;
  private int[] free = new int[16];
  private int freeCount;
  private int overflowCell = -1;
  private long retireEpoch;

  // service hashes, per resource of the current batch (recomputed only when the service String changes)
  private String[] resService = new String[0];
  private long[] resSeed1 = new long[0];
  private long[] resSeed2 = new long[0];

  // per-span scratch of the current batch: key hashes and cell (-1: skipped)
  private long[] spanKey1 = new long[0];
  private long[] spanKey2 = new long[0];
  private int[] spanCell = new int[0];
  private int[] spanBucket = new int[0];
  /** Sink of the look-ahead reads, so the JIT keeps them. */
  private long lookAhead;

  // hash state of the key being hashed
  private long h1;
  private long h2;

  // dimension lookup state, reused across spans and batches
  private final int dims;
  private int[] resType = new int[0];
  private int[] resOff = new int[0];
  private int[] resLen = new int[0];
  private long[] resBits = new long[0];
  private final int[] dimType;
  private final int[] dimOff;
  private final int[] dimLen;
  private final long[] dimBits;
  private final DimensionVisitor visitor = new DimensionVisitor();
  private byte[] dimSource;

  // counters, read by the collector under the lock
  long received;
  long discardedSlack;
  long limited;

  public Stripe(Config config, SeriesRegistry registry) {
    this.config = config;
    this.registry = registry;
    this.histogram = new PackedHistogram(config.buckets);
    this.stride = HIST + histogram.stride();
    this.dims = config.dimensionKeys.length;
    dimType = new int[dims];
    dimOff = new int[dims];
    dimLen = new int[dims];
    dimBits = new long[dims];
    this.retireEpoch = registry.retireEpoch();
    int cells = 1024;
    table = new long[2 * cells];
    tableMask = table.length - 1;
    data = new long[cells * stride];
    cellHash1 = new long[cells];
    cellSeries = new Series[cells];
    cellService = new String[cells];
    cellKey = new byte[cells][];
  }

  /** Aggregates a batch. Caller holds {@link #lock}. */
  public void process(SpanBatch batch, long nowMillis) {
    int n = batch.size();
    received += n;
    if (registry.retireEpoch() != retireEpoch) {
      dropRetired(nowMillis);
    }
    long slackNanos = config.slackMillis * 1_000_000L;
    long nowNanos = nowMillis * 1_000_000L;
    long minEnd = nowNanos - slackNanos;
    long maxEnd = nowNanos + slackNanos;
    byte[] buf = batch.buffer();
    seedResources(batch);
    if (dims > 0) {
      scanResources(batch, buf);
    }
    boolean spanName = config.spanName;
    boolean statusMessage = config.statusMessage;
    // kind and status share one hashed word; a disabled one hashes as a constant
    long kindMask = config.spanKind ? 0xFFFFFFFFL : 0;
    long statusMask = config.statusCode ? 0xFFFFFFFFL : 0;
    long[] seeds1 = resSeed1;
    long[] seeds2 = resSeed2;
    if (spanKey1.length < n) {
      int cap = Math.max(n, 2 * spanKey1.length);
      spanKey1 = new long[cap];
      spanKey2 = new long[cap];
      spanCell = new int[cap];
      spanBucket = new int[cap];
    }
    long[] key1 = spanKey1;
    long[] key2 = spanKey2;
    int[] cellOf = spanCell;
    // Three passes, so that each loop body is short and independent across spans and the CPU overlaps the cache
    // misses of many spans (the table and cell state of 10 000 series do not fit in L2). Order is kept: series are
    // created, and exemplars recorded, in span order as a single pass would.
    // 1. hash the series key of every span (compute only, the batch's own bytes)
    for (int i = 0; i < n; i++) {
      long end = batch.endNanos(i);
      if (end < minEnd || end > maxEnd) {
        discardedSlack++;
        cellOf[i] = -1;
        continue;
      }
      cellOf[i] = 0;
      int r = batch.resourceIndex(i);
      h1 = seeds1[r];
      h2 = seeds2[r];
      if (spanName) {
        mix(buf, batch.nameOffset(i), batch.nameLength(i));
      }
      mixWord((batch.kind(i) & kindMask) | (batch.statusCode(i) & statusMask) << 32);
      if (statusMessage) {
        mix(buf, batch.statusMessageOffset(i), batch.statusMessageLength(i));
      }
      if (dims > 0) {
        lookupDimensions(batch, i, r, buf);
        mix(scratch, 0, putDimensions(0));
      }
      key1[i] = fmix(h1);
      key2[i] = fmix(h2 ^ 0x2545F4914F6CDD1DL);
    }
    // 2. find (or create) each span's cell, compute its bucket and read that bucket's count so that its cache
    // line is on its way before the record pass (a loop of loads only overlaps misses best)
    PackedHistogram hist = histogram;
    int stride = this.stride;
    int[] bucketOf = spanBucket;
    long touch = 0;
    for (int i = 0; i < n; i++) {
      if (cellOf[i] < 0) {
        continue;
      }
      long k1 = key1[i];
      long k2 = key2[i];
      int cell = find(k1, k2);
      if (cell < 0) {
        // -1 when over max_active_series without an overflow series: counted in `limited`
        cell = resolve(batch, i, batch.resourceIndex(i), buf, k1, k2, nowMillis);
        if (cell < 0) {
          cellOf[i] = -1;
          continue;
        }
      }
      cellOf[i] = cell;
      long start = batch.startNanos(i);
      long end = batch.endNanos(i);
      int bucket = hist.bucketIndex(end > start ? end - start : 0);
      bucketOf[i] = bucket;
      touch += data[hist.bucketSlot(cell * stride + HIST, bucket)];
    }
    lookAhead = touch;
    // 3. record
    long[] d = data;
    for (int i = 0; i < n; i++) {
      int cell = cellOf[i];
      if (cell < 0) {
        continue;
      }
      int base = cell * stride;
      long start = batch.startNanos(i);
      long end = batch.endNanos(i);
      hist.recordInBucket(d, base + HIST, bucketOf[i], end > start ? end - start : 0, batch.traceIdHigh(i),
          batch.traceIdLow(i), Math.floorDiv(end, 1_000_000L));
      d[base + SIZE] += batch.spanLength(i);
    }
  }

  // ---------------------------------------------------------------- hashing

  private static long fmix(long h) {
    h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
    h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return h ^ (h >>> 33);
  }

  /** One word into both hash states; each step is injective in the word for a fixed state. */
  private void mixWord(long w) {
    long a = (h1 ^ w) * 0x9E3779B97F4A7C15L;
    h1 = a ^ (a >>> 29);
    h2 = Long.rotateLeft(h2 + w * 0xC2B2AE3D27D4EB4FL, 31) * 0x165667B19E3779F9L;
  }

  /** A length-prefixed byte field into both hash states, 8 bytes at a time. */
  private void mix(byte[] b, int off, int len) {
    mixWord(len);
    int p = off;
    int end = off + len;
    for (; p + 8 <= end; p += 8) {
      mixWord((long) LONG_LE.get(b, p));
    }
    int rem = end - p;
    if (rem > 0) {
      long w;
      if (p + 8 <= b.length) {
        w = (long) LONG_LE.get(b, p) & (-1L >>> (64 - 8 * rem)); // the field's last bytes, little-endian
      } else {
        w = 0;
        for (int k = end - 1; k >= p; k--) {
          w = w << 8 | (b[k] & 0xFF);
        }
      }
      mixWord(w);
    }
  }

  private void seedResources(SpanBatch batch) {
    int rc = batch.resourceCount();
    if (resService.length < rc) {
      int cap = Math.max(rc, 2 * resService.length);
      resService = Arrays.copyOf(resService, cap);
      resSeed1 = Arrays.copyOf(resSeed1, cap);
      resSeed2 = Arrays.copyOf(resSeed2, cap);
    }
    for (int r = 0; r < rc; r++) {
      String service = config.service ? batch.resourceServiceName(r) : "";
      if (service == null) {
        service = "";
      }
      if (service == resService[r]) {
        continue; // the decoder reuses service-name Strings
      }
      h1 = 0x243F6A8885A308D3L;
      h2 = 0x13198A2E03707344L;
      int len = service.length();
      mixWord(len);
      for (int c = 0; c < len; c++) {
        mixWord(service.charAt(c));
      }
      resService[r] = service;
      resSeed1[r] = h1;
      resSeed2[r] = h2;
    }
  }

  // ---------------------------------------------------------------- table and cells

  private static final long TAG = 0xFFFFFFFF00000000L;

  private static int slot(long k1, int mask) {
    return (int) k1 & mask;
  }

  /** The cell of a key, or -1: the slot comes from hash1's low bits, the entry's tag from its high 32 bits. */
  private int find(long k1, long k2) {
    long[] t = table;
    int mask = tableMask;
    long tag = k1 & TAG;
    for (int s = slot(k1, mask); ; s = (s + 1) & mask) {
      long e = t[s];
      if (e == 0) {
        return -1;
      }
      if ((e & TAG) == tag) {
        int cell = (int) e - 1;
        if (data[cell * stride + H2] == k2) {
          return cell;
        }
      }
    }
  }

  private int resolve(SpanBatch batch, int i, int r, byte[] buf, long k1, long k2, long now) {
    String service = config.service ? batch.resourceServiceName(r) : "";
    if (service == null) {
      service = "";
    }
    byte[] key = registry.isFull() ? null : Arrays.copyOf(scratch, buildKey(batch, i, buf));
    String svc = service;
    Series s = key == null ? null : registry.getOrCreate(service, key, () -> labelValues(svc, key), now);
    if (s == null) {
      limited++;
      if (!config.overflowSeries) {
        return -1;
      }
      if (overflowCell < 0) {
        overflowCell = newCell(0, 0, "", new byte[0], registry.overflow());
      }
      return overflowCell;
    }
    int cell = newCell(k1, k2, service, key, s);
    insert(k1, cell);
    return cell;
  }

  private int newCell(long k1, long k2, String service, byte[] key, Series s) {
    int cell;
    if (freeCount > 0) {
      cell = free[--freeCount];
    } else {
      cell = cellHigh++;
      if (cell == cellSeries.length) {
        int cap = 2 * cell;
        data = Arrays.copyOf(data, cap * stride);
        cellHash1 = Arrays.copyOf(cellHash1, cap);
        cellSeries = Arrays.copyOf(cellSeries, cap);
        cellService = Arrays.copyOf(cellService, cap);
        cellKey = Arrays.copyOf(cellKey, cap);
      }
    }
    int base = cell * stride;
    data[base + H2] = k2;
    data[base + SIZE] = 0;
    histogram.clear(data, base + HIST);
    cellHash1[cell] = k1;
    cellSeries[cell] = s;
    cellService[cell] = service;
    cellKey[cell] = key;
    return cell;
  }

  private void freeCell(int cell) {
    cellSeries[cell] = null;
    cellService[cell] = null;
    cellKey[cell] = null;
    if (freeCount == free.length) {
      free = Arrays.copyOf(free, 2 * freeCount);
    }
    free[freeCount++] = cell;
  }

  private void insert(long k1, int cell) {
    if ((tableSize + 1) * 2 > table.length) {
      long[] old = table;
      table = new long[2 * old.length];
      tableMask = table.length - 1;
      for (long e : old) {
        if (e != 0) {
          put(cellHash1[(int) e - 1], e);
        }
      }
    }
    put(k1, (k1 & TAG) | (cell + 1L));
    tableSize++;
  }

  private void put(long k1, long entry) {
    long[] t = table;
    int mask = tableMask;
    int s = slot(k1, mask);
    while (t[s] != 0) {
      s = (s + 1) & mask;
    }
    t[s] = entry;
  }

  /** Removes a cell from the table, closing the probe gap by shifting later entries back. */
  private void remove(int cell) {
    long[] t = table;
    int mask = tableMask;
    int i = slot(cellHash1[cell], mask);
    while ((int) t[i] != cell + 1) {
      if (t[i] == 0) {
        return;
      }
      i = (i + 1) & mask;
    }
    t[i] = 0;
    tableSize--;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      long e = t[j];
      if (e == 0) {
        return;
      }
      int home = slot(cellHash1[(int) e - 1], mask);
      // move the entry at j into the hole at i if its home is not in the cyclic range (i, j]
      boolean homeInRange = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!homeInRange) {
        t[i] = e;
        t[j] = 0;
        i = j;
      }
    }
  }

  // ---------------------------------------------------------------- key encoding

  private void ensure(int needed) {
    if (needed > scratch.length) {
      scratch = Arrays.copyOf(scratch, Math.max(needed, scratch.length * 2));
    }
  }

  private int putBytes(int p, byte[] src, int off, int len) {
    ensure(p + 4 + len);
    byte[] s = scratch;
    s[p] = (byte) (len >>> 24);
    s[p + 1] = (byte) (len >>> 16);
    s[p + 2] = (byte) (len >>> 8);
    s[p + 3] = (byte) len;
    System.arraycopy(src, off, s, p + 4, len);
    return p + 4 + len;
  }

  private int putLong(int p, long v) {
    ensure(p + 4 + 20);
    int start = p + 4;
    int q = start;
    if (v == Long.MIN_VALUE) {
      byte[] m = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
      return putBytes(p, m, 0, m.length);
    }
    if (v < 0) {
      scratch[q++] = '-';
      v = -v;
    }
    int digitsStart = q;
    do {
      scratch[q++] = (byte) ('0' + (v % 10));
      v /= 10;
    } while (v != 0);
    for (int a = digitsStart, b = q - 1; a < b; a++, b--) {
      byte t = scratch[a];
      scratch[a] = scratch[b];
      scratch[b] = t;
    }
    int len = q - start;
    scratch[p] = (byte) (len >>> 24);
    scratch[p + 1] = (byte) (len >>> 16);
    scratch[p + 2] = (byte) (len >>> 8);
    scratch[p + 3] = (byte) len;
    return q;
  }

  private int buildKey(SpanBatch batch, int i, byte[] buf) {
    int r = batch.resourceIndex(i);
    int p = 0;
    if (config.spanName) {
      p = putBytes(p, buf, batch.nameOffset(i), batch.nameLength(i));
    }
    ensure(p + 2);
    if (config.spanKind) {
      scratch[p++] = (byte) batch.kind(i);
    }
    if (config.statusCode) {
      scratch[p++] = (byte) batch.statusCode(i);
    }
    if (config.statusMessage) {
      p = putBytes(p, buf, batch.statusMessageOffset(i), batch.statusMessageLength(i));
    }
    if (dims > 0) {
      lookupDimensions(batch, i, r, buf);
      p = putDimensions(p);
    }
    return p;
  }

  /** Appends the looked-up dimension values (after {@link #lookupDimensions}) as label-value bytes. */
  private int putDimensions(int p) {
    byte[] buf = dimSource;
    for (int d = 0; d < dims; d++) {
      switch (dimType[d]) {
        case OtlpAttributes.TYPE_STRING:
          p = putBytes(p, buf, dimOff[d], dimLen[d]);
          break;
        case OtlpAttributes.TYPE_INT:
          p = putLong(p, dimBits[d]);
          break;
        case OtlpAttributes.TYPE_BOOL:
          p = dimBits[d] != 0 ? putBytes(p, TRUE, 0, 4) : putBytes(p, FALSE, 0, 5);
          break;
        case OtlpAttributes.TYPE_DOUBLE:
          p = putDouble(p, Double.longBitsToDouble(dimBits[d]));
          break;
        default: // absent, empty, or a type Tempo would render as JSON: label value ""
          p = putBytes(p, buf, 0, 0);
      }
    }
    return p;
  }

  private int putDouble(int p, double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return putLong(p, (long) v);
    }
    byte[] s = Double.toString(v).getBytes(StandardCharsets.US_ASCII); // rare: fractional dimension values
    return putBytes(p, s, 0, s.length);
  }

  private void scanResources(SpanBatch batch, byte[] buf) {
    int rc = batch.resourceCount();
    int need = rc * dims;
    if (resType.length < need) {
      resType = new int[need];
      resOff = new int[need];
      resLen = new int[need];
      resBits = new long[need];
    }
    for (int r = 0; r < rc; r++) {
      int base = r * dims;
      Arrays.fill(resType, base, base + dims, -1);
      int len = batch.resourceLength(r);
      if (len > 0) {
        visitor.target(resType, resOff, resLen, resBits, base);
        OtlpAttributes.forEach(buf, batch.resourceOffset(r), len, OtlpFields.RESOURCE_ATTRIBUTES, visitor);
      }
    }
  }

  private void lookupDimensions(SpanBatch batch, int i, int r, byte[] buf) {
    dimSource = buf;
    int base = r * dims;
    boolean missing = false;
    for (int d = 0; d < dims; d++) {
      int t = resType[base + d];
      dimType[d] = t;
      if (t == -1) {
        missing = true;
      } else {
        dimOff[d] = resOff[base + d];
        dimLen[d] = resLen[base + d];
        dimBits[d] = resBits[base + d];
      }
    }
    if (missing) {
      visitor.target(dimType, dimOff, dimLen, dimBits, 0);
      OtlpAttributes.forEach(buf, batch.spanOffset(i), batch.spanLength(i), OtlpFields.SPAN_ATTRIBUTES, visitor);
    }
  }

  /** Fills the first occurrence of each configured key whose slot is still -1 (resource wins over span). */
  private final class DimensionVisitor implements OtlpAttributes.AttributeVisitor {
    private int[] type;
    private int[] off;
    private int[] len;
    private long[] bits;
    private int base;

    void target(int[] type, int[] off, int[] len, long[] bits, int base) {
      this.type = type;
      this.off = off;
      this.len = len;
      this.bits = bits;
      this.base = base;
    }

    @Override
    public void attribute(byte[] b, int keyOffset, int keyLength, int t, int valueOffset, int valueLength, long v) {
      byte[][] keys = config.dimensionKeys;
      for (int d = 0; d < keys.length; d++) {
        int k = base + d;
        if (type[k] == -1 && OtlpAttributes.bytesEqual(b, keyOffset, keyLength, keys[d])) {
          type[k] = t;
          off[k] = valueOffset;
          len[k] = valueLength;
          bits[k] = v;
        }
      }
    }
  }

  // ---------------------------------------------------------------- labels (only for new series)

  private List<String> labelValues(String service, byte[] key) {
    List<String> out = new ArrayList<>(config.labelNames.size());
    int p = 0;
    if (config.service) {
      out.add(service);
    }
    if (config.spanName) {
      int l = readLen(key, p);
      out.add(new String(key, p + 4, l, StandardCharsets.UTF_8));
      p += 4 + l;
    }
    if (config.spanKind) {
      out.add(kindName(key[p++]));
    }
    if (config.statusCode) {
      out.add(statusName(key[p++]));
    }
    if (config.statusMessage) {
      int l = readLen(key, p);
      out.add(new String(key, p + 4, l, StandardCharsets.UTF_8));
      p += 4 + l;
    }
    for (int d = 0; d < dims; d++) {
      int l = readLen(key, p);
      out.add(new String(key, p + 4, l, StandardCharsets.UTF_8));
      p += 4 + l;
    }
    return List.copyOf(out);
  }

  private static int readLen(byte[] k, int p) {
    return (k[p] & 0xFF) << 24 | (k[p + 1] & 0xFF) << 16 | (k[p + 2] & 0xFF) << 8 | (k[p + 3] & 0xFF);
  }

  private static final String[] KINDS = {
    "SPAN_KIND_UNSPECIFIED",
    "SPAN_KIND_INTERNAL",
    "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT",
    "SPAN_KIND_PRODUCER",
    "SPAN_KIND_CONSUMER"
  };
  private static final String[] STATUSES = {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"};

  /** Go's protobuf enum String(): the name, or the number for values the enum does not define. */
  static String kindName(int k) {
    return k >= 0 && k < KINDS.length ? KINDS[k] : Integer.toString(k);
  }

  static String statusName(int s) {
    return s >= 0 && s < STATUSES.length ? STATUSES[s] : Integer.toString(s);
  }

  // ---------------------------------------------------------------- collection (caller holds the lock)

  /** Folds this stripe's deltas into the series totals and drops cells of retired series. */
  public void drainInto(SeriesRegistry reg, long now) {
    for (int c = 0; c < cellHigh; c++) {
      Series s = cellSeries[c];
      if (s == null) {
        continue;
      }
      if (s.retired && !rebind(reg, c, now)) {
        continue;
      }
      fold(c, now);
    }
  }

  /** Drops the cells of series the registry retired since the last look (called with the lock held). */
  private void dropRetired(long now) {
    retireEpoch = registry.retireEpoch();
    for (int c = 0; c < cellHigh; c++) {
      Series s = cellSeries[c];
      if (s != null && s.retired) {
        rebind(registry, c, now);
      }
    }
  }

  /**
   * A cell whose series was retired: dropped when empty; when spans landed between retirement and this stripe
   * seeing it, the series is brought back (or, over the limit, the spans go to the overflow series) and the cell
   * is folded.
   *
   * @return whether the cell is still live and should be folded
   */
  private boolean rebind(SeriesRegistry reg, int c, long now) {
    Series old = cellSeries[c];
    int base = c * stride;
    if (histogram.isEmpty(data, base + HIST) && data[base + SIZE] == 0) {
      remove(c);
      freeCell(c);
      return false;
    }
    Series fresh = reg.getOrCreate(cellService[c], cellKey[c], old::labelValues, now);
    if (fresh == null) {
      Series overflow = reg.overflow();
      cellSeries[c] = overflow;
      fold(c, now);
      remove(c);
      freeCell(c);
      return false;
    }
    cellSeries[c] = fresh;
    return true;
  }

  private void fold(int c, long now) {
    int base = c * stride;
    if (histogram.isEmpty(data, base + HIST) && data[base + SIZE] == 0) {
      return;
    }
    Series s = cellSeries[c];
    histogram.drainInto(data, base + HIST, s.latency);
    s.sizeBytes += data[base + SIZE];
    data[base + SIZE] = 0;
    s.lastUpdateMillis = now;
  }

  public long received() {
    return received;
  }

  public long discardedSlack() {
    return discardedSlack;
  }

  public long limited() {
    return limited;
  }

  public int cells() {
    return tableSize;
  }
}
