package io.spanfold.core.store.internal;

import static io.spanfold.core.store.internal.SpanLogDescriptor.*;

import io.spanfold.core.store.BlockState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Internal, unstable. An immutable completed block: compacted span file (mapped read-only), persisted Chronicle Map
 * trace index, bloom filter, {@code block.meta}. Thread-safe for any number of concurrent readers.
 */
public final class CompletedBlock extends Block {
  private static final System.Logger LOG = System.getLogger("io.spanfold.core.store");

  private final BlockMetaDescriptor meta;
  private final MappedByteBuffer spans;
  private final BloomFilter bloom;
  private final ChronicleMap<byte[], byte[]> index;
  private final int[] resourceOffsets;
  private final int[] scopeOffsets;
  private final long bytes;
  private final SearchIndexFile search;
  private volatile String corruption;

  private CompletedBlock(
      String tenant, long id, Path dir, BlockMetaDescriptor meta, MappedByteBuffer spans, BloomFilter bloom,
      ChronicleMap<byte[], byte[]> index, int[] resourceOffsets, int[] scopeOffsets, SearchIndexFile search) {
    super(tenant, id, dir);
    this.search = search;
    this.meta = meta;
    this.spans = spans;
    this.bloom = bloom;
    this.index = index;
    this.resourceOffsets = resourceOffsets;
    this.scopeOffsets = scopeOffsets;
    this.bytes = BlockFiles.completedBlockBytes(dir);
  }

  /**
   * Opens and validates a completed block.
   *
   * @throws CorruptBlockException when any file is missing, truncated, or fails its magic, version or CRC checks
   */
  public static CompletedBlock open(String tenant, long id, Path dir) throws IOException {
    BlockMetaDescriptor meta = BlockMetaDescriptor.read(dir);
    if (meta.blockId != id) {
      throw new CorruptBlockException("block.meta names block " + meta.blockId);
    }
    Path spansFile = dir.resolve(BlockFiles.SPANS);
    if (!Files.isRegularFile(spansFile) || Files.size(spansFile) != meta.spansBytes) {
      throw new CorruptBlockException("spans.dat missing or not " + meta.spansBytes + " bytes");
    }
    if (meta.spansBytes > Integer.MAX_VALUE || meta.dictEnd < HEADER_LENGTH || meta.dictEnd > meta.spansBytes) {
      throw new CorruptBlockException("block.meta sizes out of range");
    }
    Path bloomFile = dir.resolve(BlockFiles.BLOOM);
    if (!Files.isRegularFile(bloomFile) || Files.size(bloomFile) != meta.bloomBytes) {
      throw new CorruptBlockException("bloom.bin missing or not " + meta.bloomBytes + " bytes");
    }
    BloomFilter bloom = BloomFilter.read(bloomFile);
    MappedByteBuffer spans;
    try (FileChannel ch = FileChannel.open(spansFile, StandardOpenOption.READ)) {
      spans = ch.map(FileChannel.MapMode.READ_ONLY, 0, meta.spansBytes);
    }
    spans.order(ByteOrder.LITTLE_ENDIAN);
    String bad = checkHeader(spans, FILE_KIND_COMPACTED);
    if (bad != null) {
      throw new CorruptBlockException("spans.dat: " + bad);
    }
    if (spans.getLong(HEADER_BLOCK_ID) != id) {
      throw new CorruptBlockException("spans.dat belongs to block " + spans.getLong(HEADER_BLOCK_ID));
    }
    int[] res = new int[meta.resourceCount];
    int[] sc = new int[meta.scopeCount];
    int nr = 0;
    int ns = 0;
    CRC32 crc = new CRC32();
    int at = HEADER_LENGTH;
    int dictEnd = (int) meta.dictEnd;
    while (at < dictEnd) {
      int length = checkRecord(spans, at, dictEnd, crc);
      if (length <= 0) {
        throw new CorruptBlockException("spans.dat dictionary record at " + at + " torn or CRC-bad");
      }
      byte type = spans.get(at + TYPE);
      int dictId = spans.getInt(at + DICT_ID);
      if (type == TYPE_RESOURCE && nr < res.length && dictId == nr) {
        res[nr++] = at;
      } else if (type == TYPE_SCOPE && ns < sc.length && dictId == ns) {
        sc[ns++] = at;
      } else {
        throw new CorruptBlockException("spans.dat dictionary out of order at " + at);
      }
      at += align(length);
    }
    if (nr != res.length || ns != sc.length) {
      throw new CorruptBlockException("spans.dat dictionary has " + nr + "/" + ns + " entries, block.meta says "
          + res.length + "/" + sc.length);
    }
    ChronicleMap<byte[], byte[]> index;
    try {
      index = ChronicleIndexes.open(dir.resolve(BlockFiles.INDEX).toFile(), meta.traceCount);
    } catch (CorruptBlockException e) {
      throw e;
    } catch (IOException | RuntimeException | Error e) {
      if (e instanceof VirtualMachineError && !(e instanceof InternalError)) {
        throw (VirtualMachineError) e;
      }
      throw new CorruptBlockException("trace index does not open: " + e, e);
    }
    long size;
    try {
      size = index.longSize();
    } catch (RuntimeException e) {
      index.close();
      throw new CorruptBlockException("trace index unreadable: " + e, e);
    }
    if (size != meta.traceCount) {
      index.close();
      throw new CorruptBlockException("trace index holds " + size + " traces, block.meta says " + meta.traceCount);
    }
    SearchIndexFile search;
    try {
      search = openOrBuildSearch(dir, spans, meta, res);
    } catch (IOException | RuntimeException e) {
      index.close();
      throw e;
    }
    return new CompletedBlock(tenant, id, dir, meta, spans, bloom, index, res, sc, search);
  }

  /**
   * Opens {@code search.idx}; a block completed by an earlier store version (or whose search index is damaged) is
   * indexed now from its compacted spans, whose traces are contiguous, in the order completion gave them ordinals.
   */
  private static SearchIndexFile openOrBuildSearch(Path dir, ByteBuffer spans, BlockMetaDescriptor meta, int[] res)
      throws IOException {
    if (Files.exists(dir.resolve(SearchIndexFile.FILE))) {
      try {
        return SearchIndexFile.open(dir);
      } catch (CorruptBlockException e) {
        LOG.log(System.Logger.Level.WARNING, "search index of " + dir + " unusable (" + e.getMessage() + "); rebuilding");
      }
    }
    HeadTraceIndex traces = new HeadTraceIndex();
    HeadSearchIndex idx = new HeadSearchIndex(traces);
    CRC32 crc = new CRC32();
    int end = (int) meta.spansBytes;
    int at = (int) meta.dictEnd;
    byte[] scratch = new byte[256];
    java.util.List<int[]> ranges = new java.util.ArrayList<>();
    while (at < end) {
      int l = checkRecord(spans, at, end, crc);
      if (l <= 0 || spans.get(at + TYPE) != TYPE_SPAN) {
        throw new CorruptBlockException("spans.dat record at " + at + " torn while indexing for search");
      }
      int r = spans.getInt(at + SPAN_RESOURCE_ID);
      if (r < 0 || r >= res.length) {
        throw new CorruptBlockException("spans.dat record at " + at + " names resource " + r);
      }
      int t = traces.add(spans.getLong(at + SPAN_TRACE_HIGH), spans.getLong(at + SPAN_TRACE_LOW), at,
          spans.getLong(at + SPAN_START), spans.getLong(at + SPAN_END), spans.getLong(at + SPAN_PARENT_ID) == 0,
          spans.get(at + SPAN_STATUS) == 2);
      if (t == ranges.size()) {
        ranges.add(new int[] {at, 0});
      }
      ranges.get(t)[1] = at + align(l) - ranges.get(t)[0];
      if (!idx.hasResource(r)) {
        int ro = res[r];
        int ml = Math.max(spans.getInt(ro + DICT_MESSAGE_LENGTH), 0);
        byte[] rb = new byte[ml];
        spans.get(ro + DICT_BYTES, rb);
        idx.indexResource(r, rb, 0, ml);
      }
      int sl = spans.getInt(at + SPAN_BYTES_LENGTH);
      if (scratch.length < sl) {
        scratch = new byte[Math.max(sl, scratch.length * 2)];
      }
      spans.get(at + SPAN_BYTES, scratch, 0, sl);
      idx.addSpan(t, r, scratch, 0, sl, spans.getInt(at + SPAN_NAME_OFFSET), spans.getInt(at + SPAN_NAME_LENGTH),
          spans.get(at + SPAN_STATUS), spans.get(at + SPAN_KIND), spans.getLong(at + SPAN_START),
          spans.getLong(at + SPAN_END));
      at += align(l);
    }
    int n = traces.traceCount();
    SearchIndexFile.TraceColumns tc = new SearchIndexFile.TraceColumns(n);
    for (int t = 0; t < n; t++) {
      tc.set(t, traces.traceHigh(t), traces.traceLow(t), ranges.get(t)[0], ranges.get(t)[1], traces.count(t),
          traces.start(t), traces.end(t));
    }
    SearchIndexFile.write(dir, idx, tc, n);
    LOG.log(System.Logger.Level.INFO, "indexed block " + dir + " for search (" + n + " traces)");
    return SearchIndexFile.open(dir);
  }

  public SearchIndexFile searchIndex() {
    return search;
  }

  /** The compacted span file (read-only mapping; callers duplicate it). */
  public ByteBuffer spans() {
    return spans;
  }

  public int[] resourceOffsets() {
    return resourceOffsets;
  }

  /** Non-null once a read found damage: the store then quarantines the block. */
  public String corruption() {
    return corruption;
  }

  @Override
  public void collect(long high, long low, TraceAssembler into) {
    if (!bloom.mightContain(high, low)) {
      return;
    }
    byte[] value;
    try {
      value = index.get(TraceEntryDescriptor.key(high, low));
    } catch (RuntimeException e) {
      damaged("trace index read failed: " + e);
      return;
    }
    if (value == null) {
      return;
    }
    if (value.length < TraceEntryDescriptor.STRINGS) {
      damaged("trace index entry too short");
      return;
    }
    ByteBuffer v = TraceEntryDescriptor.wrap(value);
    long offset = v.getLong(TraceEntryDescriptor.OFFSET);
    int length = v.getInt(TraceEntryDescriptor.LENGTH);
    if (offset < meta.dictEnd || length < 0 || offset + length > meta.spansBytes) {
      damaged("trace index entry points outside spans.dat");
      return;
    }
    into.startBlock(spans, resourceOffsets, scopeOffsets);
    CRC32 crc = new CRC32();
    int at = (int) offset;
    int end = at + length;
    while (at < end) {
      int l = checkRecord(spans, at, end, crc);
      if (l <= 0
          || spans.get(at + TYPE) != TYPE_SPAN
          || spans.getLong(at + SPAN_TRACE_HIGH) != high
          || spans.getLong(at + SPAN_TRACE_LOW) != low
          || spans.getInt(at + SPAN_RESOURCE_ID) >= resourceOffsets.length
          || spans.getInt(at + SPAN_SCOPE_ID) >= scopeOffsets.length
          || spans.getInt(at + SPAN_RESOURCE_ID) < 0
          || spans.getInt(at + SPAN_SCOPE_ID) < 0) {
        damaged("span record at " + at + " torn, CRC-bad or of another trace");
        return;
      }
      into.addSpan(at);
      at += align(l);
    }
  }

  private void damaged(String what) {
    if (corruption == null) {
      corruption = what;
      LOG.log(System.Logger.Level.ERROR, "block " + dir + " is damaged (" + what + "); it will be quarantined");
    }
  }

  @Override
  public BlockState state() {
    return BlockState.COMPLETE;
  }

  @Override
  public long minTimeNanos() {
    return meta.minTime;
  }

  @Override
  public long maxTimeNanos() {
    return meta.maxTime;
  }

  @Override
  public long spanCount() {
    return meta.spanCount;
  }

  @Override
  public long traceCount() {
    return meta.traceCount;
  }

  @Override
  public long bytes() {
    return bytes;
  }

  @Override
  protected void closeResources() {
    try {
      index.close();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "closing trace index of " + dir + " failed", e);
    }
  }
}
