package io.spanfold.core.store.internal;

import static io.spanfold.core.store.internal.SpanLogDescriptor.*;

import com.carrotsearch.hppc.IntObjectHashMap;
import com.carrotsearch.hppc.LongByteHashMap;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Internal, unstable. Gathers one trace's span records from several blocks (newest block first), drops duplicates
 * (same span id and kind: the copy from the newest block, latest in it, wins) and encodes OTLP {@code TracesData}:
 * spans grouped under equal (resource, scope), resources and scopes byte-identical to what was received.
 *
 * <p>Cold path (one per trace lookup): allocates freely. Not thread-safe.
 */
public final class TraceAssembler {
  private static final int TRACES_DATA_RESOURCE_SPANS = 1;
  private static final int RS_RESOURCE = 1;
  private static final int RS_SCOPE_SPANS = 2;
  private static final int RS_SCHEMA_URL = 3;
  private static final int SS_SCOPE = 1;
  private static final int SS_SPANS = 2;
  private static final int SS_SCHEMA_URL = 3;

  private final List<List<SpanCopy>> blocks = new ArrayList<>();
  private List<SpanCopy> current;
  private ByteBuffer buf;
  private int[] resourceOffsets;
  private int[] scopeOffsets;
  private final IntObjectHashMap<DictEntry> resourceCache = new IntObjectHashMap<>();
  private final IntObjectHashMap<DictEntry> scopeCache = new IntObjectHashMap<>();
  private int spans;

  /** Starts the spans of the next (older) block; dictionary offsets index the records in {@code log}. */
  public void startBlock(ByteBuffer log, int[] resourceOffsets, int[] scopeOffsets) {
    current = new ArrayList<>();
    blocks.add(current);
    buf = log;
    this.resourceOffsets = resourceOffsets;
    this.scopeOffsets = scopeOffsets;
    resourceCache.clear();
    scopeCache.clear();
  }

  /** Adds the (already validated) span record at {@code at} of the current block's log. */
  public void addSpan(int at) {
    int length = buf.getInt(at + LENGTH);
    byte[] bytes = new byte[length - SPAN_BYTES];
    buf.get(at + SPAN_BYTES, bytes);
    DictEntry resource = dict(buf.getInt(at + SPAN_RESOURCE_ID), resourceOffsets, resourceCache);
    DictEntry scope = dict(buf.getInt(at + SPAN_SCOPE_ID), scopeOffsets, scopeCache);
    current.add(new SpanCopy(buf.getLong(at + SPAN_ID), buf.get(at + SPAN_KIND), resource, scope, bytes));
    spans++;
  }

  public int spanCount() {
    return spans;
  }

  private DictEntry dict(int id, int[] offsets, IntObjectHashMap<DictEntry> cache) {
    DictEntry e = cache.get(id);
    if (e == null) {
      e = DictEntry.read(buf, offsets[id]);
      cache.put(id, e);
    }
    return e;
  }

  /** Returns the encoded {@code TracesData}, or null when no span was added. */
  public byte[] encode() throws IOException {
    if (spans == 0) {
      return null;
    }
    // Duplicates: newest block first, latest record first; the first copy seen is kept.
    LongByteHashMap seen = new LongByteHashMap();
    for (List<SpanCopy> block : blocks) {
      for (int i = block.size() - 1; i >= 0; i--) {
        SpanCopy s = block.get(i);
        int bit = 1 << Math.min(s.kind & 0xFF, 7);
        byte kinds = seen.getOrDefault(s.spanId, (byte) 0);
        if ((kinds & bit) != 0) {
          s.duplicate = true;
        } else {
          seen.put(s.spanId, (byte) (kinds | bit));
        }
      }
    }
    // Output order: oldest block first, then arrival order, grouped by first appearance of (resource, scope).
    Map<DictEntry, Map<DictEntry, List<byte[]>>> groups = new LinkedHashMap<>();
    for (int b = blocks.size() - 1; b >= 0; b--) {
      for (SpanCopy s : blocks.get(b)) {
        if (!s.duplicate) {
          groups
              .computeIfAbsent(s.resource, k -> new LinkedHashMap<>())
              .computeIfAbsent(s.scope, k -> new ArrayList<>())
              .add(s.bytes);
        }
      }
    }
    int total = 0;
    int[] rsSizes = new int[groups.size()];
    int r = 0;
    for (Map.Entry<DictEntry, Map<DictEntry, List<byte[]>>> rg : groups.entrySet()) {
      int rs = messageField(RS_RESOURCE, rg.getKey().message) + stringField(RS_SCHEMA_URL, rg.getKey().schemaUrl);
      for (Map.Entry<DictEntry, List<byte[]>> sg : rg.getValue().entrySet()) {
        int ss = scopeSpansSize(sg.getKey(), sg.getValue());
        rs += CodedOutputStream.computeTagSize(RS_SCOPE_SPANS) + CodedOutputStream.computeUInt32SizeNoTag(ss) + ss;
      }
      rsSizes[r++] = rs;
      total += CodedOutputStream.computeTagSize(TRACES_DATA_RESOURCE_SPANS)
          + CodedOutputStream.computeUInt32SizeNoTag(rs)
          + rs;
    }
    byte[] out = new byte[total];
    CodedOutputStream o = CodedOutputStream.newInstance(out);
    r = 0;
    for (Map.Entry<DictEntry, Map<DictEntry, List<byte[]>>> rg : groups.entrySet()) {
      o.writeTag(TRACES_DATA_RESOURCE_SPANS, 2);
      o.writeUInt32NoTag(rsSizes[r++]);
      writeMessageField(o, RS_RESOURCE, rg.getKey().message);
      for (Map.Entry<DictEntry, List<byte[]>> sg : rg.getValue().entrySet()) {
        o.writeTag(RS_SCOPE_SPANS, 2);
        o.writeUInt32NoTag(scopeSpansSize(sg.getKey(), sg.getValue()));
        writeMessageField(o, SS_SCOPE, sg.getKey().message);
        for (byte[] span : sg.getValue()) {
          writeMessageField(o, SS_SPANS, span);
        }
        writeStringField(o, SS_SCHEMA_URL, sg.getKey().schemaUrl);
      }
      writeStringField(o, RS_SCHEMA_URL, rg.getKey().schemaUrl);
    }
    o.checkNoSpaceLeft();
    return out;
  }

  private static int scopeSpansSize(DictEntry scope, List<byte[]> spans) {
    int size = messageField(SS_SCOPE, scope.message) + stringField(SS_SCHEMA_URL, scope.schemaUrl);
    for (byte[] s : spans) {
      size += messageField(SS_SPANS, s);
    }
    return size;
  }

  /** An absent message (null) is not written; a present empty one is. */
  private static int messageField(int field, byte[] m) {
    if (m == null) {
      return 0;
    }
    return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(m.length) + m.length;
  }

  /** proto3 strings: empty means absent. */
  private static int stringField(int field, byte[] s) {
    return s == null || s.length == 0 ? 0 : messageField(field, s);
  }

  private static void writeMessageField(CodedOutputStream o, int field, byte[] m) throws IOException {
    if (m != null) {
      o.writeTag(field, 2);
      o.writeUInt32NoTag(m.length);
      o.writeRawBytes(m);
    }
  }

  private static void writeStringField(CodedOutputStream o, int field, byte[] s) throws IOException {
    if (s != null && s.length > 0) {
      writeMessageField(o, field, s);
    }
  }

  private static final class SpanCopy {
    final long spanId;
    final byte kind;
    final DictEntry resource;
    final DictEntry scope;
    final byte[] bytes;
    boolean duplicate;

    SpanCopy(long spanId, byte kind, DictEntry resource, DictEntry scope, byte[] bytes) {
      this.spanId = spanId;
      this.kind = kind;
      this.resource = resource;
      this.scope = scope;
      this.bytes = bytes;
    }
  }

  /** A resource or scope by content: equal bytes (message, presence, schema_url) group together across blocks. */
  private static final class DictEntry {
    final byte[] message;
    final byte[] schemaUrl;
    private final int hash;

    private DictEntry(byte[] message, byte[] schemaUrl) {
      this.message = message;
      this.schemaUrl = schemaUrl;
      this.hash = 31 * Arrays.hashCode(message) + Arrays.hashCode(schemaUrl);
    }

    static DictEntry read(ByteBuffer buf, int at) {
      int ml = buf.getInt(at + DICT_MESSAGE_LENGTH);
      int sl = buf.getInt(at + DICT_SCHEMA_URL_LENGTH);
      byte[] m = null;
      if (ml >= 0) {
        m = new byte[ml];
        buf.get(at + DICT_BYTES, m);
      }
      byte[] s = null;
      if (sl >= 0) {
        s = new byte[sl];
        buf.get(at + DICT_BYTES + Math.max(ml, 0), s);
      }
      return new DictEntry(m, s == null || s.length == 0 ? null : s);
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof DictEntry)) {
        return false;
      }
      DictEntry d = (DictEntry) o;
      return hash == d.hash && Arrays.equals(message, d.message) && Arrays.equals(schemaUrl, d.schemaUrl);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
