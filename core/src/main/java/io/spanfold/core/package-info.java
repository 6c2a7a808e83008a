/**
 * The library entry point: {@link io.spanfold.core.Spanfold}, built by {@code Spanfold.builder()}, wires the span
 * store, the service graph and the ingest fan-out.
 */
package io.spanfold.core;
