/**
 * Histogram aggregation that knows nothing of Prometheus: bucket layouts ({@link
 * io.spanfold.redmetrics.histogram.ExplicitBuckets fixed explicit bounds}, {@link
 * io.spanfold.redmetrics.histogram.ExponentialBuckets base-2 exponential} as in Prometheus native histograms),
 * recorders that do not allocate on the hot path, and a reusable {@link
 * io.spanfold.redmetrics.histogram.HistogramSnapshot} of plain arrays that exposition code (simpleclient, remote
 * write, anything else) turns into samples.
 *
 * <p>Values are recorded as {@code long}s in a unit the caller chooses (span metrics record nanoseconds); a layout
 * knows how many recorded units make one exposed unit (1e9 for seconds), so counts and sums stay exact integers
 * and only exposition divides.
 *
 * <p>Two recorders, by concurrency contract:
 *
 * <ul>
 *   <li>{@link io.spanfold.redmetrics.histogram.HistogramRecorder}: single writer, plain fields, the cheapest. The
 *       owner serialises writes and drains (for example one lock per ingest stripe).
 *   <li>{@link io.spanfold.redmetrics.histogram.ConcurrentHistogram}: any number of writers, wait-free, with
 *       consistent snapshots through a writer/reader phaser swap.
 * </ul>
 */
package io.spanfold.redmetrics.histogram;
