/** Internal, unstable: helpers shared by the receivers. */
package io.spanfold.otlp.internal;
