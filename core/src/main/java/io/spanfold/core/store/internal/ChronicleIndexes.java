package io.spanfold.core.store.internal;

import java.io.File;
import java.io.IOException;
import net.openhft.chronicle.map.ChronicleMap;

/** Internal, unstable. Creates and opens the per-block persisted trace index, the one place that touches Chronicle. */
final class ChronicleIndexes {
  static {
    // Belt and braces beside the excluded chronicle-analytics artifact: an embedder never wants a phone-home.
    if (System.getProperty("chronicle.analytics.disable") == null) {
      System.setProperty("chronicle.analytics.disable", "true");
    }
  }

  private ChronicleIndexes() {}

  static ChronicleMap<byte[], byte[]> create(File file, long entries, double averageValueSize) throws IOException {
    return ChronicleMap.of(byte[].class, byte[].class)
        .name("spanfold-trace-index")
        .entries(Math.max(1, entries))
        .constantKeySizeBySample(new byte[16])
        .averageValueSize(Math.max(TraceEntryDescriptor.STRINGS + 1, averageValueSize))
        .createPersistedTo(file);
  }

  /** Opens an existing index; its configuration is read from the file. */
  static ChronicleMap<byte[], byte[]> open(File file, long entries) throws IOException {
    if (!file.isFile() || file.length() == 0) {
      throw new CorruptBlockException("trace index " + file.getName() + " missing or empty");
    }
    return create(file, entries, TraceEntryDescriptor.STRINGS + 16);
  }
}
