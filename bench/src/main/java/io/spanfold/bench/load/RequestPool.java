package io.spanfold.bench.load;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.spanfold.bench.BenchData;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.core.wire.OtlpProtoDecoder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Pre-generated export requests, each sent many times with different trace ids. {@link #body(long)} copies request
 * {@code seq % size} and rewrites the high 8 bytes of every trace id in the copy (XOR with a mix of {@code seq} and a
 * per-run salt): spans of one trace keep sharing their id, no two requests of a run (nor of two runs with different
 * salts) share a trace id, and the cost is one array copy plus 8 bytes per span. Timestamps are shifted at build time
 * so that the newest span ends now.
 *
 * <p>{@link #body} is thread-safe (it allocates the copy it returns). {@link #bodyInPlace} rewrites the pool's own
 * bytes instead (no copy, for single-threaded benchmarks) and must not run concurrently with anything else.
 */
public final class RequestPool {
  private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final long MIX = 0x9E3779B97F4A7C15L; // odd: multiplying by it is a bijection of the longs
  private static final byte[] JSON_TRACE_ID = "\"traceId\": \"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private final boolean json;
  private final int spans;
  private final long salt;
  private final byte[][] bodies;
  /** Per request: where each span's trace id high half starts (protobuf: 8 raw bytes; JSON: 16 hex digits). */
  private final int[][] idOffsets;
  private final long[] firstTraceHigh;
  private final long[] firstTraceLow;
  /** Per request: the mask its stored bytes currently carry (changed only by {@link #bodyInPlace}). */
  private final long[] currentMask;

  /**
   * @param size distinct requests
   * @param spans spans per request
   * @param json OTLP/JSON bodies instead of protobuf
   * @param seed data seed: request {@code i} is {@code BenchData.request(spans, seed + i)}
   * @param salt XORed into every trace id high half
   */
  public RequestPool(int size, int spans, boolean json, long seed, long salt) {
    this(size, spans, json, seed, salt, 0);
  }

  /** As above, with traces of exactly {@code traceSpans} spans ({@code 0}: BenchData's 1–50 mix). */
  public RequestPool(int size, int spans, boolean json, long seed, long salt, int traceSpans) {
    this(size, spans, json, seed, salt, System.currentTimeMillis() * 1_000_000L, traceSpans);
  }

  /** As above, with the newest span ending at {@code nowNanos} (epoch nanoseconds). */
  RequestPool(int size, int spans, boolean json, long seed, long salt, long nowNanos) {
    this(size, spans, json, seed, salt, nowNanos, 0);
  }

  private RequestPool(int size, int spans, boolean json, long seed, long salt, long nowNanos, int traceSpans) {
    this.json = json;
    this.spans = spans;
    this.salt = salt;
    this.bodies = new byte[size][];
    this.idOffsets = new int[size][];
    this.firstTraceHigh = new long[size];
    this.firstTraceLow = new long[size];
    this.currentMask = new long[size];
    long now = nowNanos;
    OtlpProtoDecoder decoder = new OtlpProtoDecoder();
    SpanBatch batch = new SpanBatch();
    for (int i = 0; i < size; i++) {
      ExportTraceServiceRequest request = shiftToNow(BenchData.request(spans, seed + i, traceSpans), now);
      byte[] proto = request.toByteArray();
      try {
        decoder.decode(proto, 0, proto.length, batch);
      } catch (MalformedRequestException e) {
        throw new IllegalStateException("generated request does not decode", e);
      }
      if (batch.size() != spans) {
        throw new IllegalStateException("expected " + spans + " spans, decoded " + batch.size());
      }
      firstTraceHigh[i] = batch.traceIdHigh(0);
      firstTraceLow[i] = batch.traceIdLow(0);
      if (json) {
        bodies[i] = BenchData.json(request).getBytes(StandardCharsets.UTF_8);
        idOffsets[i] = jsonIdOffsets(bodies[i], batch);
      } else {
        bodies[i] = proto;
        idOffsets[i] = protoIdOffsets(proto, batch);
      }
    }
  }

  public int size() {
    return bodies.length;
  }

  public int spansPerRequest() {
    return spans;
  }

  boolean json() {
    return json;
  }

  /** The mask XORed into the trace id high halves of request {@code seq}; never 0 for two seqs of one base. */
  private long mask(long seq) {
    return (seq / bodies.length + 1) * MIX ^ salt;
  }

  /** A fresh copy of request {@code seq}'s body with its unique trace ids. */
  byte[] body(long seq) {
    int base = (int) (seq % bodies.length);
    byte[] b = bodies[base].clone();
    xor(b, idOffsets[base], mask(seq) ^ currentMask[base]);
    return b;
  }

  /**
   * Request {@code seq}'s body with its unique trace ids, rewritten in the pool's own array (valid until the same
   * slot, {@code seq % size()}, is asked for again); its length is the array's length. Costs 8 bytes of XOR per span.
   * Not thread-safe.
   */
  public byte[] bodyInPlace(long seq) {
    int base = (int) (seq % bodies.length);
    long mask = mask(seq);
    xor(bodies[base], idOffsets[base], mask ^ currentMask[base]);
    currentMask[base] = mask;
    return bodies[base];
  }

  private void xor(byte[] b, int[] offsets, long delta) {
    if (json) {
      for (int o : offsets) {
        writeHex(b, o, readHex(b, o) ^ delta);
      }
    } else {
      for (int o : offsets) {
        LONG_BE.set(b, o, (long) LONG_BE.get(b, o) ^ delta);
      }
    }
  }

  /** High half of the first trace id in request {@code seq}. */
  long traceIdHigh(long seq) {
    return firstTraceHigh[(int) (seq % bodies.length)] ^ mask(seq);
  }

  /** Low half of the first trace id in request {@code seq}. */
  long traceIdLow(long seq) {
    return firstTraceLow[(int) (seq % bodies.length)];
  }

  private static ExportTraceServiceRequest shiftToNow(ExportTraceServiceRequest request, long nowNanos) {
    long newest = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          newest = Math.max(newest, s.getEndTimeUnixNano());
        }
      }
    }
    long delta = nowNanos - newest;
    ExportTraceServiceRequest.Builder b = request.toBuilder();
    for (ResourceSpans.Builder rs : b.getResourceSpansBuilderList()) {
      for (ScopeSpans.Builder ss : rs.getScopeSpansBuilderList()) {
        for (Span.Builder s : ss.getSpansBuilderList()) {
          s.setStartTimeUnixNano(s.getStartTimeUnixNano() + delta).setEndTimeUnixNano(s.getEndTimeUnixNano() + delta);
        }
      }
    }
    return b.build();
  }

  /** protobuf-java writes fields in number order, so a span's message starts with trace_id (field 1, 16 bytes). */
  private static int[] protoIdOffsets(byte[] proto, SpanBatch batch) {
    int[] offsets = new int[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      int o = batch.spanOffset(i);
      if (proto[o] != 0x0A || proto[o + 1] != 16 || readLong(proto, o + 2) != batch.traceIdHigh(i)
          || readLong(proto, o + 10) != batch.traceIdLow(i)) {
        throw new IllegalStateException("span " + i + " does not start with its trace id at offset " + o);
      }
      offsets[i] = o + 2;
    }
    return offsets;
  }

  private static int[] jsonIdOffsets(byte[] body, SpanBatch batch) {
    int[] offsets = new int[batch.size()];
    int n = 0;
    int from = 0;
    while (true) {
      int at = indexOf(body, JSON_TRACE_ID, from);
      if (at < 0) {
        break;
      }
      int o = at + JSON_TRACE_ID.length;
      if (n == offsets.length || readHex(body, o) != batch.traceIdHigh(n) || readHex(body, o + 16) != batch.traceIdLow(n)) {
        throw new IllegalStateException("OTLP/JSON trace id " + n + " does not match the decoded span");
      }
      offsets[n++] = o;
      from = o + 32;
    }
    if (n != offsets.length) {
      throw new IllegalStateException("found " + n + " traceId fields in OTLP/JSON, expected " + offsets.length);
    }
    return offsets;
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static long readLong(byte[] b, int o) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (b[o + i] & 0xFF);
    }
    return v;
  }

  static void writeLong(byte[] b, int o, long v) {
    for (int i = 7; i >= 0; i--) {
      b[o + i] = (byte) v;
      v >>>= 8;
    }
  }

  static long readHex(byte[] b, int o) {
    long v = 0;
    for (int i = 0; i < 16; i++) {
      int c = b[o + i];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F'
          ? c - 'A' + 10 : -1;
      if (d < 0) {
        throw new IllegalStateException("not a hex digit at " + (o + i));
      }
      v = v << 4 | d;
    }
    return v;
  }

  static void writeHex(byte[] b, int o, long v) {
    for (int i = 15; i >= 0; i--) {
      b[o + i] = HEX[(int) (v & 0xF)];
      v >>>= 4;
    }
  }

  @Override
  public String toString() {
    return "RequestPool[" + bodies.length + " x " + spans + " spans, " + (json ? "json" : "protobuf") + ", "
        + Arrays.stream(bodies).mapToLong(b -> b.length).sum() / bodies.length + " B/request]";
  }
}
