package io.spanfold.core.store.internal;

import static io.spanfold.core.store.internal.SpanLogDescriptor.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Internal, unstable. Completes a frozen head block in its own directory: a compacted span file with every trace's
 * records contiguous (dictionary records first), the persisted Chronicle Map trace index (one put per trace, never per
 * span), the bloom filter, and finally {@code block.meta}, the commit point. Runs on the completion thread.
 */
public final class BlockWriter {
  private BlockWriter() {}

  public static void complete(HeadBlock head) throws IOException {
    Path dir = head.dir();
    // Leftovers of an interrupted completion are rewritten from the span log.
    Files.deleteIfExists(dir.resolve(BlockFiles.SPANS));
    Files.deleteIfExists(dir.resolve(BlockFiles.INDEX));
    Files.deleteIfExists(dir.resolve(BlockFiles.BLOOM));
    Files.deleteIfExists(dir.resolve(BlockFiles.META + ".tmp"));
    Files.deleteIfExists(dir.resolve(SearchIndexFile.FILE));

    ByteBuffer log = head.log().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    HeadTraceIndex index = head.index();
    int traces = index.traceCount();
    int[] resourceOffsets = head.resourceOffsets();
    int[] scopeOffsets = head.scopeOffsets();
    int resourceCount = head.resourceCount();
    int scopeCount = head.scopeCount();

    // Pass 1: where each trace's records go, and the total size of the index values (it configures the map). No
    // value is materialised yet: with one-span traces that would be one retained byte[] per span.
    SearchIndexFile.TraceColumns columns = new SearchIndexFile.TraceColumns(traces);
    long dictBytes = 0;
    for (int r = 0; r < resourceCount; r++) {
      dictBytes += align(log.getInt(resourceOffsets[r]));
    }
    for (int s = 0; s < scopeCount; s++) {
      dictBytes += align(log.getInt(scopeOffsets[s]));
    }
    long dictEnd = HEADER_LENGTH + dictBytes;
    long pos = dictEnd;
    long valueBytes = 0;
    int[] offsets = null;
    for (int t = 0; t < traces; t++) {
      offsets = index.offsets(t, offsets);
      int n = index.count(t);
      long len = 0;
      for (int i = 0; i < n; i++) {
        len += align(log.getInt(offsets[i]));
      }
      valueBytes += valueLength(log, index.rootRecord(t), resourceOffsets);
      columns.set(t, index.traceHigh(t), index.traceLow(t), pos, (int) len, n, index.start(t), index.end(t));
      pos += len;
    }
    long spansBytes = pos;

    // Pass 2: the compacted span file, copied from the mapped log through a direct buffer (no heap staging), with
    // records that already lie back to back in the log (one-span traces, traces sent whole) copied as one range.
    Path spansFile = dir.resolve(BlockFiles.SPANS);
    try (FileChannel out =
        FileChannel.open(spansFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      Staging st = new Staging(out);
      ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
      writeHeader(header, FILE_KIND_COMPACTED, head.id(), head.createdNanos());
      st.put(header, 0, HEADER_LENGTH);
      for (int r = 0; r < resourceCount; r++) {
        st.put(log, resourceOffsets[r], align(log.getInt(resourceOffsets[r])));
      }
      for (int s = 0; s < scopeCount; s++) {
        st.put(log, scopeOffsets[s], align(log.getInt(scopeOffsets[s])));
      }
      int runStart = -1;
      int runEnd = -1;
      for (int t = 0; t < traces; t++) {
        offsets = index.offsets(t, offsets);
        int n = index.count(t);
        for (int i = 0; i < n; i++) {
          int at = offsets[i];
          int len = align(log.getInt(at));
          if (at != runEnd || runEnd - runStart + len > Staging.SIZE) {
            if (runStart >= 0) {
              st.put(log, runStart, runEnd - runStart);
            }
            runStart = at;
          }
          runEnd = at + len;
        }
      }
      if (runStart >= 0) {
        st.put(log, runStart, runEnd - runStart);
      }
      st.flush();
      if (st.written != spansBytes) {
        throw new IOException("compaction wrote " + st.written + " bytes, planned " + spansBytes);
      }
      out.force(true);
    }

    // The trace index: one put per trace, each value encoded into a reused array of its exact length.
    Path indexFile = dir.resolve(BlockFiles.INDEX);
    double avg = traces == 0 ? TraceEntryDescriptor.STRINGS + 16 : (double) valueBytes / traces;
    byte[] key = new byte[16];
    byte[][] valueByLength = new byte[TraceEntryDescriptor.STRINGS + 2 * TraceEntryDescriptor.MAX_STRING + 1][];
    try (ChronicleMap<byte[], byte[]> map = ChronicleIndexes.create(indexFile.toFile(), traces, avg)) {
      long at = dictEnd;
      for (int t = 0; t < traces; t++) {
        offsets = index.offsets(t, offsets);
        int n = index.count(t);
        int len = 0;
        for (int i = 0; i < n; i++) {
          len += align(log.getInt(offsets[i]));
        }
        int root = index.rootRecord(t);
        int vl = valueLength(log, root, resourceOffsets);
        byte[] value = valueByLength[vl];
        if (value == null) {
          value = valueByLength[vl] = new byte[vl];
        }
        encodeValue(value, log, root, resourceOffsets, at, len, n, index.start(t), index.end(t), index.error(t));
        at += len;
        TraceEntryDescriptor.key(index.traceHigh(t), index.traceLow(t), key);
        map.put(key, value);
      }
    }
    try (FileChannel ch = FileChannel.open(indexFile, StandardOpenOption.WRITE)) {
      ch.force(true);
    }

    BloomFilter bloom = BloomFilter.forTraces(traces);
    for (int t = 0; t < traces; t++) {
      bloom.add(index.traceHigh(t), index.traceLow(t));
    }
    bloom.write(dir.resolve(BlockFiles.BLOOM));

    SearchIndexFile.write(dir, head.searchIndex(), columns, traces);

    new BlockMetaDescriptor(head.id(), head.createdNanos(), head.minTimeNanos(), head.maxTimeNanos(),
        head.spanCount(), traces, spansBytes, dictEnd, bloom.fileLength(), resourceCount, scopeCount)
        .writeAtomically(dir);
  }

  /** Length of a trace's index value: its root's service and span name (each cut to the descriptor's maximum). */
  private static int valueLength(ByteBuffer log, int root, int[] resourceOffsets) {
    if (root < 0) {
      return TraceEntryDescriptor.STRINGS;
    }
    int res = resourceOffsets[log.getInt(root + SPAN_RESOURCE_ID)];
    return TraceEntryDescriptor.STRINGS
        + Math.min(log.getInt(res + DICT_SERVICE_LENGTH), TraceEntryDescriptor.MAX_STRING)
        + Math.min(log.getInt(root + SPAN_NAME_LENGTH), TraceEntryDescriptor.MAX_STRING);
  }

  /** Encodes a trace's index value into {@code v} (of {@link #valueLength}), strings read straight from the log. */
  private static void encodeValue(
      byte[] v, ByteBuffer log, int root, int[] resourceOffsets, long offset, int length, int count, long start,
      long end, boolean error) {
    int sl = 0;
    int nl = 0;
    int svcAt = 0;
    int nameAt = 0;
    if (root >= 0) {
      int res = resourceOffsets[log.getInt(root + SPAN_RESOURCE_ID)];
      sl = Math.min(log.getInt(res + DICT_SERVICE_LENGTH), TraceEntryDescriptor.MAX_STRING);
      svcAt = res + DICT_BYTES + Math.max(log.getInt(res + DICT_MESSAGE_LENGTH), 0)
          + Math.max(log.getInt(res + DICT_SCHEMA_URL_LENGTH), 0);
      nl = Math.min(log.getInt(root + SPAN_NAME_LENGTH), TraceEntryDescriptor.MAX_STRING);
      nameAt = root + SPAN_BYTES + log.getInt(root + SPAN_NAME_OFFSET);
    }
    TraceEntryDescriptor.encodeHeader(v, offset, length, count, start, end, error, sl, nl);
    log.get(svcAt, v, TraceEntryDescriptor.STRINGS, sl);
    log.get(nameAt, v, TraceEntryDescriptor.STRINGS + sl, nl);
  }

  /**
   * Copies mapped ranges into a direct buffer and writes it out in large chunks (a heap buffer would be copied once
   * more, into the JDK's temporary direct buffer, by every write).
   */
  private static final class Staging {
    static final int SIZE = 1 << 20;
    private final FileChannel out;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(SIZE);
    long written;

    Staging(FileChannel out) {
      this.out = out;
    }

    void put(ByteBuffer src, int at, int length) throws IOException {
      if (length > buf.remaining()) {
        flush();
      }
      if (length > buf.capacity()) {
        ByteBuffer s = src.slice(at, length);
        while (s.hasRemaining()) {
          written += out.write(s);
        }
        return;
      }
      buf.put(buf.position(), src, at, length);
      buf.position(buf.position() + length);
    }

    void flush() throws IOException {
      buf.flip();
      while (buf.hasRemaining()) {
        written += out.write(buf);
      }
      buf.clear();
    }
  }
}
