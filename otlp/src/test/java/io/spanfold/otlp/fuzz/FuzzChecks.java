package io.spanfold.otlp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanfold.core.model.SpanBatch;
import java.lang.management.ManagementFactory;

/** Shared assertions of the fuzz targets in this module. */
final class FuzzChecks {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private FuzzChecks() {}

  /** Bytes allocated so far by the current thread (HotSpot TLAB accounting). */
  static long allocatedBytes() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }

  /** Every slice of the batch lies in {@code [0, bufferLength]} and the buffer holds that many bytes. */
  static void assertSlicesInside(SpanBatch b) {
    int to = b.bufferLength();
    assertThat(b.buffer().length).isGreaterThanOrEqualTo(to);
    for (int i = 0; i < b.size(); i++) {
      assertSlice(b.spanOffset(i), b.spanLength(i), to, "span", i);
      assertSlice(b.nameOffset(i), b.nameLength(i), to, "name", i);
      assertSlice(b.statusMessageOffset(i), b.statusMessageLength(i), to, "status message", i);
      assertThat(b.resourceIndex(i)).isBetween(0, b.resourceCount() - 1);
      assertThat(b.scopeIndex(i)).isBetween(0, b.scopeCount() - 1);
      assertThat(b.name(i)).isNotNull();
      assertThat(b.serviceName(i)).isNotNull();
    }
    for (int r = 0; r < b.resourceCount(); r++) {
      if (b.resourceLength(r) != -1) {
        assertSlice(b.resourceOffset(r), b.resourceLength(r), to, "resource", r);
      }
    }
    for (int s = 0; s < b.scopeCount(); s++) {
      if (b.scopeLength(s) != -1) {
        assertSlice(b.scopeOffset(s), b.scopeLength(s), to, "scope", s);
      }
    }
  }

  private static void assertSlice(int off, int len, int to, String what, int index) {
    assertThat(len).as("%s[%d] length", what, index).isGreaterThanOrEqualTo(0);
    assertThat(off).as("%s[%d] offset", what, index).isBetween(0, to);
    assertThat(off + len).as("%s[%d] end", what, index).isBetween(0, to);
  }
}
