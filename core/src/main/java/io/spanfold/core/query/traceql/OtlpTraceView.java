package io.spanfold.core.query.traceql;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.spanfold.core.model.TraceIds;
import io.spanfold.core.wire.OtlpAttributes;
import io.spanfold.core.wire.OtlpFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link TraceView} over OTLP bytes: each span is its {@code Span} message bytes plus its {@code Resource} message
 * bytes (slices of larger buffers are fine). Intrinsic fields are decoded when the view is built; attributes are decoded
 * lazily, once per span (and once per distinct resource slice) per view. Not thread-safe: one view per evaluation.
 *
 * <p>Attribute values map to TraceQL types: string, bool, int, double; arrays, key-value lists and bytes read as
 * {@link Value#NIL} (not comparable in spanfold's TraceQL).
 */
public final class OtlpTraceView implements TraceView {
  private final int n;
  private final long traceIdHigh;
  private final long traceIdLow;
  private final long[] spanId;
  private final long[] parentId;
  private final String[] name;
  private final int[] kind;
  private final int[] statusCode;
  private final String[] statusMessage;
  private final long[] start;
  private final long[] end;
  private final byte[][] spanBuf;
  private final int[] spanOff;
  private final int[] spanLen;
  private final ResourceSlice[] resource;
  private final Map<String, Value>[] spanAttrs;

  private static final class ResourceSlice {
    final byte[] buf;
    final int off;
    final int len;
    Map<String, Value> attrs;
    String service;
    boolean serviceRead;

    ResourceSlice(byte[] buf, int off, int len) {
      this.buf = buf;
      this.off = off;
      this.len = len;
    }

    Map<String, Value> attributes() {
      if (attrs == null) {
        attrs = decode(buf, off, len, OtlpFields.RESOURCE_ATTRIBUTES);
      }
      return attrs;
    }

    String service() {
      if (!serviceRead) {
        serviceRead = true;
        Value v = attributes().get("service.name");
        service = v != null && v.type() == Value.Type.STRING ? v.asString() : null;
      }
      return service;
    }
  }

  /** Collects spans; the trace id is taken from the first span. */
  public static final class Builder {
    private final List<Object[]> spans = new ArrayList<>();

    private Builder() {}

    /** Adds a span by its {@code Span} bytes and its {@code Resource} bytes (empty resource: length 0). */
    public Builder addSpan(byte[] spanBuf, int spanOff, int spanLen, byte[] resBuf, int resOff, int resLen) {
      spans.add(new Object[] {spanBuf, spanOff, spanLen, resBuf, resOff, resLen});
      return this;
    }

    /** Adds a span from whole-array messages. */
    public Builder addSpan(byte[] span, byte[] resource) {
      return addSpan(span, 0, span.length, resource, 0, resource.length);
    }

    /**
     * Builds the view.
     *
     * @throws IllegalArgumentException when span bytes are not a decodable OTLP {@code Span}
     */
    public OtlpTraceView build() {
      return new OtlpTraceView(spans);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  @SuppressWarnings("unchecked")
  private OtlpTraceView(List<Object[]> spans) {
    n = spans.size();
    spanId = new long[n];
    parentId = new long[n];
    name = new String[n];
    kind = new int[n];
    statusCode = new int[n];
    statusMessage = new String[n];
    start = new long[n];
    end = new long[n];
    spanBuf = new byte[n][];
    spanOff = new int[n];
    spanLen = new int[n];
    resource = new ResourceSlice[n];
    spanAttrs = new Map[n];
    long hi = 0;
    long lo = 0;
    // one ResourceSlice per distinct slice so resource attributes are decoded once
    Map<byte[], List<ResourceSlice>> slices = new IdentityHashMap<>();
    for (int i = 0; i < n; i++) {
      Object[] s = spans.get(i);
      spanBuf[i] = (byte[]) s[0];
      spanOff[i] = (Integer) s[1];
      spanLen[i] = (Integer) s[2];
      byte[] tid = decodeSpan(i);
      if (i == 0 && tid != null && tid.length == 16) {
        hi = TraceIds.readLong(tid, 0);
        lo = TraceIds.readLong(tid, 8);
      }
      byte[] rb = (byte[]) s[3];
      int ro = (Integer) s[4];
      int rl = (Integer) s[5];
      List<ResourceSlice> forBuf = slices.computeIfAbsent(rb, k -> new ArrayList<>(1));
      ResourceSlice found = null;
      for (ResourceSlice r : forBuf) {
        if (r.off == ro && r.len == rl) {
          found = r;
          break;
        }
      }
      if (found == null) {
        found = new ResourceSlice(rb, ro, rl);
        forBuf.add(found);
      }
      resource[i] = found;
    }
    traceIdHigh = hi;
    traceIdLow = lo;
  }

  private byte[] decodeSpan(int i) {
    byte[] traceId = null;
    statusMessage[i] = "";
    name[i] = "";
    try {
      CodedInputStream in = CodedInputStream.newInstance(spanBuf[i], spanOff[i], spanLen[i]);
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          break;
        }
        switch (WireFormat.getTagFieldNumber(tag)) {
          case OtlpFields.SPAN_TRACE_ID:
            traceId = in.readByteArray();
            break;
          case OtlpFields.SPAN_SPAN_ID:
            spanId[i] = id(in.readByteArray());
            break;
          case OtlpFields.SPAN_PARENT_SPAN_ID:
            parentId[i] = id(in.readByteArray());
            break;
          case OtlpFields.SPAN_NAME:
            name[i] = in.readStringRequireUtf8();
            break;
          case OtlpFields.SPAN_KIND:
            kind[i] = in.readEnum();
            break;
          case OtlpFields.SPAN_START_TIME:
            start[i] = in.readFixed64();
            break;
          case OtlpFields.SPAN_END_TIME:
            end[i] = in.readFixed64();
            break;
          case OtlpFields.SPAN_STATUS:
            {
              int limit = in.pushLimit(in.readRawVarint32());
              while (true) {
                int st = in.readTag();
                if (st == 0) {
                  break;
                }
                int f = WireFormat.getTagFieldNumber(st);
                if (f == OtlpFields.STATUS_MESSAGE) {
                  statusMessage[i] = in.readStringRequireUtf8();
                } else if (f == OtlpFields.STATUS_CODE) {
                  statusCode[i] = in.readEnum();
                } else if (!in.skipField(st)) {
                  break;
                }
              }
              in.popLimit(limit);
            }
            break;
          default:
            if (!in.skipField(tag)) {
              return traceId;
            }
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("span " + i + " is not a decodable OTLP Span: " + e.getMessage(), e);
    }
    return traceId;
  }

  private static long id(byte[] b) {
    return b.length == 8 ? TraceIds.readLong(b, 0) : 0;
  }

  static Map<String, Value> decode(byte[] buf, int off, int len, int field) {
    Map<String, Value> m = new HashMap<>();
    if (len == 0) {
      return m;
    }
    OtlpAttributes.forEach(
        buf,
        off,
        len,
        field,
        (b, keyOff, keyLen, type, valueOff, valueLen, bits) -> {
          String key = new String(b, keyOff, keyLen, StandardCharsets.UTF_8);
          Value v;
          switch (type) {
            case OtlpAttributes.TYPE_STRING:
              v = Value.ofString(new String(b, valueOff, valueLen, StandardCharsets.UTF_8));
              break;
            case OtlpAttributes.TYPE_BOOL:
              v = Value.ofBoolean(bits != 0);
              break;
            case OtlpAttributes.TYPE_INT:
              v = Value.ofInt(bits);
              break;
            case OtlpAttributes.TYPE_DOUBLE:
              v = Value.ofFloat(Double.longBitsToDouble(bits));
              break;
            default:
              v = Value.NIL;
          }
          m.put(key, v); // last one wins, as a map would
        });
    return m;
  }

  @Override
  public int spanCount() {
    return n;
  }

  @Override
  public long traceIdHigh() {
    return traceIdHigh;
  }

  @Override
  public long traceIdLow() {
    return traceIdLow;
  }

  @Override
  public long spanId(int span) {
    return spanId[span];
  }

  @Override
  public long parentSpanId(int span) {
    return parentId[span];
  }

  @Override
  public String name(int span) {
    return name[span];
  }

  @Override
  public int kind(int span) {
    return kind[span];
  }

  @Override
  public int statusCode(int span) {
    return statusCode[span];
  }

  @Override
  public String statusMessage(int span) {
    return statusMessage[span];
  }

  @Override
  public long startNanos(int span) {
    return start[span];
  }

  @Override
  public long endNanos(int span) {
    return end[span];
  }

  @Override
  public String serviceName(int span) {
    return resource[span].service();
  }

  @Override
  public Value attribute(int span, Attribute.Scope scope, String key) {
    Map<String, Value> m;
    if (scope == Attribute.Scope.RESOURCE) {
      m = resource[span].attributes();
    } else {
      m = spanAttrs[span];
      if (m == null) {
        m = decode(spanBuf[span], spanOff[span], spanLen[span], OtlpFields.SPAN_ATTRIBUTES);
        spanAttrs[span] = m;
      }
    }
    Value v = m.get(key);
    return v == null ? Value.NIL : v;
  }
}
