/**
 * Tempo-compatible span metrics (RED): {@code traces_spanmetrics_calls_total}, {@code traces_spanmetrics_latency},
 * {@code traces_spanmetrics_size_total}, computed from {@link io.spanfold.core.model.SpanBatch}es by {@link
 * io.spanfold.redmetrics.spanmetrics.SpanMetrics} and exposed through a simpleclient {@link
 * io.prometheus.client.Collector}.
 */
package io.spanfold.redmetrics.spanmetrics;
