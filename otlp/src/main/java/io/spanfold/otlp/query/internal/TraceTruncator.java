package io.spanfold.otlp.query.internal;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Internal, unstable. Cuts a {@code TracesData} down to the longest prefix of its spans (in wire order) whose encoding
 * fits a byte budget, keeping each kept span's resource and scope (with their schema URLs). Resource and scope
 * headers of groups that keep no span are dropped.
 */
public final class TraceTruncator {
  private static final int[] TRACES_DATA = {-1, ProtoFields.LEN};
  private static final int[] GROUP = {-1, ProtoFields.LEN, ProtoFields.LEN, ProtoFields.LEN};

  private TraceTruncator() {}

  /** Returns a {@code TracesData} no larger than {@code maxBytes}; {@code tracesData} itself when it already fits. */
  public static byte[] truncate(byte[] tracesData, int maxBytes) {
    if (tracesData.length <= maxBytes) {
      return tracesData;
    }
    // Pass 1 decides how many spans fit (sizes only), pass 2 writes them.
    int keep = countFitting(tracesData, maxBytes);
    return write(tracesData, keep);
  }

  private static int lenField(int payload) {
    return 1 + CodedOutputStream.computeUInt32SizeNoTag(payload) + payload;
  }

  private static int countFitting(byte[] data, int maxBytes) {
    ProtoFields top = new ProtoFields().scan(data, 0, data.length, TRACES_DATA);
    ProtoFields rs = new ProtoFields();
    ProtoFields ss = new ProtoFields();
    int total = 0;
    int kept = 0;
    top.rewind();
    while (top.next(1)) {
      rs.scan(data, top.nextOffset, top.nextLength, GROUP);
      int rsHeader = header(rs, 1) + lastHeader(rs, 3);
      int rsInner = -1; // -1: this resource holds no kept span yet
      rs.rewind();
      while (rs.next(2)) {
        ss.scan(data, rs.nextOffset, rs.nextLength, GROUP);
        int ssHeader = header(ss, 1) + lastHeader(ss, 3);
        int ssInner = -1;
        ss.rewind();
        while (ss.next(2)) {
          int span = lenField(ss.nextLength);
          int newSsInner = (ssInner < 0 ? ssHeader : ssInner) + span;
          int newRsInner = (rsInner < 0 ? rsHeader : rsInner) - (ssInner < 0 ? 0 : lenField(ssInner)) + lenField(newSsInner);
          int newTotal = total - (rsInner < 0 ? 0 : lenField(rsInner)) + lenField(newRsInner);
          if (newTotal > maxBytes) {
            return kept;
          }
          ssInner = newSsInner;
          rsInner = newRsInner;
          total = newTotal;
          kept++;
        }
      }
    }
    return kept;
  }

  private static int header(ProtoFields m, int field) {
    return m.has(field) ? lenField(m.length(field)) : 0;
  }

  private static int lastHeader(ProtoFields m, int field) {
    return m.has(field) ? lenField(m.lastLength(field)) : 0;
  }

  private static byte[] write(byte[] data, int keep) {
    // Encode each kept group into its own array: sizes are small enough that the copying does not matter here.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ProtoFields top = new ProtoFields().scan(data, 0, data.length, TRACES_DATA);
    ProtoFields rs = new ProtoFields();
    ProtoFields ss = new ProtoFields();
    int left = keep;
    try {
      CodedOutputStream cos = CodedOutputStream.newInstance(out);
      top.rewind();
      while (left > 0 && top.next(1)) {
        rs.scan(data, top.nextOffset, top.nextLength, GROUP);
        ByteArrayOutputStream rsBody = new ByteArrayOutputStream();
        CodedOutputStream rsOut = CodedOutputStream.newInstance(rsBody);
        boolean any = false;
        copyField(rs, 1, rsOut);
        rs.rewind();
        while (left > 0 && rs.next(2)) {
          ss.scan(data, rs.nextOffset, rs.nextLength, GROUP);
          ByteArrayOutputStream ssBody = new ByteArrayOutputStream();
          CodedOutputStream ssOut = CodedOutputStream.newInstance(ssBody);
          copyField(ss, 1, ssOut);
          boolean anySpan = false;
          ss.rewind();
          while (left > 0 && ss.next(2)) {
            ssOut.writeByteArray(2, data, ss.nextOffset, ss.nextLength);
            anySpan = true;
            left--;
          }
          copyLast(ss, 3, ssOut);
          ssOut.flush();
          if (anySpan) {
            rsOut.writeByteArray(2, ssBody.toByteArray());
            any = true;
          }
        }
        copyLast(rs, 3, rsOut);
        rsOut.flush();
        if (any) {
          cos.writeByteArray(1, rsBody.toByteArray());
        }
      }
      cos.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void copyLast(ProtoFields m, int field, CodedOutputStream out) throws IOException {
    if (m.has(field)) {
      out.writeByteArray(field, m.bytes(), m.lastOffset(field), m.lastLength(field));
    }
  }

  private static void copyField(ProtoFields m, int field, CodedOutputStream out) throws IOException {
    if (m.has(field)) {
      out.writeByteArray(field, m.buffer(field), m.offset(field), m.length(field));
    }
  }
}
