/** Search requests: the legacy tag search ({@code tags=} logfmt) and, in {@code traceql}, TraceQL. */
package io.spanfold.core.query;
