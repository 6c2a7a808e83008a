package io.spanfold.core.wire;

import static io.spanfold.core.wire.OtlpFields.*;

import io.spanfold.core.model.SpanBatch;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Decodes an OTLP {@code ExportTraceServiceRequest} (wire-identical to {@code TracesData}) straight from its protobuf
 * bytes into a {@link SpanBatch}, without building a generated object tree. Each span keeps a slice of the input as
 * its original bytes. Reusable, not thread-safe: one instance per receiving thread.
 *
 * <p>Only the fields the index and metrics need are read; the rest of each {@code Span} (attributes, events, links)
 * stays in its slice and is skipped by its length prefix. Every length is checked against the enclosing message before
 * use and nothing is allocated from a length read off the wire, so a hostile length fails cleanly. Unknown fields, and
 * known fields with an unexpected wire type, are skipped as protobuf-java does. Where a singular field repeats, the
 * last occurrence wins; for the resource and scope messages that means the last slice is kept (protobuf would merge
 * them, which no real exporter relies on). String fields are not checked for valid UTF-8 here.
 *
 * <p>Allocation: none per span. A {@code String} for a resource's {@code service.name} is created only the first time
 * a decoder sees that name (a small per-decoder cache), so steady-state decoding allocates nothing.
 */
public final class OtlpProtoDecoder {
  private static final byte[] SERVICE_NAME = "service.name".getBytes(StandardCharsets.UTF_8);
  private static final int SERVICE_CACHE_SIZE = 32;
  private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int ATTRIBUTE_TAG = SPAN_ATTRIBUTES << 3 | WIRE_LEN;

  // Where the decoder is, for error messages: indices of the current ResourceSpans / ScopeSpans / Span, -1 outside.
  private int resourceIndex;
  private int scopeIndex;
  private int spanIndex;
  private int inStatus;
  private int base;

  private final byte[][] serviceCacheKeys = new byte[SERVICE_CACHE_SIZE][];
  private final String[] serviceCacheValues = new String[SERVICE_CACHE_SIZE];
  private int serviceCacheNext;

  /**
   * Clears {@code into}, points it at {@code buf} and appends every span of the request. All slices in the batch are
   * absolute offsets into {@code buf}; the batch's buffer length is set to {@code offset + length}.
   *
   * @throws MalformedRequestException when the bytes are not a valid request; the message says what and where
   * @throws IndexOutOfBoundsException when {@code offset}/{@code length} do not describe a range of {@code buf}
   */
  public void decode(byte[] buf, int offset, int length, SpanBatch into) throws MalformedRequestException {
    if (offset < 0 || length < 0 || offset > buf.length - length) {
      throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", array " + buf.length);
    }
    into.clear();
    into.buffer(buf, offset + length);
    base = offset;
    resourceIndex = -1;
    scopeIndex = -1;
    spanIndex = -1;
    inStatus = 0;
    int p = offset;
    int end = offset + length;
    int resources = 0;
    while (p < end) {
      int tag = readTag(buf, p, end);
      p = pos;
      if (tag == (REQUEST_RESOURCE_SPANS << 3 | WIRE_LEN)) {
        int len = readLength(buf, p, end);
        p = pos;
        resourceIndex = resources++;
        decodeResourceSpans(buf, p, p + len, into);
        resourceIndex = -1;
        p += len;
      } else {
        p = skipField(buf, p, end, tag);
      }
    }
  }

  // Second return value of the read helpers: the position after what was read. A field, not a packed long, because
  // the JIT keeps it in a register in this small single-threaded loop and the code stays readable.
  private int pos;

  private void decodeResourceSpans(byte[] buf, int p, int end, SpanBatch into) throws MalformedRequestException {
    int resOff = -1;
    int resLen = -1;
    int schemaOff = 0;
    int schemaLen = 0;
    // Scope spans come before or after the resource on the wire; the resource must be added first, so the scope
    // spans are visited in a second pass once the resource (and its service.name) is known.
    int scopes = 0;
    int firstScopeSpans = -1;
    int q = p;
    while (q < end) {
      int tagStart = q;
      int tag = readTag(buf, q, end);
      q = pos;
      switch (tag) {
        case RESOURCE_SPANS_RESOURCE << 3 | WIRE_LEN:
          resLen = readLength(buf, q, end);
          resOff = pos;
          q = resOff + resLen;
          break;
        case RESOURCE_SPANS_SCHEMA_URL << 3 | WIRE_LEN:
          schemaLen = readLength(buf, q, end);
          schemaOff = pos;
          q = schemaOff + schemaLen;
          break;
        case RESOURCE_SPANS_SCOPE_SPANS << 3 | WIRE_LEN:
          if (firstScopeSpans < 0) {
            firstScopeSpans = tagStart;
          }
          int len = readLength(buf, q, end);
          q = pos + len;
          scopes++;
          break;
        default:
          q = skipField(buf, q, end, tag);
      }
    }
    String service = "";
    if (resOff >= 0) {
      long found = OtlpAttributes.findString(buf, resOff, resLen, RESOURCE_ATTRIBUTES, SERVICE_NAME);
      if (found != -1) {
        service = serviceName(buf, (int) (found >>> 32), (int) found);
      }
    }
    int resource = into.addResource(resOff, resLen, schemaOff, schemaLen, service);
    if (scopes == 0) {
      return;
    }
    // Second pass: framing was validated above, so only scope_spans fields need attention.
    q = firstScopeSpans;
    int scopeNumber = 0;
    while (q < end) {
      int tag = readTag(buf, q, end);
      q = pos;
      if (tag == (RESOURCE_SPANS_SCOPE_SPANS << 3 | WIRE_LEN)) {
        int len = readLength(buf, q, end);
        q = pos;
        scopeIndex = scopeNumber++;
        decodeScopeSpans(buf, q, q + len, resource, into);
        scopeIndex = -1;
        q += len;
      } else {
        q = skipField(buf, q, end, tag);
      }
    }
  }

  private void decodeScopeSpans(byte[] buf, int p, int end, int resource, SpanBatch into)
      throws MalformedRequestException {
    int scopeOff = -1;
    int scopeLen = -1;
    int schemaOff = 0;
    int schemaLen = 0;
    int firstSpan = -1;
    int q = p;
    while (q < end) {
      int tagStart = q;
      int tag = readTag(buf, q, end);
      q = pos;
      switch (tag) {
        case SCOPE_SPANS_SCOPE << 3 | WIRE_LEN:
          scopeLen = readLength(buf, q, end);
          scopeOff = pos;
          q = scopeOff + scopeLen;
          break;
        case SCOPE_SPANS_SCHEMA_URL << 3 | WIRE_LEN:
          schemaLen = readLength(buf, q, end);
          schemaOff = pos;
          q = schemaOff + schemaLen;
          break;
        case SCOPE_SPANS_SPANS << 3 | WIRE_LEN:
          if (firstSpan < 0) {
            firstSpan = tagStart;
          }
          int len = readLength(buf, q, end);
          q = pos + len;
          break;
        default:
          q = skipField(buf, q, end, tag);
      }
    }
    int scope = into.addScope(scopeOff, scopeLen, schemaOff, schemaLen);
    if (firstSpan < 0) {
      return;
    }
    q = firstSpan;
    int spanNumber = 0;
    while (q < end) {
      int tag = readTag(buf, q, end);
      q = pos;
      if (tag == (SCOPE_SPANS_SPANS << 3 | WIRE_LEN)) {
        int len = readLength(buf, q, end);
        q = pos;
        spanIndex = spanNumber++;
        decodeSpan(buf, q, q + len, resource, scope, into);
        spanIndex = -1;
        q += len;
      } else {
        q = skipField(buf, q, end, tag);
      }
    }
  }

  private void decodeSpan(byte[] buf, int p, int end, int resource, int scope, SpanBatch into)
      throws MalformedRequestException {
    long traceHigh = 0;
    long traceLow = 0;
    int traceLen = 0;
    long spanId = 0;
    int spanLen = 0;
    long parentId = 0;
    int parentLen = 0;
    int kind = 0;
    int statusCode = 0;
    long start = 0;
    long endTime = 0;
    int nameOff = p;
    int nameLen = 0;
    int statusMsgOff = p;
    int statusMsgLen = 0;
    int q = p;
    while (q < end) {
      // Attributes are half of a span's fields: skip one without the general tag, switch and skipField path.
      // Both bytes read here are before end (q < end, and a one-byte length is checked against end below).
      if (buf[q] == ATTRIBUTE_TAG && q + 1 < end) {
        int len = buf[q + 1];
        if (len >= 0 && len <= end - q - 2) {
          q += 2 + len;
          continue;
        }
      }
      int tag = readTag(buf, q, end);
      q = pos;
      switch (tag) {
        case SPAN_TRACE_ID << 3 | WIRE_LEN:
          traceLen = readLength(buf, q, end);
          q = pos;
          if (traceLen == 16) {
            traceHigh = readBigEndian64(buf, q);
            traceLow = readBigEndian64(buf, q + 8);
          } else {
            traceHigh = 0;
            traceLow = 0;
          }
          q += traceLen;
          break;
        case SPAN_SPAN_ID << 3 | WIRE_LEN:
          spanLen = readLength(buf, q, end);
          q = pos;
          spanId = spanLen == 8 ? readBigEndian64(buf, q) : 0;
          q += spanLen;
          break;
        case SPAN_PARENT_SPAN_ID << 3 | WIRE_LEN:
          parentLen = readLength(buf, q, end);
          q = pos;
          parentId = parentLen == 8 ? readBigEndian64(buf, q) : 0;
          q += parentLen;
          break;
        case SPAN_NAME << 3 | WIRE_LEN:
          nameLen = readLength(buf, q, end);
          nameOff = pos;
          q = nameOff + nameLen;
          break;
        case SPAN_KIND << 3 | WIRE_VARINT:
          kind = (int) readVarint(buf, q, end);
          q = pos;
          break;
        case SPAN_START_TIME << 3 | WIRE_FIXED64:
          start = readFixed64(buf, q, end);
          q += 8;
          break;
        case SPAN_END_TIME << 3 | WIRE_FIXED64:
          endTime = readFixed64(buf, q, end);
          q += 8;
          break;
        case SPAN_STATUS << 3 | WIRE_LEN:
          int len = readLength(buf, q, end);
          q = pos;
          int statusEnd = q + len;
          inStatus = 1;
          while (q < statusEnd) {
            int st = readTag(buf, q, statusEnd);
            q = pos;
            if (st == (STATUS_CODE << 3 | WIRE_VARINT)) {
              statusCode = (int) readVarint(buf, q, statusEnd);
              q = pos;
            } else if (st == (STATUS_MESSAGE << 3 | WIRE_LEN)) {
              statusMsgLen = readLength(buf, q, statusEnd);
              statusMsgOff = pos;
              q = statusMsgOff + statusMsgLen;
            } else {
              q = skipField(buf, q, statusEnd, st);
            }
          }
          inStatus = 0;
          break;
        default:
          q = skipField(buf, q, end, tag);
      }
    }
    into.addSpan(
        resource,
        scope,
        traceHigh,
        traceLow,
        traceLen,
        spanId,
        spanLen,
        parentId,
        parentLen,
        kind,
        statusCode,
        start,
        endTime,
        p,
        end - p,
        nameOff,
        nameLen,
        statusMsgOff,
        statusMsgLen);
  }

  private String serviceName(byte[] buf, int off, int len) {
    for (int i = 0; i < SERVICE_CACHE_SIZE; i++) {
      byte[] k = serviceCacheKeys[i];
      if (k == null) {
        break;
      }
      if (OtlpAttributes.bytesEqual(buf, off, len, k)) {
        return serviceCacheValues[i];
      }
    }
    String s = new String(buf, off, len, StandardCharsets.UTF_8);
    int slot = serviceCacheNext;
    serviceCacheNext = (slot + 1) % SERVICE_CACHE_SIZE;
    serviceCacheKeys[slot] = java.util.Arrays.copyOfRange(buf, off, off + len);
    serviceCacheValues[slot] = s;
    return s;
  }

  // ---------------------------------------------------------------- bounds-checked primitives

  /** Reads a field tag; sets {@link #pos}. Rejects field number 0 and tags wider than 32 bits. */
  private int readTag(byte[] buf, int p, int end) throws MalformedRequestException {
    int b = buf[p];
    if (b >= 0) { // one-byte tag, field 1..15: the common case
      if (b < 8) {
        throw fail("invalid field number 0", p);
      }
      pos = p + 1;
      return b;
    }
    long v = readVarint(buf, p, end);
    if (v >>> 32 != 0 || (v >>> 3) == 0) {
      throw fail("invalid field tag " + Long.toUnsignedString(v), p);
    }
    return (int) v;
  }

  /** Reads a length prefix and checks that many bytes remain before {@code end}; sets {@link #pos}. */
  private int readLength(byte[] buf, int p, int end) throws MalformedRequestException {
    long len;
    if (p < end && buf[p] >= 0) {
      len = buf[p];
      pos = p + 1;
    } else {
      len = readVarint(buf, p, end);
    }
    if (len < 0 || len > end - pos) {
      throw fail("truncated length-delimited field (length " + Long.toUnsignedString(len) + ", "
          + (end - pos) + " bytes left)", p);
    }
    return (int) len;
  }

  private long readVarint(byte[] buf, int p, int end) throws MalformedRequestException {
    long result = 0;
    int q = p;
    for (int shift = 0; shift < 64; shift += 7) {
      if (q >= end) {
        throw fail("truncated varint", p);
      }
      byte b = buf[q++];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        pos = q;
        return result;
      }
    }
    throw fail("varint longer than 10 bytes", p);
  }

  private long readFixed64(byte[] buf, int p, int end) throws MalformedRequestException {
    if (end - p < 8) {
      throw fail("truncated fixed64 field", p);
    }
    return (long) LONG_LE.get(buf, p); // one load, where eight byte loads and shifts are not merged by C2 (JDK 17)
  }

  /** Callers have checked that eight bytes remain before the message's end. */
  private static long readBigEndian64(byte[] buf, int p) {
    return (long) LONG_BE.get(buf, p);
  }

  /** Skips the value of a field with the given tag; returns the position after it. */
  private int skipField(byte[] buf, int p, int end, int tag) throws MalformedRequestException {
    switch (tag & 7) {
      case WIRE_VARINT:
        readVarint(buf, p, end);
        return pos;
      case WIRE_FIXED64:
        if (end - p < 8) {
          throw fail("truncated fixed64 field", p);
        }
        return p + 8;
      case WIRE_LEN:
        int len = readLength(buf, p, end);
        return pos + len;
      case WIRE_FIXED32:
        if (end - p < 4) {
          throw fail("truncated fixed32 field", p);
        }
        return p + 4;
      default:
        throw fail("unsupported wire type " + (tag & 7) + " (field " + (tag >>> 3) + ")", p);
    }
  }

  private MalformedRequestException fail(String what, int at) {
    StringBuilder sb = new StringBuilder(96).append("malformed OTLP protobuf: ").append(what).append(" at byte ")
        .append(at - base);
    if (resourceIndex >= 0) {
      sb.append(" (resource_spans[").append(resourceIndex).append(']');
      if (scopeIndex >= 0) {
        sb.append(".scope_spans[").append(scopeIndex).append(']');
        if (spanIndex >= 0) {
          sb.append(".spans[").append(spanIndex).append(']');
          if (inStatus != 0) {
            sb.append(".status");
          }
        }
      }
      sb.append(')');
    }
    return new MalformedRequestException(sb.toString());
  }
}
