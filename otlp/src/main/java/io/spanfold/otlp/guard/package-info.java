/**
 * Protection of the receivers and the query port: authentication ({@link io.spanfold.otlp.guard.Authenticator}),
 * tenants ({@link io.spanfold.otlp.guard.Tenants}), ingest admission ({@link io.spanfold.otlp.guard.IngestGuard}:
 * memory budget, rate limit), query admission ({@link io.spanfold.otlp.guard.QueryGuard}) and TLS from PEM files
 * ({@link io.spanfold.otlp.guard.TlsFiles}). Everything is off unless configured.
 */
package io.spanfold.otlp.guard;
