/**
 * The durable off-heap span store: {@link io.spanfold.core.store.SpanStore} (time-partitioned blocks, write-ahead span
 * log, persisted trace index, retention) and {@link io.spanfold.core.store.TraceLookup}.
 */
package io.spanfold.core.store;
