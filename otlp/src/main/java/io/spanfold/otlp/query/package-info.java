/** Tempo query-port endpoints (status endpoints; trace and search handlers join here). */
package io.spanfold.otlp.query;
