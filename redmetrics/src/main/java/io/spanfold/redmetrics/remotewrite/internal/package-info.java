/** Internal, unstable: remote-write encoding. Not API. */
package io.spanfold.redmetrics.remotewrite.internal;
