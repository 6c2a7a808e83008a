/**
 * Tempo's service-graph metrics over core's {@link io.spanfold.core.graph.ServiceGraphBuilder}: {@link
 * io.spanfold.redmetrics.servicegraph.ServiceGraphMetrics} is the builder's listener and exposes simpleclient
 * collectors.
 */
package io.spanfold.redmetrics.servicegraph;
