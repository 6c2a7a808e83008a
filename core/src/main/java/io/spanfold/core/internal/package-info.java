/** Internal, unstable: helpers of {@link io.spanfold.core.Spanfold}. */
package io.spanfold.core.internal;
