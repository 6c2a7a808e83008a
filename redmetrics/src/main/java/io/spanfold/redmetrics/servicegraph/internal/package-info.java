/** Internal, unstable: series bookkeeping of the service-graph metrics. */
package io.spanfold.redmetrics.servicegraph.internal;
