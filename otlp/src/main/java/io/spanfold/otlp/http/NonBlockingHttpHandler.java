package io.spanfold.otlp.http;

import java.util.Objects;

/**
 * An {@link HttpHandler} that never waits (no locks held for long, no network, no sleeping) and answers in about the
 * time of a memory lookup, such as trace by id (tens of microseconds in process). {@link NettyHttpServer} runs it on
 * the connection's event loop instead of its worker pool.
 *
 * <p>Why: a worker-pool handler costs two thread hand-offs (event loop → worker → event loop), and each waits until the
 * other thread is scheduled. On the 2-core VM of bench/RESULTS.md those waits, not the lookup, were the tail of
 * trace-by-id latency: milliseconds at p99 both while ingesting and when idle. The price: while such a handler runs,
 * the server's other connections on that event loop wait, so only mark handlers whose work is bounded (trace by id is
 * bounded by its maximum trace size) and keep the query server's event loops apart from ingest.
 */
@FunctionalInterface
public interface NonBlockingHttpHandler extends HttpHandler {
  /** {@code handler}, marked to run on the event loop. */
  static NonBlockingHttpHandler of(HttpHandler handler) {
    Objects.requireNonNull(handler, "handler");
    return handler instanceof NonBlockingHttpHandler ? (NonBlockingHttpHandler) handler : handler::handle;
  }
}
