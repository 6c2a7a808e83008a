/**
 * TraceQL (Tempo 2.10 dialect) parsing and evaluation, independent of storage: {@link
 * io.spanfold.core.query.traceql.TraceQL#parse} gives a {@link io.spanfold.core.query.traceql.Query} that evaluates on
 * any {@link io.spanfold.core.query.traceql.TraceView}.
 */
package io.spanfold.core.query.traceql;
