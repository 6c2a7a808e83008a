package io.spanfold.redmetrics.spanmetrics.internal;

import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.OtlpAttributes;
import io.spanfold.core.wire.OtlpFields;
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
 * <p>Per span, without allocation: the key (span name, kind, status, status message, dimension values, each as the
 * exact label-value bytes) is built into a scratch buffer, hashed, and looked up; label {@code String}s are only
 * created when the registry creates a new series.
 */
public final class Stripe {
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);

  public final ReentrantLock lock = new ReentrantLock();
  private final Config config;
  private final SeriesRegistry registry;
  private final CellTable table;
  private Cell overflowCell;
  private byte[] scratch = new byte[256];

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

  // counters, read by the collector under the lock
  long received;
  long discardedSlack;
  long limited;

  public Stripe(Config config, SeriesRegistry registry) {
    this.config = config;
    this.registry = registry;
    this.table = new CellTable(1024);
    this.dims = config.dimensionKeys.length;
    dimType = new int[dims];
    dimOff = new int[dims];
    dimLen = new int[dims];
    dimBits = new long[dims];
  }

  /** Aggregates a batch. Caller holds {@link #lock}. */
  public void process(SpanBatch batch, long nowMillis) {
    int n = batch.size();
    received += n;
    long slackNanos = config.slackMillis * 1_000_000L;
    long nowNanos = nowMillis * 1_000_000L;
    long minEnd = nowNanos - slackNanos;
    long maxEnd = nowNanos + slackNanos;
    byte[] buf = batch.buffer();
    if (dims > 0) {
      scanResources(batch, buf);
    }
    for (int i = 0; i < n; i++) {
      long end = batch.endNanos(i);
      if (end < minEnd || end > maxEnd) {
        discardedSlack++;
        continue;
      }
      int r = batch.resourceIndex(i);
      String service = config.service ? batch.resourceServiceName(r) : "";
      if (service == null) {
        service = "";
      }
      int len = buildKey(batch, i, r, buf);
      long h = hash(scratch, len) ^ (service.hashCode() * 0x9E3779B97F4A7C15L);
      Cell cell = table.find(h, service, scratch, len);
      if (cell == null || cell.series.retired) {
        cell = resolve(cell, h, service, len, nowMillis);
        if (cell == null) {
          continue; // over max_active_series and no overflow series: counted in `limited`
        }
      }
      long start = batch.startNanos(i);
      long duration = end > start ? end - start : 0;
      cell.latency.record(duration, batch.traceIdHigh(i), batch.traceIdLow(i), Math.floorDiv(end, 1_000_000L));
      cell.sizeBytes += batch.spanLength(i);
    }
  }

  private Cell resolve(Cell stale, long h, String service, int len, long now) {
    if (stale != null) {
      table.remove(stale);
    }
    byte[] key = registry.isFull() ? null : Arrays.copyOf(scratch, len);
    Series s = key == null ? null : registry.getOrCreate(service, key, () -> labelValues(service, key), now);
    if (s == null) {
      limited++;
      if (!config.overflowSeries) {
        return null;
      }
      if (overflowCell == null) {
        overflowCell = new Cell(0, "", new byte[0], registry.overflow(), config.buckets);
      }
      return overflowCell;
    }
    Cell c = new Cell(h, service, key, s, config.buckets);
    table.insert(c);
    return c;
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

  private int buildKey(SpanBatch batch, int i, int r, byte[] buf) {
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

  static long hash(byte[] b, int len) {
    long h = 0x9E3779B97F4A7C15L ^ len;
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      h = (h ^ (long) LONG_LE.get(b, i)) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    long tail = 0;
    for (; i < len; i++) {
      tail = tail << 8 | (b[i] & 0xFF);
    }
    h = (h ^ tail) * 0x94D049BB133111EBL;
    return h ^ (h >>> 29);
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
    List<Cell> dead = null;
    for (Cell c : table.cells()) {
      if (c.series.retired) {
        if (c.isEmpty()) {
          dead = dead == null ? new ArrayList<>() : dead;
          dead.add(c);
          continue;
        }
        // a span landed between retirement and this writer seeing it: bring the series back
        Series fresh = reg.getOrCreate(c.service, c.key, c.series::labelValues, now);
        if (fresh == null) {
          fresh = reg.overflow();
          dead = dead == null ? new ArrayList<>() : dead;
          dead.add(c);
        }
        c.series = fresh;
      }
      fold(c, now);
    }
    if (dead != null) {
      for (Cell c : dead) {
        table.remove(c);
      }
    }
    if (overflowCell != null) {
      fold(overflowCell, now);
    }
  }

  private static void fold(Cell c, long now) {
    if (c.isEmpty()) {
      return;
    }
    Series s = c.series;
    c.latency.drainInto(s.latency);
    s.sizeBytes += c.sizeBytes;
    c.sizeBytes = 0;
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
    return table.size();
  }
}
