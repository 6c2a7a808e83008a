/**
 * Trace search over the span store: requests ({@link io.spanfold.core.search.SearchRequest}), results in the shape
 * Tempo's search API reports them ({@link io.spanfold.core.search.SearchResponse}) and typed tag values for
 * autocomplete ({@link io.spanfold.core.search.TagValue}). Run through {@link io.spanfold.core.store.SpanStore#search}.
 */
package io.spanfold.core.search;
