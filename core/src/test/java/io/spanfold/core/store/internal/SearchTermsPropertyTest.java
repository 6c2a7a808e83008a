package io.spanfold.core.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The ingest side hashes keys and values from the span's bytes wherever they sit in the request; the query side
 * hashes the query's Strings. They must agree for every key and value (else a search would miss the term and, with
 * the key fully indexed, exclude every trace holding it).
 */
class SearchTermsPropertyTest {

  @Property(tries = 2000)
  void bytesAtAnyOffsetHashLikeTheirString(@ForAll String key, @ForAll String value,
      @ForAll @IntRange(min = 0, max = 2) byte scope, @ForAll @IntRange(min = 0, max = 17) int before,
      @ForAll @IntRange(min = 0, max = 17) int after, @ForAll long bits) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    // key and value embedded in a larger buffer with junk around them, as in an OTLP request
    byte[] buf = new byte[before + k.length + v.length + after];
    for (int i = 0; i < buf.length; i++) {
      buf[i] = (byte) (i * 31 + 7);
    }
    System.arraycopy(k, 0, buf, before, k.length);
    System.arraycopy(v, 0, buf, before + k.length, v.length);
    long kl = SearchTerms.keyLane(scope, buf, before, k.length);
    assertThat(SearchTerms.keyHash(kl)).isEqualTo(SearchTerms.keyHash(scope, key));
    assertThat(SearchTerms.keyHash(scope, buf, before, k.length)).isEqualTo(SearchTerms.keyHash(scope, key));
    assertThat(SearchTerms.stringTerm(kl, buf, before + k.length, v.length))
        .isEqualTo(SearchTerms.stringTerm(scope, key, value));
    assertThat(SearchTerms.scalarTerm(kl, SearchTerms.TYPE_INT, bits))
        .isEqualTo(SearchTerms.scalarTerm(scope, key, SearchTerms.TYPE_INT, bits));
  }

  @Property(tries = 300)
  void everyByteOfShortInputsCounts(@ForAll @IntRange(min = 1, max = 40) int len, @ForAll long seed) {
    // flipping any single byte (or the length) of an input must change its hash: a hash that skipped a byte
    // would merge terms differing only there, on every block
    java.util.Random r = new java.util.Random(seed);
    byte[] b = new byte[len + 1];
    r.nextBytes(b);
    Set<Long> keys = new HashSet<>();
    Set<Long> values = new HashSet<>();
    long kl = SearchTerms.keyLane(SearchTerms.SCOPE_SPAN, b, 0, len);
    keys.add(SearchTerms.keyHash(SearchTerms.SCOPE_SPAN, b, 0, len));
    keys.add(SearchTerms.keyHash(SearchTerms.SCOPE_SPAN, b, 0, len + 1));
    values.add(SearchTerms.stringTerm(kl, b, 0, len));
    values.add(SearchTerms.stringTerm(kl, b, 0, len + 1));
    for (int i = 0; i < len; i++) {
      byte[] c = b.clone();
      c[i] ^= (byte) (1 + r.nextInt(255));
      keys.add(SearchTerms.keyHash(SearchTerms.SCOPE_SPAN, c, 0, len));
      values.add(SearchTerms.stringTerm(kl, c, 0, len));
    }
    assertThat(keys).hasSize(len + 2);
    assertThat(values).hasSize(len + 2);
  }

  @Property(tries = 200)
  void scopesTypesAndKeysSeparateTerms(@ForAll String key, @ForAll long bits) {
    Set<Long> seen = new HashSet<>();
    for (byte scope = 0; scope <= 2; scope++) {
      seen.add(SearchTerms.keyHash(scope, key));
      for (byte type = SearchTerms.TYPE_INT; type <= SearchTerms.TYPE_BOOL; type++) {
        seen.add(SearchTerms.scalarTerm(scope, key, type, bits));
      }
      seen.add(SearchTerms.stringTerm(scope, key, Long.toString(bits)));
    }
    assertThat(seen).hasSize(3 * 5);
  }
}
