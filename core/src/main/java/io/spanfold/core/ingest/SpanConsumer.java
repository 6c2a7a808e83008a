package io.spanfold.core.ingest;

import io.spanfold.core.model.SpanBatch;

/**
 * Receives every batch of accepted spans from {@link SpanIngest}. The store, span-metrics and the service-graph
 * builder are consumers; an embedder may register its own.
 *
 * <p>{@code accept} is called on the ingesting thread, possibly from several threads at once, and must not keep a
 * reference to the batch: it is reused after the call returns. Throwing fails the whole ingest call (the receiver
 * answers "unavailable" and the client retries), so only the store should throw, and only when it could not make the
 * spans durable.
 */
@FunctionalInterface
public interface SpanConsumer {
  void accept(SpanBatch batch);
}
