/** Prometheus binding of core's ingest self-metrics, with Tempo's distributor metric names. */
package io.spanfold.redmetrics.ingest;
