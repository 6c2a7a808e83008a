package io.spanfold.core.store.internal;

import java.util.function.IntConsumer;

/**
 * Internal, unstable. The read side of a block's search index, the same for the head block ({@link HeadSearchIndex},
 * read under the append lock) and a completed block ({@link SearchIndexFile}, immutable). Trace ordinals are the
 * block's: the head index's, which completion keeps.
 */
public interface SearchData {
  int traceCount();

  /** True when some keys were never indexed (too many keys): an unknown key then proves nothing. */
  boolean keysOverflow();

  int keyCount();

  /** Key id by {@link SearchTerms#keyHash}, or -1. */
  int keyId(long keyHash);

  byte keyScope(int k);

  String keyName(int k);

  /** True when some values of the key were not indexed: its postings must not exclude traces. */
  boolean keyPartial(int k);

  /** Term id by hash, or -1. */
  int termId(long termHash);

  void forEachTermOfKey(int k, IntConsumer c);

  byte termType(int term);

  long termBits(int term);

  /** The string value of a string term, else null. */
  String termString(int term);

  /** Sets the bit of every trace ordinal holding the term. */
  void postings(int term, long[] bits);

  long start(int t);

  long end(int t);

  long minSpanDuration(int t);

  long maxSpanDuration(int t);
}
