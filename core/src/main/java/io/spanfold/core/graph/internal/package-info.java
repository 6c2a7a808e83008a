/** Internal, unstable: the service graph's edge store, name table and rolling windows. */
package io.spanfold.core.graph.internal;
