package io.spanfold.core.store.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * Internal, unstable. A completed block's persisted search index, {@code search.idx}, memory-mapped read-only (nothing
 * of it is copied onto the heap). Written at completion from the head's {@link HeadSearchIndex}, before
 * {@code block.meta} commits the block; a block written by an earlier store version without it is indexed when opened.
 * All numbers little-endian.
 *
 * <pre>
 * header (64): 0 magic (long) | 8 version (int) | 12 trace count | 16 key count | 20 term count | 24 flags (bit 0 =
 *              keys overflowed) | 28 string bytes (int) | 32 posting entries (long) | 40..63 reserved
 * traces  (trace count × 64, by ordinal): 0 trace id high | 8 low | 16 offset in spans.dat (long) | 24 start nanos
 *              | 32 end nanos | 40 shortest span nanos | 48 longest span nanos | 56 byte length (int) | 60 span count
 * order   (trace count × 4): ordinals by start, newest first
 * keys    (key count × 24): 0 key hash | 8 scope (byte) | 9 partial (byte) | 12 name (string offset) | 16 first slot in
 *              terms-by-key | 20 term count
 * terms   (term count × 40, sorted by hash): 0 hash | 8 value bits (int/float/bool) | 16 first posting (long index)
 *              | 24 posting count (int) | 28 string offset (-1 = not a string) | 32 key id | 36 type (byte)
 * terms-by-key (term count × 4): term ids grouped by key
 * strings (padded to 8): per string a length (int) then UTF-8 bytes
 * postings (posting entries × 4): per term its trace ordinals, ascending
 * </pre>
 *
 * Thread-safe for any number of readers.
 */
public final class SearchIndexFile implements SearchData {
  public static final String FILE = "search.idx";
  static final long MAGIC = 0x5844_4948_4352_4153L;
  /** 2: {@link SearchTerms} hashes 8 bytes a step (version 1 files, hashed byte by byte, are re-indexed on open). */
  public static final int VERSION = 2;
  static final int HEADER = 64;
  static final int TRACE = 64;
  static final int KEY = 24;
  static final int TERM = 40;

  private final MappedByteBuffer m;
  private final int traces;
  private final int keys;
  private final int terms;
  private final boolean keysOverflow;
  private final long orderAt;
  private final long keysAt;
  private final long termsAt;
  private final long byKeyAt;
  private final long stringsAt;
  private final long postingsAt;

  private SearchIndexFile(MappedByteBuffer m) throws CorruptBlockException {
    this.m = m;
    if (m.capacity() < HEADER || m.getLong(0) != MAGIC) {
      throw new CorruptBlockException("search.idx: bad magic");
    }
    if (m.getInt(8) != VERSION) {
      throw new CorruptBlockException("search.idx: unsupported version " + m.getInt(8));
    }
    traces = m.getInt(12);
    keys = m.getInt(16);
    terms = m.getInt(20);
    keysOverflow = (m.getInt(24) & 1) != 0;
    int stringBytes = m.getInt(28);
    long postings = m.getLong(32);
    if (traces < 0 || keys < 0 || terms < 0 || stringBytes < 0 || postings < 0) {
      throw new CorruptBlockException("search.idx: negative counts");
    }
    orderAt = HEADER + (long) traces * TRACE;
    keysAt = orderAt + traces * 4L;
    termsAt = keysAt + (long) keys * KEY;
    byKeyAt = termsAt + (long) terms * TERM;
    stringsAt = byKeyAt + terms * 4L;
    postingsAt = stringsAt + align8(stringBytes);
    if (postingsAt + postings * 4 != m.capacity()) {
      throw new CorruptBlockException("search.idx: " + m.capacity() + " bytes, header implies " + (postingsAt + postings * 4));
    }
  }

  /** Opens (maps) a block's search index. */
  public static SearchIndexFile open(Path dir) throws IOException {
    Path f = dir.resolve(FILE);
    long size = Files.size(f);
    if (size > Integer.MAX_VALUE) {
      throw new CorruptBlockException("search.idx larger than 2 GiB");
    }
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      m.order(ByteOrder.LITTLE_ENDIAN);
      return new SearchIndexFile(m);
    }
  }

  /** Per-trace columns the writer takes from the block (the search index has the rest). */
  public static final class TraceColumns {
    final long[] high;
    final long[] low;
    final long[] offset;
    final int[] length;
    final int[] count;
    final long[] start;
    final long[] end;

    public TraceColumns(int n) {
      high = new long[n];
      low = new long[n];
      offset = new long[n];
      length = new int[n];
      count = new int[n];
      start = new long[n];
      end = new long[n];
    }

    public void set(int t, long hi, long lo, long off, int len, int cnt, long s, long e) {
      high[t] = hi;
      low[t] = lo;
      offset[t] = off;
      length[t] = len;
      count[t] = cnt;
      start[t] = s;
      end[t] = e;
    }
  }

  /** Writes {@code search.idx} (via a temp file, renamed) and forces it to disk. */
  public static void write(Path dir, HeadSearchIndex idx, TraceColumns tc, int traceCount) throws IOException {
    int keys = idx.keyCount();
    int terms = idx.termCount();
    // strings: key names then string values
    int[] keyStr = new int[keys];
    int[] termStr = new int[terms];
    java.io.ByteArrayOutputStream strings = new java.io.ByteArrayOutputStream();
    for (int k = 0; k < keys; k++) {
      keyStr[k] = addString(strings, idx.keyName(k));
    }
    for (int t = 0; t < terms; t++) {
      String s = idx.termString(t);
      termStr[t] = s == null ? -1 : addString(strings, s);
    }
    byte[] stringBytes = strings.toByteArray();
    // the term table is sorted by hash: sort the hashes, find each one's id in the head's hash table
    long[] hashes = new long[terms];
    for (int t = 0; t < terms; t++) {
      hashes[t] = idx.termHashOf(t);
    }
    Arrays.sort(hashes);
    int[] byHash = new int[terms];
    for (int i = 0; i < terms; i++) {
      byHash[i] = idx.termId(hashes[i]);
    }
    long postingsAt = HEADER + (long) traceCount * TRACE + traceCount * 4L + (long) keys * KEY + (long) terms * TERM
        + terms * 4L + align8(stringBytes.length);
    Path tmp = dir.resolve(FILE + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      // postings first (at their final offset), term by term: the term table needs their deduplicated counts
      long[] firstPosting = new long[terms];
      int[] postingLength = new int[terms];
      long postingCount = 0;
      {
        LeWriter w = new LeWriter(ch, postingsAt);
        int[] scratch = new int[Math.max(idx.maxTermEntries(), 1)];
        long[] bits = new long[(traceCount + 63) >>> 6];
        for (int t = 0; t < terms; t++) {
          int n = idx.sortedPostings(t, scratch, bits);
          firstPosting[t] = postingCount;
          postingLength[t] = n;
          postingCount += n;
          w.putInts(scratch, n);
        }
        w.flush();
      }
      LeWriter w = new LeWriter(ch, 0);
      w.putLong(MAGIC).putInt(VERSION).putInt(traceCount).putInt(keys).putInt(terms)
          .putInt(idx.keysOverflow() ? 1 : 0).putInt(stringBytes.length).putLong(postingCount);
      w.pad(HEADER);
      for (int t = 0; t < traceCount; t++) {
        w.putLong(tc.high[t]).putLong(tc.low[t]).putLong(tc.offset[t]).putLong(tc.start[t]).putLong(tc.end[t])
            .putLong(idx.minSpanDuration(t)).putLong(idx.maxSpanDuration(t)).putInt(tc.length[t]).putInt(tc.count[t]);
      }
      int[] order = newestFirst(tc.start, traceCount);
      for (int t = 0; t < traceCount; t++) {
        w.putInt(order[t]);
      }
      int[] slotOf = new int[terms]; // term id -> position in the sorted term table
      for (int i = 0; i < terms; i++) {
        slotOf[byHash[i]] = i;
      }
      // terms-by-key slots
      int[] byKey = new int[terms];
      int[] first = new int[keys];
      int[] cnt = new int[keys];
      int slot = 0;
      for (int k = 0; k < keys; k++) {
        first[k] = slot;
        final int[] s = {slot};
        idx.forEachTermOfKey(k, term -> byKey[s[0]++] = slotOf[term]);
        cnt[k] = s[0] - slot;
        slot = s[0];
      }
      for (int k = 0; k < keys; k++) {
        w.putLong(idx.keyHash(k)).putByte(idx.keyScope(k)).putByte((byte) (idx.keyPartial(k) ? 1 : 0)).putByte((byte) 0)
            .putByte((byte) 0).putInt(keyStr[k]).putInt(first[k]).putInt(cnt[k]);
      }
      for (int i = 0; i < terms; i++) {
        int t = byHash[i];
        w.putLong(idx.termHashOf(t)).putLong(idx.termBits(t)).putLong(firstPosting[t]).putInt(postingLength[t])
            .putInt(termStr[t]).putInt(idx.termKey(t)).putByte(idx.termType(t)).putByte((byte) 0).putByte((byte) 0)
            .putByte((byte) 0);
      }
      for (int i = 0; i < terms; i++) {
        w.putInt(byKey[i]);
      }
      w.putBytes(stringBytes);
      for (int i = stringBytes.length; i < align8(stringBytes.length); i++) {
        w.putByte((byte) 0);
      }
      w.flush();
      if (w.position() != postingsAt) {
        throw new IllegalStateException("search.idx sections end at " + w.position() + ", postings start at " + postingsAt);
      }
      ch.force(true);
    }
    Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Trace ordinals by start, newest first, ties in ordinal order. One primitive sort of (age since the newest start,
   * ordinal) packed in a long when the block's start range leaves room for the ordinal, else a comparator sort.
   */
  static int[] newestFirst(long[] start, int n) {
    int[] order = new int[n];
    if (n == 0) {
      return order;
    }
    long newest = Long.MIN_VALUE;
    long oldest = Long.MAX_VALUE;
    for (int t = 0; t < n; t++) {
      newest = Math.max(newest, start[t]);
      oldest = Math.min(oldest, start[t]);
    }
    int ordinalBits = 32 - Integer.numberOfLeadingZeros(n);
    long span = newest - oldest; // may overflow for absurd timestamps: then negative, use the fallback
    if (span >= 0 && span < (1L << (63 - ordinalBits))) {
      long[] keys = new long[n];
      for (int t = 0; t < n; t++) {
        keys[t] = ((newest - start[t]) << ordinalBits) | t;
      }
      Arrays.sort(keys);
      long mask = (1L << ordinalBits) - 1;
      for (int i = 0; i < n; i++) {
        order[i] = (int) (keys[i] & mask);
      }
      return order;
    }
    Integer[] boxed = new Integer[n];
    for (int t = 0; t < n; t++) {
      boxed[t] = t;
    }
    Arrays.sort(boxed, (a, b) -> Long.compare(start[b], start[a]));
    for (int i = 0; i < n; i++) {
      order[i] = boxed[i];
    }
    return order;
  }

  private static int addString(java.io.ByteArrayOutputStream out, String s) {
    int at = out.size();
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b.length & 0xFF);
    out.write((b.length >>> 8) & 0xFF);
    out.write((b.length >>> 16) & 0xFF);
    out.write((b.length >>> 24) & 0xFF);
    out.write(b, 0, b.length);
    return at;
  }

  private static long align8(long n) {
    return (n + 7) & ~7L;
  }

  /** Little-endian output through a 1 MiB buffer. */
  private static final class LeWriter {
    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final long base;
    private long written;

    LeWriter(FileChannel ch, long base) {
      this.ch = ch;
      this.base = base;
    }

    long position() {
      return base + written + buf.position();
    }

    private void room(int n) throws IOException {
      if (buf.remaining() < n) {
        flush();
      }
    }

    LeWriter putLong(long v) throws IOException {
      room(8);
      buf.putLong(v);
      return this;
    }

    LeWriter putInt(int v) throws IOException {
      room(4);
      buf.putInt(v);
      return this;
    }

    LeWriter putByte(byte v) throws IOException {
      room(1);
      buf.put(v);
      return this;
    }

    void putBytes(byte[] b) throws IOException {
      int off = 0;
      while (off < b.length) {
        room(1);
        int n = Math.min(buf.remaining(), b.length - off);
        buf.put(b, off, n);
        off += n;
      }
    }

    void putInts(int[] v, int n) throws IOException {
      int off = 0;
      while (off < n) {
        room(4);
        int k = Math.min(buf.remaining() >>> 2, n - off);
        buf.asIntBuffer().put(v, off, k);
        buf.position(buf.position() + k * 4);
        off += k;
      }
    }

    void pad(long to) throws IOException {
      while (written + buf.position() < to) {
        putByte((byte) 0);
      }
    }

    void flush() throws IOException {
      buf.flip();
      while (buf.hasRemaining()) {
        written += ch.write(buf, base + written);
      }
      buf.clear();
    }
  }

  // ---------------------------------------------------------------- read side

  @Override
  public int traceCount() {
    return traces;
  }

  @Override
  public boolean keysOverflow() {
    return keysOverflow;
  }

  @Override
  public int keyCount() {
    return keys;
  }

  @Override
  public int keyId(long keyHash) {
    for (int k = 0; k < keys; k++) {
      if (m.getLong((int) (keysAt + (long) k * KEY)) == keyHash) {
        return k;
      }
    }
    return -1;
  }

  @Override
  public byte keyScope(int k) {
    return m.get((int) (keysAt + (long) k * KEY + 8));
  }

  @Override
  public String keyName(int k) {
    return string(m.getInt((int) (keysAt + (long) k * KEY + 12)));
  }

  @Override
  public boolean keyPartial(int k) {
    return m.get((int) (keysAt + (long) k * KEY + 9)) != 0;
  }

  @Override
  public int termId(long termHash) {
    int lo = 0;
    int hi = terms - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long h = m.getLong((int) (termsAt + (long) mid * TERM));
      if (h < termHash) {
        lo = mid + 1;
      } else if (h > termHash) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  @Override
  public void forEachTermOfKey(int k, IntConsumer c) {
    int at = (int) (keysAt + (long) k * KEY);
    int first = m.getInt(at + 16);
    int n = m.getInt(at + 20);
    for (int i = 0; i < n; i++) {
      c.accept(m.getInt((int) (byKeyAt + (first + i) * 4L)));
    }
  }

  @Override
  public byte termType(int term) {
    return m.get((int) (termsAt + (long) term * TERM + 36));
  }

  @Override
  public long termBits(int term) {
    return m.getLong((int) (termsAt + (long) term * TERM + 8));
  }

  @Override
  public String termString(int term) {
    int s = m.getInt((int) (termsAt + (long) term * TERM + 28));
    return s < 0 ? null : string(s);
  }

  @Override
  public void postings(int term, long[] bits) {
    int at = (int) (termsAt + (long) term * TERM);
    long first = m.getLong(at + 16);
    int n = m.getInt(at + 24);
    int p = (int) (postingsAt + first * 4);
    for (int i = 0; i < n; i++) {
      int t = m.getInt(p + i * 4);
      if (t >= 0 && t < traces) {
        bits[t >>> 6] |= 1L << t;
      }
    }
  }

  private String string(int off) {
    int at = (int) (stringsAt + off);
    int len = m.getInt(at);
    byte[] b = new byte[len];
    m.get(at + 4, b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private int traceAt(int t) {
    return (int) (HEADER + (long) t * TRACE);
  }

  public long traceHigh(int t) {
    return m.getLong(traceAt(t));
  }

  public long traceLow(int t) {
    return m.getLong(traceAt(t) + 8);
  }

  public long rangeOffset(int t) {
    return m.getLong(traceAt(t) + 16);
  }

  public int rangeLength(int t) {
    return m.getInt(traceAt(t) + 56);
  }

  public int spanCount(int t) {
    return m.getInt(traceAt(t) + 60);
  }

  @Override
  public long start(int t) {
    return m.getLong(traceAt(t) + 24);
  }

  @Override
  public long end(int t) {
    return m.getLong(traceAt(t) + 32);
  }

  @Override
  public long minSpanDuration(int t) {
    return m.getLong(traceAt(t) + 40);
  }

  @Override
  public long maxSpanDuration(int t) {
    return m.getLong(traceAt(t) + 48);
  }

  /** The i-th trace ordinal by start, newest first. */
  public int byStartDescending(int i) {
    return m.getInt((int) (orderAt + i * 4L));
  }
}
