package io.spanfold.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.OtlpProtoDecoder;
import io.spanfold.otlp.json.OtlpJsonDecoder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestPoolTest {
  private static final int SIZE = 4;
  private static final int SPANS = 50;

  /** Trace ids of a decoded batch as "hi:lo" strings, in span order. */
  private static String[] ids(SpanBatch b) {
    String[] ids = new String[b.size()];
    for (int i = 0; i < b.size(); i++) {
      ids[i] = Long.toHexString(b.traceIdHigh(i)) + ":" + Long.toHexString(b.traceIdLow(i));
    }
    return ids;
  }

  @Test
  void traceSpansGivesEveryTraceExactlyThatManySpans() throws Exception {
    OtlpProtoDecoder decoder = new OtlpProtoDecoder();
    SpanBatch batch = new SpanBatch();
    for (int traceSpans : new int[] {1, 10, 50}) {
      RequestPool pool = new RequestPool(4, 100, false, 3, 11, traceSpans);
      for (long seq = 0; seq < 8; seq++) {
        byte[] body = pool.body(seq);
        decoder.decode(body, 0, body.length, batch);
        assertThat(batch.size()).isEqualTo(100);
        Map<String, Long> perTrace = new HashMap<>();
        for (String id : ids(batch)) {
          perTrace.merge(id, 1L, Long::sum);
        }
        assertThat(perTrace).hasSize(100 / traceSpans);
        assertThat(perTrace.values()).containsOnly((long) traceSpans);
      }
    }
  }

  @Test
  void everyRequestGetsTraceIdsNoOtherRequestHasAndKeepsItsTraceStructure() throws Exception {
    RequestPool pool = new RequestPool(SIZE, SPANS, false, 1, 42);
    OtlpProtoDecoder decoder = new OtlpProtoDecoder();
    SpanBatch batch = new SpanBatch();
    Map<String, Long> owner = new HashMap<>();
    int[] tracesPerBase = new int[SIZE];
    for (long seq = 0; seq < 10 * SIZE; seq++) {
      byte[] body = pool.body(seq);
      decoder.decode(body, 0, body.length, batch);
      assertThat(batch.size()).isEqualTo(SPANS);
      String[] ids = ids(batch);
      Set<String> distinct = new HashSet<>();
      for (String id : ids) {
        distinct.add(id);
        Long previous = owner.putIfAbsent(id, seq);
        assertThat(previous == null || previous == seq).as("trace id %s of request %d already sent by %d", id, seq,
            previous).isTrue();
      }
      int base = (int) (seq % SIZE);
      if (seq < SIZE) {
        tracesPerBase[base] = distinct.size();
      } else {
        assertThat(distinct).hasSize(tracesPerBase[base]); // spans of one trace still share one id
      }
      assertThat(Long.toHexString(pool.traceIdHigh(seq)) + ":" + Long.toHexString(pool.traceIdLow(seq)))
          .isEqualTo(ids[0]);
    }
  }

  @Test
  void inPlaceBodiesEqualCopiedOnes() {
    long now = System.currentTimeMillis() * 1_000_000L;
    RequestPool copying = new RequestPool(SIZE, SPANS, false, 5, 7, now);
    RequestPool inPlace = new RequestPool(SIZE, SPANS, false, 5, 7, now);
    for (long seq = 0; seq < 5 * SIZE; seq++) {
      assertThat(inPlace.bodyInPlace(seq)).isEqualTo(copying.body(seq));
      assertThat(inPlace.body(seq + 3)).isEqualTo(copying.body(seq + 3)); // copies stay right after in-place use
    }
    RequestPool json = new RequestPool(SIZE, SPANS, true, 5, 7, now);
    RequestPool jsonCopying = new RequestPool(SIZE, SPANS, true, 5, 7, now);
    for (long seq = 0; seq < 3 * SIZE; seq++) {
      assertThat(json.bodyInPlace(seq)).isEqualTo(jsonCopying.body(seq));
    }
  }

  @Test
  void differentSaltsGiveDifferentIdsAndTheSameSaltTheSame() throws Exception {
    RequestPool a = new RequestPool(SIZE, SPANS, false, 1, 1);
    RequestPool b = new RequestPool(SIZE, SPANS, false, 1, 2);
    RequestPool a2 = new RequestPool(SIZE, SPANS, false, 1, 1);
    assertThat(a.traceIdHigh(5)).isNotEqualTo(b.traceIdHigh(5));
    assertThat(a.traceIdHigh(5)).isEqualTo(a2.traceIdHigh(5));
    assertThat(a.traceIdLow(5)).isEqualTo(b.traceIdLow(5));
  }

  @Test
  void jsonBodiesCarryTheSameIdsAsProtobufOnes() throws Exception {
    RequestPool proto = new RequestPool(SIZE, SPANS, false, 3, 99);
    RequestPool json = new RequestPool(SIZE, SPANS, true, 3, 99);
    assertThat(json.json()).isTrue();
    OtlpProtoDecoder protoDecoder = new OtlpProtoDecoder();
    OtlpJsonDecoder jsonDecoder = new OtlpJsonDecoder();
    SpanBatch p = new SpanBatch();
    SpanBatch j = new SpanBatch();
    for (long seq = 0; seq < 3 * SIZE; seq++) {
      byte[] pb = proto.body(seq);
      byte[] jb = json.body(seq);
      protoDecoder.decode(pb, 0, pb.length, p);
      jsonDecoder.decode(jb, 0, jb.length, j);
      assertThat(ids(j)).containsExactly(ids(p));
    }
  }

  @Test
  void timestampsAreShiftedToNow() throws Exception {
    long before = System.currentTimeMillis() * 1_000_000L;
    RequestPool pool = new RequestPool(1, SPANS, false, 1, 0);
    byte[] body = pool.body(0);
    SpanBatch batch = new SpanBatch();
    new OtlpProtoDecoder().decode(body, 0, body.length, batch);
    long newest = 0;
    long oldest = Long.MAX_VALUE;
    for (int i = 0; i < batch.size(); i++) {
      newest = Math.max(newest, batch.endNanos(i));
      oldest = Math.min(oldest, batch.startNanos(i));
    }
    assertThat(newest).isBetween(before, System.currentTimeMillis() * 1_000_000L);
    assertThat(oldest).isGreaterThan(before - 120_000_000_000L);
  }

  @Test
  void hexHelpersRoundTrip() {
    byte[] b = new byte[16];
    for (long v : new long[] {0, 1, -1, Long.MIN_VALUE, 0x0123456789abcdefL}) {
      RequestPool.writeHex(b, 0, v);
      assertThat(RequestPool.readHex(b, 0)).isEqualTo(v);
      RequestPool.writeLong(b, 3, v);
      assertThat(RequestPool.readLong(b, 3)).isEqualTo(v);
    }
  }
}
