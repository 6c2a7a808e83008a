package io.spanfold.core.wire;

/** Field numbers of the OTLP trace protobuf messages, in one place (opentelemetry-proto v1). */
public final class OtlpFields {
  private OtlpFields() {}

  // ExportTraceServiceRequest / TracesData
  public static final int REQUEST_RESOURCE_SPANS = 1;

  // ResourceSpans
  public static final int RESOURCE_SPANS_RESOURCE = 1;
  public static final int RESOURCE_SPANS_SCOPE_SPANS = 2;
  public static final int RESOURCE_SPANS_SCHEMA_URL = 3;

  // Resource
  public static final int RESOURCE_ATTRIBUTES = 1;
  public static final int RESOURCE_DROPPED_ATTRIBUTES_COUNT = 2;

  // ScopeSpans
  public static final int SCOPE_SPANS_SCOPE = 1;
  public static final int SCOPE_SPANS_SPANS = 2;
  public static final int SCOPE_SPANS_SCHEMA_URL = 3;

  // InstrumentationScope
  public static final int SCOPE_NAME = 1;
  public static final int SCOPE_VERSION = 2;
  public static final int SCOPE_ATTRIBUTES = 3;

  // Span
  public static final int SPAN_TRACE_ID = 1;
  public static final int SPAN_SPAN_ID = 2;
  public static final int SPAN_TRACE_STATE = 3;
  public static final int SPAN_PARENT_SPAN_ID = 4;
  public static final int SPAN_NAME = 5;
  public static final int SPAN_KIND = 6;
  public static final int SPAN_START_TIME = 7;
  public static final int SPAN_END_TIME = 8;
  public static final int SPAN_ATTRIBUTES = 9;
  public static final int SPAN_DROPPED_ATTRIBUTES_COUNT = 10;
  public static final int SPAN_EVENTS = 11;
  public static final int SPAN_DROPPED_EVENTS_COUNT = 12;
  public static final int SPAN_LINKS = 13;
  public static final int SPAN_DROPPED_LINKS_COUNT = 14;
  public static final int SPAN_STATUS = 15;
  public static final int SPAN_FLAGS = 16;

  // Status
  public static final int STATUS_MESSAGE = 2;
  public static final int STATUS_CODE = 3;

  // KeyValue
  public static final int KEY_VALUE_KEY = 1;
  public static final int KEY_VALUE_VALUE = 2;

  // AnyValue
  public static final int ANY_STRING = 1;
  public static final int ANY_BOOL = 2;
  public static final int ANY_INT = 3;
  public static final int ANY_DOUBLE = 4;
  public static final int ANY_ARRAY = 5;
  public static final int ANY_KVLIST = 6;
  public static final int ANY_BYTES = 7;

  // wire types
  public static final int WIRE_VARINT = 0;
  public static final int WIRE_FIXED64 = 1;
  public static final int WIRE_LEN = 2;
  public static final int WIRE_FIXED32 = 5;
}
