package io.spanfold.otlp.query;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.spanfold.otlp.query.internal.GoJson;
import io.spanfold.otlp.query.internal.ProtoFields;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes OTLP {@code TracesData} protobuf bytes as the JSON Tempo answers trace-by-id with: gogo {@code jsonpb} with
 * its defaults over Tempo's copy of the OTLP messages. That is camelCase field names in the Go struct's field order,
 * 64-bit integers as strings, 32-bit integers and doubles as numbers, enums as their names (unknown values as
 * numbers), bytes (ids, {@code bytesValue}) as standard base64, zero scalars / empty strings / absent messages and
 * lists omitted, a message present on the wire but empty as {@code {}}, a set {@code AnyValue} member always printed
 * (even {@code ""}, {@code 0}, {@code false}), non-finite doubles as {@code "NaN"}, {@code "Infinity"},
 * {@code "-Infinity"}, strings escaped as Go's {@code encoding/json} does. Unknown fields are skipped.
 *
 * <p>The bytes are walked directly; no message objects are built. Thread-safe (each call uses its own state).
 *
 * <p>Bytes that are not a valid message get an {@link IllegalArgumentException} ({@code "malformed protobuf: …"}):
 * bad framing, a known field with the wrong wire type, or messages nested deeper than {@value #MAX_DEPTH} (protobuf-java's
 * default recursion limit; a nested {@code AnyValue} is what gets that deep), which bounds the recursion here and the
 * JSON nesting Jackson will write.
 */
public final class TempoJson {
  private static final JsonFactory FACTORY = JsonFactory.builder().build();
  /** Deepest message nesting written, counting {@code TracesData} as 0. */
  static final int MAX_DEPTH = 100;

  private static final int V = ProtoFields.VARINT;
  private static final int F64 = ProtoFields.FIXED64;
  private static final int L = ProtoFields.LEN;
  private static final int F32 = ProtoFields.FIXED32;
  private static final int X = -1;

  private static final int[] TRACES_DATA = {X, L};
  private static final int[] RESOURCE_SPANS = {X, L, L, L};
  private static final int[] RESOURCE = {X, L, V};
  private static final int[] SCOPE_SPANS = {X, L, L, L};
  private static final int[] SCOPE = {X, L, L, L, V};
  private static final int[] SPAN = {X, L, L, L, L, L, V, F64, F64, L, V, L, V, L, V, L, F32};
  private static final int[] EVENT = {X, F64, L, L, V};
  private static final int[] LINK = {X, L, L, L, L, V, F32};
  private static final int[] STATUS = {X, X, L, V};
  private static final int[] KEY_VALUE = {X, L, L};
  private static final int[] ANY_VALUE = {X, L, V, V, F64, L, L, L};
  private static final int[] VALUES = {X, L};

  private static final String[] SPAN_KINDS = {
    "SPAN_KIND_UNSPECIFIED",
    "SPAN_KIND_INTERNAL",
    "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT",
    "SPAN_KIND_PRODUCER",
    "SPAN_KIND_CONSUMER"
  };
  private static final String[] STATUS_CODES = {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"};

  private final JsonGenerator g;
  private final List<ProtoFields> depthPool = new ArrayList<>();
  private final StringBuilder scratch = new StringBuilder(64);
  private char[] chars = new char[64];

  private TempoJson(JsonGenerator g) {
    this.g = g;
  }

  /**
   * Tempo's v1 trace-by-id JSON: {@code {"batches":[…]}} ({@code {}} for a trace without resource spans).
   *
   * @throws IllegalArgumentException when {@code tracesData} is not a valid message (see the class comment)
   */
  public static byte[] traceV1(byte[] tracesData) {
    return trace(tracesData, "batches");
  }

  /**
   * The trace as {@code {"resourceSpans":[…]}}: Tempo's {@code Trace} message as jsonpb prints it.
   *
   * @throws IllegalArgumentException when {@code tracesData} is not a valid message (see the class comment)
   */
  public static byte[] trace(byte[] tracesData) {
    return trace(tracesData, "resourceSpans");
  }

  private static byte[] trace(byte[] tracesData, String key) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, tracesData.length * 2));
    try (JsonGenerator g = FACTORY.createGenerator((OutputStream) out, JsonEncoding.UTF8)) {
      new TempoJson(g).writeTraceObject(tracesData, 0, tracesData.length, key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Tempo's v2 {@code TraceByIDResponse} as JSON:
   * {@code {"trace":{…},"metrics":{"inspectedBytes":"N"},"status":"PARTIAL","message":"…"}}.
   *
   * @param tracesData the trace, or {@code null} for a trace not found (printed as {@code "trace":{}})
   * @param partial whether to add {@code "status":"PARTIAL"}
   * @param message printed when not empty
   * @throws IllegalArgumentException when {@code tracesData} is not a valid message (see the class comment)
   */
  public static byte[] traceByIdResponse(byte[] tracesData, long inspectedBytes, boolean partial, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(tracesData == null ? 64 : tracesData.length * 2 + 128);
    try (JsonGenerator g = FACTORY.createGenerator((OutputStream) out, JsonEncoding.UTF8)) {
      TempoJson w = new TempoJson(g);
      g.writeStartObject();
      g.writeFieldName("trace");
      if (tracesData == null) {
        g.writeStartObject();
        g.writeEndObject();
      } else {
        w.writeTraceObject(tracesData, 0, tracesData.length, "resourceSpans");
      }
      g.writeFieldName("metrics");
      g.writeStartObject();
      if (inspectedBytes != 0) {
        g.writeStringField("inspectedBytes", Long.toUnsignedString(inspectedBytes));
      }
      g.writeEndObject();
      if (partial) {
        g.writeStringField("status", "PARTIAL");
      }
      if (message != null && !message.isEmpty()) {
        g.writeFieldName("message");
        w.rawString(message);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private ProtoFields fields(int depth, byte[] buf, int off, int len, int[] types) {
    while (depthPool.size() <= depth) {
      depthPool.add(new ProtoFields());
    }
    return depthPool.get(depth).scan(buf, off, len, types);
  }

  private void writeTraceObject(byte[] buf, int off, int len, String key) throws IOException {
    ProtoFields m = fields(0, buf, off, len, TRACES_DATA);
    currentKind = -1;
    g.writeStartObject();
    repeated(m, 1, key, 0);
    g.writeEndObject();
  }

  // message kinds for repeated()/message()
  private static final int K_RESOURCE_SPANS = 0;
  private static final int K_RESOURCE = 1;
  private static final int K_SCOPE_SPANS = 2;
  private static final int K_SCOPE = 3;
  private static final int K_SPAN = 4;
  private static final int K_EVENT = 5;
  private static final int K_LINK = 6;
  private static final int K_STATUS = 7;
  private static final int K_KEY_VALUE = 8;
  private static final int K_ANY_VALUE = 9;
  private static final int K_ARRAY = 10;
  private static final int K_KVLIST = 11;

  /** Writes {@code "name":[…]} for a repeated message field, or nothing when it has no element. */
  private void repeated(ProtoFields m, int field, String name, int depth) throws IOException {
    if (!m.has(field)) {
      return;
    }
    int kind = childKind(m, field);
    g.writeArrayFieldStart(name);
    m.rewind();
    while (m.next(field)) {
      message(kind, m.bytes(), m.nextOffset, m.nextLength, depth + 1);
    }
    g.writeEndArray();
  }

  /** Writes {@code "name":{…}} for a singular message field present on the wire. */
  private void singular(ProtoFields m, int field, String name, int kind, int depth) throws IOException {
    if (m.has(field)) {
      g.writeFieldName(name);
      message(kind, m.buffer(field), m.offset(field), m.length(field), depth + 1);
    }
  }

  /** The kind of the message being written; -1 at the top ({@code TracesData}). */
  private int currentKind = -1;

  private int childKind(ProtoFields m, int field) {
    // The kind of a repeated field's element is decided by the enclosing message kind and field number.
    switch (currentKind) {
      case -1:
        return K_RESOURCE_SPANS;
      case K_RESOURCE_SPANS:
        return K_SCOPE_SPANS;
      case K_SCOPE_SPANS:
        return K_SPAN;
      case K_SPAN:
        return field == 11 ? K_EVENT : field == 13 ? K_LINK : K_KEY_VALUE;
      case K_ARRAY:
        return K_ANY_VALUE;
      default:
        return K_KEY_VALUE;
    }
  }

  private void message(int kind, byte[] buf, int off, int len, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("malformed protobuf: messages nested deeper than " + MAX_DEPTH);
    }
    int saved = currentKind;
    currentKind = kind;
    g.writeStartObject();
    switch (kind) {
      case K_RESOURCE_SPANS: {
        ProtoFields m = fields(depth, buf, off, len, RESOURCE_SPANS);
        singular(m, 1, "resource", K_RESOURCE, depth);
        repeated(m, 2, "scopeSpans", depth);
        string(m, 3, "schemaUrl");
        break;
      }
      case K_RESOURCE: {
        ProtoFields m = fields(depth, buf, off, len, RESOURCE);
        repeated(m, 1, "attributes", depth);
        uint32(m, 2, "droppedAttributesCount");
        break;
      }
      case K_SCOPE_SPANS: {
        ProtoFields m = fields(depth, buf, off, len, SCOPE_SPANS);
        singular(m, 1, "scope", K_SCOPE, depth);
        repeated(m, 2, "spans", depth);
        string(m, 3, "schemaUrl");
        break;
      }
      case K_SCOPE: {
        ProtoFields m = fields(depth, buf, off, len, SCOPE);
        string(m, 1, "name");
        string(m, 2, "version");
        repeated(m, 3, "attributes", depth);
        uint32(m, 4, "droppedAttributesCount");
        break;
      }
      case K_SPAN: {
        ProtoFields m = fields(depth, buf, off, len, SPAN);
        bytes(m, 1, "traceId");
        bytes(m, 2, "spanId");
        string(m, 3, "traceState");
        bytes(m, 4, "parentSpanId");
        uint32(m, 16, "flags");
        string(m, 5, "name");
        enumField(m, 6, "kind", SPAN_KINDS);
        uint64(m, 7, "startTimeUnixNano");
        uint64(m, 8, "endTimeUnixNano");
        repeated(m, 9, "attributes", depth);
        uint32(m, 10, "droppedAttributesCount");
        repeated(m, 11, "events", depth);
        uint32(m, 12, "droppedEventsCount");
        repeated(m, 13, "links", depth);
        uint32(m, 14, "droppedLinksCount");
        singular(m, 15, "status", K_STATUS, depth);
        break;
      }
      case K_EVENT: {
        ProtoFields m = fields(depth, buf, off, len, EVENT);
        uint64(m, 1, "timeUnixNano");
        string(m, 2, "name");
        repeated(m, 3, "attributes", depth);
        uint32(m, 4, "droppedAttributesCount");
        break;
      }
      case K_LINK: {
        ProtoFields m = fields(depth, buf, off, len, LINK);
        bytes(m, 1, "traceId");
        bytes(m, 2, "spanId");
        string(m, 3, "traceState");
        repeated(m, 4, "attributes", depth);
        uint32(m, 5, "droppedAttributesCount");
        uint32(m, 6, "flags");
        break;
      }
      case K_STATUS: {
        ProtoFields m = fields(depth, buf, off, len, STATUS);
        string(m, 2, "message");
        enumField(m, 3, "code", STATUS_CODES);
        break;
      }
      case K_KEY_VALUE: {
        ProtoFields m = fields(depth, buf, off, len, KEY_VALUE);
        string(m, 1, "key");
        singular(m, 2, "value", K_ANY_VALUE, depth);
        break;
      }
      case K_ANY_VALUE:
        anyValue(fields(depth, buf, off, len, ANY_VALUE), depth);
        break;
      case K_ARRAY:
      case K_KVLIST: {
        ProtoFields m = fields(depth, buf, off, len, VALUES);
        repeated(m, 1, "values", depth);
        break;
      }
      default:
        throw new IllegalStateException("kind " + kind);
    }
    g.writeEndObject();
    currentKind = saved;
  }

  /** A oneof: the member that came last on the wire wins and is printed even when it holds a zero value. */
  private void anyValue(ProtoFields m, int depth) throws IOException {
    int field = m.lastOf(1, 7);
    switch (field) {
      case 0:
        return;
      case 1:
        g.writeFieldName("stringValue");
        rawString(m.bytes(), m.lastOffset(1), m.lastLength(1));
        return;
      case 2:
        g.writeBooleanField("boolValue", m.value(2) != 0);
        return;
      case 3:
        g.writeStringField("intValue", Long.toString(m.value(3)));
        return;
      case 4: {
        g.writeFieldName("doubleValue");
        double d = Double.longBitsToDouble(m.value(4));
        if (Double.isNaN(d)) {
          g.writeString("NaN");
        } else if (Double.isInfinite(d)) {
          g.writeString(d > 0 ? "Infinity" : "-Infinity");
        } else {
          g.writeNumber(GoJson.formatDouble(d));
        }
        return;
      }
      case 5:
      case 6:
        g.writeFieldName(field == 5 ? "arrayValue" : "kvlistValue");
        message(field == 5 ? K_ARRAY : K_KVLIST, m.bytes(), m.lastOffset(field), m.lastLength(field), depth + 1);
        return;
      default:
        g.writeFieldName("bytesValue");
        g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, m.bytes(), m.lastOffset(7), m.lastLength(7));
    }
  }

  private void string(ProtoFields m, int field, String name) throws IOException {
    if (m.has(field) && m.lastLength(field) > 0) {
      g.writeFieldName(name);
      rawString(m.bytes(), m.lastOffset(field), m.lastLength(field));
    }
  }

  /** gogo keeps a present-but-empty bytes field as a non-nil empty slice, which jsonpb prints as {@code ""}. */
  private void bytes(ProtoFields m, int field, String name) throws IOException {
    if (m.has(field)) {
      g.writeFieldName(name);
      g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, m.bytes(), m.lastOffset(field), m.lastLength(field));
    }
  }

  private void uint32(ProtoFields m, int field, String name) throws IOException {
    long v = m.value(field) & 0xFFFFFFFFL;
    if (m.has(field) && v != 0) {
      g.writeNumberField(name, v);
    }
  }

  private void uint64(ProtoFields m, int field, String name) throws IOException {
    long v = m.value(field);
    if (m.has(field) && v != 0) {
      g.writeStringField(name, Long.toUnsignedString(v));
    }
  }

  private void enumField(ProtoFields m, int field, String name, String[] names) throws IOException {
    int v = (int) m.value(field);
    if (m.has(field) && v != 0) {
      g.writeFieldName(name);
      if (v > 0 && v < names.length) {
        g.writeString(names[v]);
      } else {
        g.writeNumber(v);
      }
    }
  }

  private void rawString(byte[] buf, int off, int len) throws IOException {
    scratch.setLength(0);
    GoJson.appendQuoted(scratch, buf, off, len);
    flushScratch();
  }

  private void rawString(String s) throws IOException {
    scratch.setLength(0);
    GoJson.appendQuoted(scratch, s);
    flushScratch();
  }

  private void flushScratch() throws IOException {
    int n = scratch.length();
    if (chars.length < n) {
      chars = new char[Math.max(n, chars.length * 2)];
    }
    scratch.getChars(0, n, chars, 0);
    g.writeRawValue(chars, 0, n);
  }
}
