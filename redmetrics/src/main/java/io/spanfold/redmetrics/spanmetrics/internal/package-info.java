/** Internal, unstable: span-metrics series tables and key encoding. Not API. */
package io.spanfold.redmetrics.spanmetrics.internal;
