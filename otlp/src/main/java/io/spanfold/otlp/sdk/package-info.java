/**
 * In-process export from the OpenTelemetry Java SDK into an embedded {@link io.spanfold.core.Spanfold}:
 * {@link io.spanfold.otlp.sdk.SpanfoldSpanExporter}. Needs {@code io.opentelemetry:opentelemetry-sdk-trace} on the
 * class path (an optional dependency of this module: the application brings its SDK).
 */
package io.spanfold.otlp.sdk;
