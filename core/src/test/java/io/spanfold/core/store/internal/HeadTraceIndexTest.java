package io.spanfold.core.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeadTraceIndexTest {
  private static void fillOneSpanTraces(HeadTraceIndex index, int traces) {
    for (int t = 0; t < traces; t++) {
      index.add(0x5EED, t, 64 + t * 8, t, t + 1, true, false);
    }
  }

  @Test
  void oneSpanTracesUpToTheCutTakeABoundedHeap() {
    // Just past a power of two: plain doubling would leave almost half of every per-trace array unused.
    int cut = 300_000;
    HeadTraceIndex capped = new HeadTraceIndex(cut);
    fillOneSpanTraces(capped, cut);
    HeadTraceIndex uncapped = new HeadTraceIndex();
    fillOneSpanTraces(uncapped, cut);

    assertThat(capped.traceCount()).isEqualTo(cut);
    assertThat(capped.heapBytes()).isLessThanOrEqualTo((long) cut * HeadTraceIndex.MAX_BYTES_PER_ONE_SPAN_TRACE);
    // the bound is not loose enough to hold without the cap
    assertThat(uncapped.heapBytes()).isGreaterThan((long) cut * HeadTraceIndex.MAX_BYTES_PER_ONE_SPAN_TRACE);
  }

  @Test
  void tracesPastTheCapStillFitAndAreFound() {
    HeadTraceIndex index = new HeadTraceIndex(300);
    fillOneSpanTraces(index, 5_000);
    for (int t = 0; t < 5_000; t++) {
      int o = index.find(0x5EED, t);
      assertThat(o).isEqualTo(t);
      assertThat(index.offsets(o, null)[0]).isEqualTo(64 + t * 8);
    }
    assertThat(index.find(0x5EED, 5_000)).isEqualTo(-1);
  }
}
