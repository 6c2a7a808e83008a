package io.spanfold.core.wire;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated by the current thread (HotSpot's per-thread TLAB accounting), so fuzz targets can assert that
 * what a call allocates stays proportional to its input: a length field read off the wire must never size an
 * allocation.
 */
final class AllocationMeter {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private AllocationMeter() {}

  static long allocatedBytes() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }
}
