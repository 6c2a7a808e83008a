/** Internal, unstable: the store's file layouts, head and completed blocks. Not API. */
package io.spanfold.core.store.internal;
