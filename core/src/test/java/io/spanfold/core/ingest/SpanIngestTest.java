package io.spanfold.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanfold.core.model.SpanBatch;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpanIngestTest {
  private final Map<DiscardReason, Integer> discarded = new EnumMap<>(DiscardReason.class);
  private final List<Long> seen = new ArrayList<>();
  private final SpanIngest ingest =
      SpanIngest.builder()
          .consumer(b -> {
            for (int i = 0; i < b.size(); i++) {
              seen.add(b.spanId(i));
            }
          })
          .metrics(new IngestMetrics() {
            @Override
            public void received(String tenant, int spans, long bytes) {}

            @Override
            public void discarded(String tenant, DiscardReason reason, int spans) {
              discarded.merge(reason, spans, Integer::sum);
            }
          })
          .build();

  private static void add(SpanBatch b, long hi, long lo, int traceLen, long span, int spanLen, int parentLen,
      long start, long end) {
    int r = b.resourceCount() == 0 ? b.addResource(-1, -1, -1, -1, "svc") : 0;
    b.addSpan(r, -1, hi, lo, traceLen, span, spanLen, 0, parentLen, 2, 0, start, end, 0, 0, 0, 0, 0, 0);
  }

  @Test
  void dropsEachKindOfBadSpanAndPassesTheRest() {
    SpanBatch b = new SpanBatch();
    add(b, 1, 2, 16, 10, 8, 0, 5, 6); // ok
    add(b, 0, 0, 16, 11, 8, 0, 5, 6); // all-zero trace id
    add(b, 1, 2, 15, 12, 8, 0, 5, 6); // short trace id
    add(b, 1, 2, 16, 0, 8, 0, 5, 6); // zero span id
    add(b, 1, 2, 16, 14, 4, 0, 5, 6); // short span id
    add(b, 1, 2, 16, 15, 8, 3, 5, 6); // bad parent
    add(b, 1, 2, 16, 16, 8, 0, 7, 6); // end before start
    add(b, 1, 2, 16, 17, 8, 8, 7, 7); // ok, zero duration

    IngestResult r = ingest.ingest(b);

    assertThat(r.accepted()).isEqualTo(2);
    assertThat(r.rejected()).isEqualTo(6);
    assertThat(seen).containsExactly(10L, 17L);
    assertThat(discarded)
        .containsEntry(DiscardReason.INVALID_TRACE_ID, 2)
        .containsEntry(DiscardReason.INVALID_SPAN_ID, 2)
        .containsEntry(DiscardReason.INVALID_PARENT_SPAN_ID, 1)
        .containsEntry(DiscardReason.INVALID_TIMESTAMPS, 1);
    assertThat(r.message()).startsWith("6 of 8 spans rejected:").contains("2 invalid_trace_id").doesNotEndWith(";");
  }

  @Test
  void emptyBatchReachesNoConsumer() {
    IngestResult r = ingest.ingest(new SpanBatch());
    assertThat(r.accepted()).isZero();
    assertThat(seen).isEmpty();
  }
}
