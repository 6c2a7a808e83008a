/**
 * Embedding spanfold in a JVM service: {@link io.spanfold.examples.embedded.EmbeddedExample} instruments a small JDK
 * HTTP service with the OpenTelemetry SDK and exports its spans in-process into a {@code Spanfold}, which the same
 * port then serves through the Tempo query API.
 */
package io.spanfold.examples.embedded;
