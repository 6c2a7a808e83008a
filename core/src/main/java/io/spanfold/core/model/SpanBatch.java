package io.spanfold.core.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A reusable, columnar batch of spans: the unit that flows from a decoder through ingest to every consumer.
 *
 * <p>Every span keeps a slice of {@link #buffer()} holding its original OTLP {@code Span} message bytes, so a stored
 * trace can be returned exactly as it was received. Names and status messages are slices of the same buffer (UTF-8)
 * so that decoding allocates no {@code String} per span; call {@link #name(int)} only on cold paths.
 *
 * <p>Resources and scopes are listed once per batch; each span refers to them by index. A resource or scope slice
 * of length {@code -1} means the field was absent on the wire.
 *
 * <p>Not thread-safe: one decoder fills it, ingest validates it, consumers read it during {@code accept} and must
 * copy what they keep. {@link #clear()} makes it ready for the next request without releasing its arrays.
 */
public final class SpanBatch {
  public static final String DEFAULT_TENANT = "single-tenant";

  private String tenant = DEFAULT_TENANT;
  private byte[] buffer = new byte[0];
  private int bufferLength;

  // ---- per span columns ----
  private int size;
  private long[] traceIdHigh = new long[16];
  private long[] traceIdLow = new long[16];
  private long[] spanId = new long[16];
  private long[] parentSpanId = new long[16];
  private long[] startNanos = new long[16];
  private long[] endNanos = new long[16];
  /** Lengths of the raw id fields, packed: trace (bits 0-15), span (16-23), parent (24-31). */
  private int[] idLengths = new int[16];
  private byte[] kind = new byte[16];
  private byte[] statusCode = new byte[16];
  private int[] spanOffset = new int[16];
  private int[] spanLength = new int[16];
  private int[] nameOffset = new int[16];
  private int[] nameLength = new int[16];
  private int[] statusMessageOffset = new int[16];
  private int[] statusMessageLength = new int[16];
  private int[] resourceIndex = new int[16];
  private int[] scopeIndex = new int[16];

  // ---- resources ----
  private int resourceCount;
  private int[] resourceOffset = new int[4];
  private int[] resourceLength = new int[4];
  private int[] resourceSchemaUrlOffset = new int[4];
  private int[] resourceSchemaUrlLength = new int[4];
  private String[] serviceName = new String[4];

  // ---- scopes ----
  private int scopeCount;
  private int[] scopeOffset = new int[4];
  private int[] scopeLength = new int[4];
  private int[] scopeSchemaUrlOffset = new int[4];
  private int[] scopeSchemaUrlLength = new int[4];

  /** Empties the batch, keeping its arrays; the buffer reference is dropped. */
  public void clear() {
    size = 0;
    resourceCount = 0;
    scopeCount = 0;
    buffer = EMPTY;
    bufferLength = 0;
    tenant = DEFAULT_TENANT;
    Arrays.fill(serviceName, null);
  }

  private static final byte[] EMPTY = new byte[0];

  // ---------------------------------------------------------------- writing (decoders)

  /** Sets the bytes all slices of this batch point into. The batch does not copy them. */
  public void buffer(byte[] bytes, int length) {
    this.buffer = bytes;
    this.bufferLength = length;
  }

  public void tenant(String tenant) {
    this.tenant = tenant;
  }

  /**
   * Adds a resource.
   *
   * @param offset offset of the {@code Resource} message bytes in the buffer, or -1 when absent
   * @param length their length, or -1 when absent
   * @param service the resource's {@code service.name}, or {@code ""} when it has none
   * @return the resource index spans refer to
   */
  public int addResource(int offset, int length, int schemaUrlOffset, int schemaUrlLength, String service) {
    int i = resourceCount;
    if (i == resourceOffset.length) {
      int n = i * 2;
      resourceOffset = Arrays.copyOf(resourceOffset, n);
      resourceLength = Arrays.copyOf(resourceLength, n);
      resourceSchemaUrlOffset = Arrays.copyOf(resourceSchemaUrlOffset, n);
      resourceSchemaUrlLength = Arrays.copyOf(resourceSchemaUrlLength, n);
      serviceName = Arrays.copyOf(serviceName, n);
    }
    resourceOffset[i] = offset;
    resourceLength[i] = length;
    resourceSchemaUrlOffset[i] = schemaUrlOffset;
    resourceSchemaUrlLength[i] = schemaUrlLength;
    serviceName[i] = service == null ? "" : service;
    resourceCount = i + 1;
    return i;
  }

  /** Adds an instrumentation scope; offsets as in {@link #addResource}. */
  public int addScope(int offset, int length, int schemaUrlOffset, int schemaUrlLength) {
    int i = scopeCount;
    if (i == scopeOffset.length) {
      int n = i * 2;
      scopeOffset = Arrays.copyOf(scopeOffset, n);
      scopeLength = Arrays.copyOf(scopeLength, n);
      scopeSchemaUrlOffset = Arrays.copyOf(scopeSchemaUrlOffset, n);
      scopeSchemaUrlLength = Arrays.copyOf(scopeSchemaUrlLength, n);
    }
    scopeOffset[i] = offset;
    scopeLength[i] = length;
    scopeSchemaUrlOffset[i] = schemaUrlOffset;
    scopeSchemaUrlLength[i] = schemaUrlLength;
    scopeCount = i + 1;
    return i;
  }

  /**
   * Appends a span. Ids are given as read from the wire: {@code traceIdLength} etc. are the raw byte lengths so that
   * ingest can reject malformed ids; the long values hold the big-endian bytes (zero when the length is wrong).
   *
   * @return the span's index
   */
  public int addSpan(
      int resource,
      int scope,
      long traceIdHigh,
      long traceIdLow,
      int traceIdLength,
      long spanId,
      int spanIdLength,
      long parentSpanId,
      int parentSpanIdLength,
      int kind,
      int statusCode,
      long startNanos,
      long endNanos,
      int spanOffset,
      int spanLength,
      int nameOffset,
      int nameLength,
      int statusMessageOffset,
      int statusMessageLength) {
    int i = size;
    if (i == this.traceIdHigh.length) {
      grow(i * 2);
    }
    this.resourceIndex[i] = resource;
    this.scopeIndex[i] = scope;
    this.traceIdHigh[i] = traceIdHigh;
    this.traceIdLow[i] = traceIdLow;
    this.spanId[i] = spanId;
    this.parentSpanId[i] = parentSpanId;
    this.idLengths[i] =
        Math.min(traceIdLength, 0xFFFF) | Math.min(spanIdLength, 0xFF) << 16 | Math.min(parentSpanIdLength, 0xFF) << 24;
    this.kind[i] = (byte) clampEnum(kind);
    this.statusCode[i] = (byte) clampEnum(statusCode);
    this.startNanos[i] = startNanos;
    this.endNanos[i] = endNanos;
    this.spanOffset[i] = spanOffset;
    this.spanLength[i] = spanLength;
    this.nameOffset[i] = nameOffset;
    this.nameLength[i] = nameLength;
    this.statusMessageOffset[i] = statusMessageOffset;
    this.statusMessageLength[i] = statusMessageLength;
    size = i + 1;
    return i;
  }

  private static int clampEnum(int v) {
    return v < 0 || v > 127 ? 127 : v;
  }

  private void grow(int n) {
    traceIdHigh = Arrays.copyOf(traceIdHigh, n);
    traceIdLow = Arrays.copyOf(traceIdLow, n);
    spanId = Arrays.copyOf(spanId, n);
    parentSpanId = Arrays.copyOf(parentSpanId, n);
    startNanos = Arrays.copyOf(startNanos, n);
    endNanos = Arrays.copyOf(endNanos, n);
    idLengths = Arrays.copyOf(idLengths, n);
    kind = Arrays.copyOf(kind, n);
    statusCode = Arrays.copyOf(statusCode, n);
    spanOffset = Arrays.copyOf(spanOffset, n);
    spanLength = Arrays.copyOf(spanLength, n);
    nameOffset = Arrays.copyOf(nameOffset, n);
    nameLength = Arrays.copyOf(nameLength, n);
    statusMessageOffset = Arrays.copyOf(statusMessageOffset, n);
    statusMessageLength = Arrays.copyOf(statusMessageLength, n);
    resourceIndex = Arrays.copyOf(resourceIndex, n);
    scopeIndex = Arrays.copyOf(scopeIndex, n);
  }

  /**
   * Keeps only the spans whose {@code keep} flag is set, preserving order. Used by ingest to drop invalid spans
   * before the batch reaches consumers.
   */
  public void retain(boolean[] keep) {
    int w = 0;
    for (int r = 0; r < size; r++) {
      if (!keep[r]) {
        continue;
      }
      if (w != r) {
        traceIdHigh[w] = traceIdHigh[r];
        traceIdLow[w] = traceIdLow[r];
        spanId[w] = spanId[r];
        parentSpanId[w] = parentSpanId[r];
        startNanos[w] = startNanos[r];
        endNanos[w] = endNanos[r];
        idLengths[w] = idLengths[r];
        kind[w] = kind[r];
        statusCode[w] = statusCode[r];
        spanOffset[w] = spanOffset[r];
        spanLength[w] = spanLength[r];
        nameOffset[w] = nameOffset[r];
        nameLength[w] = nameLength[r];
        statusMessageOffset[w] = statusMessageOffset[r];
        statusMessageLength[w] = statusMessageLength[r];
        resourceIndex[w] = resourceIndex[r];
        scopeIndex[w] = scopeIndex[r];
      }
      w++;
    }
    size = w;
  }

  // ---------------------------------------------------------------- reading (ingest, consumers)

  public String tenant() {
    return tenant;
  }

  /** The bytes every offset of this batch refers to. Valid only until the batch is cleared. */
  public byte[] buffer() {
    return buffer;
  }

  public int bufferLength() {
    return bufferLength;
  }

  public int size() {
    return size;
  }

  public long traceIdHigh(int i) {
    return traceIdHigh[i];
  }

  public long traceIdLow(int i) {
    return traceIdLow[i];
  }

  /** Byte length of the trace id as received (valid spans: 16). */
  public int traceIdLength(int i) {
    return idLengths[i] & 0xFFFF;
  }

  public long spanId(int i) {
    return spanId[i];
  }

  /** Byte length of the span id as received (valid spans: 8). */
  public int spanIdLength(int i) {
    return (idLengths[i] >>> 16) & 0xFF;
  }

  /** Parent span id, {@code 0} for a root span. */
  public long parentSpanId(int i) {
    return parentSpanId[i];
  }

  /** Byte length of the parent span id as received (0 for a root, else 8). */
  public int parentSpanIdLength(int i) {
    return (idLengths[i] >>> 24) & 0xFF;
  }

  /** OTLP {@code SpanKind} number (0 unspecified … 5 consumer). */
  public int kind(int i) {
    return kind[i];
  }

  /** OTLP {@code Status.StatusCode} number (0 unset, 1 ok, 2 error). */
  public int statusCode(int i) {
    return statusCode[i];
  }

  public long startNanos(int i) {
    return startNanos[i];
  }

  public long endNanos(int i) {
    return endNanos[i];
  }

  public int spanOffset(int i) {
    return spanOffset[i];
  }

  public int spanLength(int i) {
    return spanLength[i];
  }

  public int nameOffset(int i) {
    return nameOffset[i];
  }

  public int nameLength(int i) {
    return nameLength[i];
  }

  /** The span name as a new {@code String}: allocates, for cold paths. */
  public String name(int i) {
    return new String(buffer, nameOffset[i], nameLength[i], StandardCharsets.UTF_8);
  }

  public int statusMessageOffset(int i) {
    return statusMessageOffset[i];
  }

  public int statusMessageLength(int i) {
    return statusMessageLength[i];
  }

  /** The status message as a new {@code String}: allocates, for cold paths. */
  public String statusMessage(int i) {
    return new String(buffer, statusMessageOffset[i], statusMessageLength[i], StandardCharsets.UTF_8);
  }

  public int resourceIndex(int i) {
    return resourceIndex[i];
  }

  public int scopeIndex(int i) {
    return scopeIndex[i];
  }

  /** {@code service.name} of the span's resource ({@code ""} when absent). */
  public String serviceName(int i) {
    return serviceName[resourceIndex[i]];
  }

  public int resourceCount() {
    return resourceCount;
  }

  public int resourceOffset(int r) {
    return resourceOffset[r];
  }

  public int resourceLength(int r) {
    return resourceLength[r];
  }

  public int resourceSchemaUrlOffset(int r) {
    return resourceSchemaUrlOffset[r];
  }

  public int resourceSchemaUrlLength(int r) {
    return resourceSchemaUrlLength[r];
  }

  public String resourceServiceName(int r) {
    return serviceName[r];
  }

  public int scopeCount() {
    return scopeCount;
  }

  public int scopeOffset(int s) {
    return scopeOffset[s];
  }

  public int scopeLength(int s) {
    return scopeLength[s];
  }

  public int scopeSchemaUrlOffset(int s) {
    return scopeSchemaUrlOffset[s];
  }

  public int scopeSchemaUrlLength(int s) {
    return scopeSchemaUrlLength[s];
  }
}
