/**
 * The service graph: {@link io.spanfold.core.graph.ServiceGraphBuilder} pairs client and server spans into edges
 * (Tempo's {@code service-graphs} processor), hands each edge to an {@link io.spanfold.core.graph.EdgeListener} and
 * keeps a rolling {@link io.spanfold.core.graph.ServiceGraph} snapshot.
 */
package io.spanfold.core.graph;
