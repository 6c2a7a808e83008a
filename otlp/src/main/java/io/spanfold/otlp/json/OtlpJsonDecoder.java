package io.spanfold.otlp.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.core.wire.OtlpProtoDecoder;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;

/**
 * Decodes an OTLP/JSON {@code ExportTraceServiceRequest} (hex ids, enums as numbers or names, 64-bit integers as
 * strings or numbers, unknown fields ignored) into a {@link SpanBatch}. It transcodes the JSON into OTLP protobuf
 * bytes held in a buffer it owns, so every span carries protobuf bytes like spans that arrived as protobuf; the
 * batch points into that buffer until the next {@code decode}. Reusable, not thread-safe.
 *
 * <p>Follows the protobuf JSON mapping as OTLP specifies it: lowerCamelCase keys (the proto field names in snake_case
 * are accepted too), {@code traceId}/{@code spanId}/{@code parentSpanId} as case-insensitive hex with {@code ""}
 * meaning absent, enums as numbers or names ({@code SPAN_KIND_SERVER}), 64-bit integers as strings or numbers, doubles
 * as numbers or {@code "NaN"}/{@code "Infinity"}/{@code "-Infinity"}, {@code bytesValue} as base64, {@code null} as
 * absent. Default scalar values are left out of the protobuf, as a protobuf encoder would.
 */
public final class OtlpJsonDecoder {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final String[] SPAN_KINDS = {
    "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER",
    "SPAN_KIND_CONSUMER"
  };
  private static final String[] STATUS_CODES = {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"};

  // protobuf field numbers of the messages written here (opentelemetry-proto v1)
  private static final int REQUEST_RESOURCE_SPANS = 1;
  private static final int RS_RESOURCE = 1;
  private static final int RS_SCOPE_SPANS = 2;
  private static final int RS_SCHEMA_URL = 3;
  private static final int RESOURCE_ATTRIBUTES = 1;
  private static final int RESOURCE_DROPPED = 2;
  private static final int SS_SCOPE = 1;
  private static final int SS_SPANS = 2;
  private static final int SS_SCHEMA_URL = 3;
  private static final int SCOPE_NAME = 1;
  private static final int SCOPE_VERSION = 2;
  private static final int SCOPE_ATTRIBUTES = 3;
  private static final int SCOPE_DROPPED = 4;
  private static final int EVENT_TIME = 1;
  private static final int EVENT_NAME = 2;
  private static final int EVENT_ATTRIBUTES = 3;
  private static final int EVENT_DROPPED = 4;
  private static final int LINK_TRACE_ID = 1;
  private static final int LINK_SPAN_ID = 2;
  private static final int LINK_TRACE_STATE = 3;
  private static final int LINK_ATTRIBUTES = 4;
  private static final int LINK_DROPPED = 5;
  private static final int LINK_FLAGS = 6;
  private static final int STATUS_MESSAGE = 2;
  private static final int STATUS_CODE = 3;
  private static final int KV_KEY = 1;
  private static final int KV_VALUE = 2;
  private static final int LIST_VALUES = 1;

  private final ProtoWriter out = new ProtoWriter();
  private final OtlpProtoDecoder protoDecoder = new OtlpProtoDecoder();
  private final byte[] idScratch = new byte[64];
  private JsonParser p;

  /**
   * Clears {@code into} and fills it with the spans of the request; the batch's slices point into a buffer owned by
   * this decoder, valid until its next {@code decode}.
   *
   * @throws MalformedRequestException when the body is not a valid OTLP/JSON request; the message says what was
   *     wrong and where (line and column)
   */
  public void decode(byte[] json, int offset, int length, SpanBatch into) throws MalformedRequestException {
    out.reset();
    try (JsonParser parser = FACTORY.createParser(json, offset, length)) {
      p = parser;
      JsonToken t = p.nextToken();
      if (t != JsonToken.START_OBJECT) {
        throw fail(t == null ? "empty body" : "expected a JSON object for the request, got " + describe(t));
      }
      request();
      t = p.nextToken();
      if (t != null) {
        throw fail("unexpected content after the request: " + describe(t));
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new MalformedRequestException(
          "malformed OTLP/JSON: " + e.getOriginalMessage() + (at == null ? "" : where(at)), e);
    } catch (IOException e) {
      throw new MalformedRequestException("malformed OTLP/JSON: " + e.getMessage(), e);
    } catch (IllegalStateException e) {
      throw new MalformedRequestException("malformed OTLP/JSON: " + e.getMessage(), e);
    } finally {
      p = null;
    }
    protoDecoder.decode(out.buffer(), 0, out.size(), into);
  }

  // ---------------------------------------------------------------- messages (each starts after its START_OBJECT)

  private void request() throws IOException, MalformedRequestException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (name) {
        case "resourceSpans":
        case "resource_spans":
          requireArray(t, name);
          while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            requireElement(t, name);
            int m = out.begin(REQUEST_RESOURCE_SPANS);
            resourceSpans();
            out.end(m);
          }
          break;
        default:
          p.skipChildren();
      }
    }
  }

  private void resourceSpans() throws IOException, MalformedRequestException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (name) {
        case "resource":
          requireObject(t, name);
          int m = out.begin(RS_RESOURCE);
          resource();
          out.end(m);
          break;
        case "scopeSpans":
        case "scope_spans":
          requireArray(t, name);
          while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            requireElement(t, name);
            int s = out.begin(RS_SCOPE_SPANS);
            scopeSpans();
            out.end(s);
          }
          break;
        case "schemaUrl":
        case "schema_url":
          string(RS_SCHEMA_URL, t, name);
          break;
        default:
          p.skipChildren();
      }
    }
  }

  private void resource() throws IOException, MalformedRequestException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (name) {
        case "attributes":
          keyValues(RESOURCE_ATTRIBUTES, t, name);
          break;
        case "droppedAttributesCount":
        case "dropped_attributes_count":
          uint32(RESOURCE_DROPPED, t, name);
          break;
        default:
          p.skipChildren();
      }
    }
  }

  private void scopeSpans() throws IOException, MalformedRequestException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (name) {
        case "scope":
          requireObject(t, name);
          int m = out.begin(SS_SCOPE);
          scope();
          out.end(m);
          break;
        case "spans":
          requireArray(t, name);
          while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            requireElement(t, "spans");
            int s = out.begin(SS_SPANS);
            span();
            out.end(s);
          }
          break;
        case "schemaUrl":
        case "schema_url":
          string(SS_SCHEMA_URL, t, name);
          break;
        default:
          p.skipChildren();
      }
    }
  }

  private void scope() throws IOException, MalformedRequestException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (name) {
        case "name":
          string(SCOPE_NAME, t, name);
          break;
        case "version":
          string(SCOPE_VERSION, t, name);
          break;
        case "attributes":
          keyValues(SCOPE_ATTRIBUTES, t, name);
          break;
        case "droppedAttributesCount":
        case "dropped_attributes_count":
          uint32(SCOPE_DROPPED, t, name);
          break;
        default:
          p.skipChildren();
      }
    }
  }

  private void span() throws IOException, MalformedRequestException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (name) {
        case "traceId":
        case "trace_id":
          hexId(1, t, "trace id");
          break;
        case "spanId":
        case "span_id":
          hexId(2, t, "span id");
          break;
        case "traceState":
        case "trace_state":
          string(3, t, name);
          break;
        case "parentSpanId":
        case "parent_span_id":
          hexId(4, t, "parent span id");
          break;
        case "name":
          string(5, t, name);
          break;
        case "kind":
          enumValue(6, t, name, SPAN_KINDS);
          break;
        case "startTimeUnixNano":
        case "start_time_unix_nano":
          fixed64(7, t, name);
          break;
        case "endTimeUnixNano":
        case "end_time_unix_nano":
          fixed64(8, t, name);
          break;
        case "attributes":
          keyValues(9, t, name);
          break;
        case "droppedAttributesCount":
        case "dropped_attributes_count":
          uint32(10, t, name);
          break;
        case "events":
          requireArray(t, name);
          while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            requireElement(t, "events");
            int m = out.begin(11);
            event();
            out.end(m);
          }
          break;
        case "droppedEventsCount":
        case "dropped_events_count":
          uint32(12, t, name);
          break;
        case "links":
          requireArray(t, name);
          while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            requireElement(t, "links");
            int m = out.begin(13);
            link();
            out.end(m);
          }
          break;
        case "droppedLinksCount":
        case "dropped_links_count":
          uint32(14, t, name);
          break;
        case "status":
          requireObject(t, name);
          int m = out.begin(15);
          status();
          out.end(m);
          break;
        case "flags":
          fixed32(16, t, name);
          break;
        default:
          p.skipChildren();
      }
    }
  }

  private void event() throws IOException, MalformedRequestException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (name) {
        case "timeUnixNano":
        case "time_unix_nano":
          fixed64(EVENT_TIME, t, name);
          break;
        case "name":
          string(EVENT_NAME, t, name);
          break;
        case "attributes":
          keyValues(EVENT_ATTRIBUTES, t, name);
          break;
        case "droppedAttributesCount":
        case "dropped_attributes_count":
          uint32(EVENT_DROPPED, t, name);
          break;
        default:
          p.skipChildren();
      }
    }
  }

  private void link() throws IOException, MalformedRequestException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (name) {
        case "traceId":
        case "trace_id":
          hexId(LINK_TRACE_ID, t, "link trace id");
          break;
        case "spanId":
        case "span_id":
          hexId(LINK_SPAN_ID, t, "link span id");
          break;
        case "traceState":
        case "trace_state":
          string(LINK_TRACE_STATE, t, name);
          break;
        case "attributes":
          keyValues(LINK_ATTRIBUTES, t, name);
          break;
        case "droppedAttributesCount":
        case "dropped_attributes_count":
          uint32(LINK_DROPPED, t, name);
          break;
        case "flags":
          fixed32(LINK_FLAGS, t, name);
          break;
        default:
          p.skipChildren();
      }
    }
  }

  private void status() throws IOException, MalformedRequestException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (name) {
        case "message":
          string(STATUS_MESSAGE, t, name);
          break;
        case "code":
          enumValue(STATUS_CODE, t, name, STATUS_CODES);
          break;
        default:
          p.skipChildren();
      }
    }
  }

  /** A JSON array of KeyValue objects, written as repeated field {@code field}. */
  private void keyValues(int field, JsonToken t, String name) throws IOException, MalformedRequestException {
    requireArray(t, name);
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      requireElement(t, name);
      int m = out.begin(field);
      keyValue();
      out.end(m);
    }
  }

  private void keyValue() throws IOException, MalformedRequestException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (name) {
        case "key":
          string(KV_KEY, t, name);
          break;
        case "value":
          requireObject(t, name);
          int m = out.begin(KV_VALUE);
          anyValue();
          out.end(m);
          break;
        default:
          p.skipChildren();
      }
    }
  }

  private void anyValue() throws IOException, MalformedRequestException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      // AnyValue is a oneof: a member set to its default value is still present, so always write it
      switch (name) {
        case "stringValue":
        case "string_value":
          requireString(t, name);
          out.stringField(1, p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
          break;
        case "boolValue":
        case "bool_value":
          out.uint32Field(2, bool(t, name) ? 1 : 0);
          break;
        case "intValue":
        case "int_value":
          out.uint64Field(3, int64(t, name, true));
          break;
        case "doubleValue":
        case "double_value":
          out.fixed64Field(4, Double.doubleToRawLongBits(doubleValue(t, name)));
          break;
        case "arrayValue":
        case "array_value":
          requireObject(t, name);
          int a = out.begin(5);
          listOf(true);
          out.end(a);
          break;
        case "kvlistValue":
        case "kvlist_value":
          requireObject(t, name);
          int k = out.begin(6);
          listOf(false);
          out.end(k);
          break;
        case "bytesValue":
        case "bytes_value":
          requireString(t, name);
          byte[] b = base64(p.getText(), name);
          out.bytesField(7, b, 0, b.length);
          break;
        default:
          p.skipChildren();
      }
    }
  }

  /** ArrayValue ({@code anyValues}) or KeyValueList: both are {@code {"values": [...]}}. */
  private void listOf(boolean anyValues) throws IOException, MalformedRequestException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      if (!name.equals("values")) {
        p.skipChildren();
        continue;
      }
      requireArray(t, name);
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        requireElement(t, "values");
        int m = out.begin(LIST_VALUES);
        if (anyValues) {
          anyValue();
        } else {
          keyValue();
        }
        out.end(m);
      }
    }
  }

  // ---------------------------------------------------------------- scalars

  private void string(int field, JsonToken t, String name) throws IOException, MalformedRequestException {
    requireString(t, name);
    int len = p.getTextLength();
    if (len > 0) {
      out.stringField(field, p.getTextCharacters(), p.getTextOffset(), len);
    }
  }

  private void hexId(int field, JsonToken t, String what) throws IOException, MalformedRequestException {
    requireString(t, what);
    char[] chars = p.getTextCharacters();
    int off = p.getTextOffset();
    int len = p.getTextLength();
    if (len == 0) {
      return;
    }
    if ((len & 1) != 0 || len > 2 * idScratch.length) {
      throw fail("invalid " + what + " \"" + clip(p.getText()) + "\": "
          + ((len & 1) != 0 ? "odd number of hex digits" : "longer than " + idScratch.length + " bytes"));
    }
    int n = len / 2;
    for (int i = 0; i < n; i++) {
      int hi = Character.digit(chars[off + 2 * i], 16);
      int lo = Character.digit(chars[off + 2 * i + 1], 16);
      if (hi < 0 || lo < 0) {
        throw fail("invalid " + what + " \"" + clip(p.getText()) + "\": not hex");
      }
      idScratch[i] = (byte) (hi << 4 | lo);
    }
    out.bytesField(field, idScratch, 0, n);
  }

  private void enumValue(int field, JsonToken t, String name, String[] names)
      throws IOException, MalformedRequestException {
    int v;
    if (t == JsonToken.VALUE_NUMBER_INT) {
      v = (int) integer(name, Integer.MIN_VALUE, Integer.MAX_VALUE);
    } else if (t == JsonToken.VALUE_STRING) {
      String s = p.getText();
      v = -1;
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(s)) {
          v = i;
          break;
        }
      }
      if (v < 0) {
        try {
          v = Integer.parseInt(s);
        } catch (NumberFormatException e) {
          throw fail("invalid " + name + " \"" + clip(s) + "\": not one of " + String.join(", ", names));
        }
      }
    } else {
      throw fail("invalid " + name + ": expected an enum name or number, got " + describe(t));
    }
    if (v != 0) {
      // enums are int32 on the wire: negative values are sign-extended to 10 bytes
      out.uint64Field(field, v);
    }
  }

  private void fixed64(int field, JsonToken t, String name) throws IOException, MalformedRequestException {
    long v = int64(t, name, false);
    if (v != 0) {
      out.fixed64Field(field, v);
    }
  }

  private void fixed32(int field, JsonToken t, String name) throws IOException, MalformedRequestException {
    int v = (int) uint32Value(t, name);
    if (v != 0) {
      out.fixed32Field(field, v);
    }
  }

  private void uint32(int field, JsonToken t, String name) throws IOException, MalformedRequestException {
    int v = (int) uint32Value(t, name);
    if (v != 0) {
      out.uint32Field(field, v);
    }
  }

  private long uint32Value(JsonToken t, String name) throws IOException, MalformedRequestException {
    if (t == JsonToken.VALUE_NUMBER_INT) {
      return integer(name, 0, 0xFFFFFFFFL);
    }
    if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_FLOAT) {
      BigInteger b = bigInteger(t, name);
      if (b.signum() < 0 || b.bitLength() > 32) {
        throw fail("invalid " + name + " " + clip(p.getText()) + ": out of range for uint32");
      }
      return b.longValue();
    }
    throw fail("invalid " + name + ": expected a number, got " + describe(t));
  }

  /** A 64-bit integer given as a JSON number or string; {@code signed} picks int64 or (fixed/u)int64 range. */
  private long int64(JsonToken t, String name, boolean signed) throws IOException, MalformedRequestException {
    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      long v = p.getLongValue();
      if (!signed && v < 0) {
        throw fail("invalid " + name + " " + v + ": negative");
      }
      return v;
    }
    if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      if (t == JsonToken.VALUE_STRING && p.getTextLength() > 0 && p.getTextLength() <= 20) {
        // fast path for the common "1544712660000000000" form, no BigInteger; overflow falls to the slow path
        char[] c = p.getTextCharacters();
        int off = p.getTextOffset();
        int len = p.getTextLength();
        int i = c[off] == '-' ? 1 : 0;
        long v = 0;
        boolean digits = i < len;
        for (; i < len; i++) {
          char ch = c[off + i];
          if (ch < '0' || ch > '9') {
            digits = false;
            break;
          }
          if (v > (Long.MAX_VALUE - (ch - '0')) / 10) {
            digits = false;
            break;
          }
          v = v * 10 + (ch - '0');
        }
        if (digits) {
          if (c[off] == '-') {
            if (!signed && v != 0) {
              throw fail("invalid " + name + " \"" + clip(p.getText()) + "\": negative");
            }
            return -v;
          }
          return v;
        }
      }
      BigInteger b = bigInteger(t, name);
      if (signed ? b.bitLength() > 63 : b.signum() < 0 || b.bitLength() > 64) {
        throw fail("invalid " + name + " " + clip(p.getText()) + ": out of range for " + (signed ? "int64" : "uint64"));
      }
      return b.longValue();
    }
    throw fail("invalid " + name + ": expected an integer (number or string), got " + describe(t));
  }

  private BigInteger bigInteger(JsonToken t, String name) throws IOException, MalformedRequestException {
    String s = p.getText().trim();
    try {
      if (t == JsonToken.VALUE_NUMBER_INT) {
        return p.getBigIntegerValue();
      }
      // Jackson bounds a number token's length but not a string's, and BigDecimal parses long digit strings in
      // quadratic time: anything longer than Jackson's number limit is no integer we could accept.
      if (s.length() > MAX_NUMBER_CHARS) {
        throw new NumberFormatException();
      }
      BigDecimal d = new BigDecimal(s);
      if (d.signum() == 0) {
        return BigInteger.ZERO;
      }
      // toBigIntegerExact would build 10^exponent: "1e999999999" took minutes and gigabytes. A value of 21 or
      // more integer digits is out of every range asked for here, so answer with one that callers reject.
      if ((long) d.precision() - d.scale() > 21) {
        return d.signum() > 0 ? OUT_OF_RANGE : OUT_OF_RANGE.negate();
      }
      d = d.stripTrailingZeros();
      if (d.scale() > 0) {
        throw new ArithmeticException("fraction");
      }
      return d.toBigInteger();
    } catch (NumberFormatException | ArithmeticException e) {
      throw fail("invalid " + name + " \"" + clip(s) + "\": not an integer");
    }
  }

  private static final int MAX_NUMBER_CHARS = 1000;
  private static final BigInteger OUT_OF_RANGE = BigInteger.ONE.shiftLeft(72);

  private long integer(String name, long min, long max) throws IOException, MalformedRequestException {
    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw fail("invalid " + name + " " + clip(p.getText()) + ": out of range");
    }
    long v = p.getLongValue();
    if (v < min || v > max) {
      throw fail("invalid " + name + " " + v + ": out of range");
    }
    return v;
  }

  private double doubleValue(JsonToken t, String name) throws IOException, MalformedRequestException {
    if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
      return p.getDoubleValue();
    }
    if (t == JsonToken.VALUE_STRING) {
      String s = p.getText();
      switch (s) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          try {
            // Java also reads "NaN"-like words and hex floats; protobuf JSON allows only decimal numbers
            if (!s.isEmpty() && (Character.isDigit(s.charAt(s.length() - 1)) || s.endsWith("."))) {
              return Double.parseDouble(s);
            }
          } catch (NumberFormatException e) {
            // fall through to the error below
          }
          throw fail("invalid " + name + " \"" + clip(s) + "\": not a number");
      }
    }
    throw fail("invalid " + name + ": expected a number, got " + describe(t));
  }

  private boolean bool(JsonToken t, String name) throws IOException, MalformedRequestException {
    if (t == JsonToken.VALUE_TRUE) {
      return true;
    }
    if (t == JsonToken.VALUE_FALSE) {
      return false;
    }
    if (t == JsonToken.VALUE_STRING && (p.getText().equals("true") || p.getText().equals("false"))) {
      return p.getText().equals("true");
    }
    throw fail("invalid " + name + ": expected true or false, got " + describe(t));
  }

  private byte[] base64(String s, String name) throws MalformedRequestException {
    try {
      return s.indexOf('-') >= 0 || s.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(s) : Base64.getDecoder()
          .decode(s);
    } catch (IllegalArgumentException e) {
      throw fail("invalid " + name + " \"" + clip(s) + "\": not base64 (" + e.getMessage() + ")");
    }
  }

  // ---------------------------------------------------------------- checks and errors

  private void requireObject(JsonToken t, String name) throws MalformedRequestException {
    if (t != JsonToken.START_OBJECT) {
      throw fail("expected an object for \"" + name + "\", got " + describe(t));
    }
  }

  /** An element of the array {@code name} must be an object. */
  private void requireElement(JsonToken t, String name) throws MalformedRequestException {
    if (t != JsonToken.START_OBJECT) {
      throw fail("expected an object in the array \"" + name + "\", got " + describe(t));
    }
  }

  private void requireArray(JsonToken t, String name) throws MalformedRequestException {
    if (t != JsonToken.START_ARRAY) {
      throw fail("expected an array for \"" + name + "\", got " + describe(t));
    }
  }

  private void requireString(JsonToken t, String name) throws MalformedRequestException {
    if (t != JsonToken.VALUE_STRING) {
      throw fail("expected a string for \"" + name + "\", got " + describe(t));
    }
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "end of input";
    }
    switch (t) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return t.asString() == null ? t.name() : t.asString();
    }
  }

  private static String clip(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }

  private MalformedRequestException fail(String what) {
    return new MalformedRequestException("malformed OTLP/JSON: " + what + where(p.currentTokenLocation()));
  }

  private static String where(JsonLocation at) {
    return " at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }
}
