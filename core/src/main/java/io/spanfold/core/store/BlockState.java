package io.spanfold.core.store;

/** Life cycle of a block of the {@link SpanStore}. */
public enum BlockState {
  /** Takes appends; its span log is the write-ahead log. */
  HEAD,
  /** Cut from the head, no longer written, being compacted and indexed in the background; readable meanwhile. */
  COMPLETING,
  /** Sealed: compacted span file, persisted trace index and bloom filter; immutable. */
  COMPLETE
}
