/**
 * Prometheus remote write (protocol 1.0, {@code prometheus.WriteRequest}, snappy block compression) of whatever
 * simpleclient {@link io.prometheus.client.Collector}s are registered, on a fixed interval, with a bounded queue and
 * retries with exponential backoff.
 */
package io.spanfold.redmetrics.remotewrite;
