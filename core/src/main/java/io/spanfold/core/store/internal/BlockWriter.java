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

    // Pass 1: entry values (their average size configures the map), in trace ordinal order.
    byte[][] values = new byte[traces][];
    long[] rangeStart = new long[traces];
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
      rangeStart[t] = pos;
      byte[] service = EMPTY;
      byte[] name = EMPTY;
      int root = index.rootRecord(t);
      if (root >= 0) {
        int res = log.getInt(root + SPAN_RESOURCE_ID);
        int at = resourceOffsets[res];
        int sl = log.getInt(at + DICT_SERVICE_LENGTH);
        service = new byte[sl];
        log.get(at + DICT_BYTES + Math.max(log.getInt(at + DICT_MESSAGE_LENGTH), 0)
            + Math.max(log.getInt(at + DICT_SCHEMA_URL_LENGTH), 0), service);
        name = new byte[log.getInt(root + SPAN_NAME_LENGTH)];
        log.get(root + SPAN_BYTES + log.getInt(root + SPAN_NAME_OFFSET), name);
      }
      values[t] = TraceEntryDescriptor.encode(pos, (int) len, n, index.start(t), index.end(t), index.error(t),
          service, name);
      valueBytes += values[t].length;
      columns.set(t, index.traceHigh(t), index.traceLow(t), pos, (int) len, n, index.start(t), index.end(t));
      pos += len;
    }
    long spansBytes = pos;

    // Pass 2: the compacted span file.
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
      for (int t = 0; t < traces; t++) {
        offsets = index.offsets(t, offsets);
        int n = index.count(t);
        for (int i = 0; i < n; i++) {
          st.put(log, offsets[i], align(log.getInt(offsets[i])));
        }
      }
      st.flush();
      if (st.written != spansBytes) {
        throw new IOException("compaction wrote " + st.written + " bytes, planned " + spansBytes);
      }
      out.force(true);
    }

    // The trace index: one put per trace.
    Path indexFile = dir.resolve(BlockFiles.INDEX);
    double avg = traces == 0 ? TraceEntryDescriptor.STRINGS + 16 : (double) valueBytes / traces;
    try (ChronicleMap<byte[], byte[]> map = ChronicleIndexes.create(indexFile.toFile(), traces, avg)) {
      for (int t = 0; t < traces; t++) {
        map.put(TraceEntryDescriptor.key(index.traceHigh(t), index.traceLow(t)), values[t]);
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

  private static final byte[] EMPTY = new byte[0];

  /** Copies mapped ranges into a heap buffer and writes it out in large chunks. */
  private static final class Staging {
    private final FileChannel out;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 20);
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
