package io.spanfold.core.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The span-attribute memo must leave no trace in what the index holds: the same spans indexed with the memo (runs of
 * 1, 4 and 16 attributes) and without it give identical keys, terms (ids, hashes, values, partial flags) and postings
 * (raw, in order, duplicates included), whatever the spans hold: repeated and unique attributes, every value type,
 * values too long to index, attributes interleaved with other fields, malformed KeyValues and truncated spans,
 * interleaved traces.
 */
class HeadSearchIndexMemoTest {
  private static final String[] KEYS = {"http.request.method", "k", "server.address", "url.path", "x", ""};

  @Property(tries = 60)
  void memoChangesNothing(@ForAll long seed) {
    Random r = new Random(seed);
    int spans = 1 + r.nextInt(r.nextBoolean() ? 50 : 3000);
    byte[][] bodies = new byte[spans][];
    for (int s = 0; s < spans; s++) {
      bodies[s] = span(r);
    }
    int[] trace = new int[spans];
    for (int s = 0; s < spans; s++) {
      trace[s] = r.nextInt(4) == 0 && s > 0 ? trace[r.nextInt(s)] : s;
    }
    HeadSearchIndex plain = index(0, bodies, trace, seed);
    for (int run : new int[] {1, HeadSearchIndex.MEMO_RUN, HeadSearchIndex.MAX_MEMO_RUN}) {
      assertSame(plain, index(run, bodies, trace, seed));
    }
  }

  /** Past a key's value bound the key turns partial and its new values are refused: memo or not. */
  @Test
  void cardinalityBoundsAreKeptWithTheMemo() {
    int spans = HeadSearchIndex.MAX_VALUES_PER_KEY + 3000;
    byte[][] bodies = new byte[spans][];
    int[] trace = new int[spans];
    for (int s = 0; s < spans; s++) {
      Bytes b = new Bytes();
      b.kv(9, "common", 1, "x".getBytes(StandardCharsets.UTF_8), 0);
      b.kv(9, "id", 1, ("v" + (s % (HeadSearchIndex.MAX_VALUES_PER_KEY + 1000))).getBytes(StandardCharsets.UTF_8), 0);
      b.kv(9, "n", 3, null, s % 7);
      bodies[s] = b.toByteArray();
      trace[s] = s / 3;
    }
    HeadSearchIndex plain = index(0, bodies, trace, 1);
    HeadSearchIndex memo = index(HeadSearchIndex.MEMO_RUN, bodies, trace, 1);
    assertThat(plain.keyPartial(plain.keyId(SearchTerms.keyHash(SearchTerms.SCOPE_SPAN, "id")))).isTrue();
    assertSame(plain, memo);
  }

  private static HeadSearchIndex index(int run, byte[][] bodies, int[] trace, long seed) {
    HeadTraceIndex traces = new HeadTraceIndex();
    HeadSearchIndex idx = new HeadSearchIndex(traces, run);
    Random r = new Random(seed ^ 0x5EED);
    byte[] res = new Bytes().kv(1, "service.name", 1, "svc".getBytes(StandardCharsets.UTF_8), 0).toByteArray();
    for (int s = 0; s < bodies.length; s++) {
      int t = traces.add(trace[s] + 1, 3, s, 100 + s, 200 + s + r.nextInt(50), trace[s] == s, false);
      int resource = r.nextInt(2);
      if (!idx.hasResource(resource)) {
        idx.indexResource(resource, res, 0, res.length);
      }
      byte[] b = bodies[s];
      idx.addSpan(t, resource, b, 0, b.length, 0, Math.min(b.length, r.nextInt(6)), r.nextInt(3), r.nextInt(6), 100 + s,
          200 + s + r.nextInt(50));
    }
    return idx;
  }

  private static void assertSame(HeadSearchIndex a, HeadSearchIndex b) {
    assertThat(b.keyCount()).isEqualTo(a.keyCount());
    assertThat(b.keysOverflow()).isEqualTo(a.keysOverflow());
    for (int k = 0; k < a.keyCount(); k++) {
      assertThat(b.keyHash(k)).isEqualTo(a.keyHash(k));
      assertThat(b.keyName(k)).isEqualTo(a.keyName(k));
      assertThat(b.keyScope(k)).isEqualTo(a.keyScope(k));
      assertThat(b.keyPartial(k)).as("partial %s", a.keyName(k)).isEqualTo(a.keyPartial(k));
    }
    assertThat(b.termCount()).isEqualTo(a.termCount());
    assertThat(b.entryCount()).isEqualTo(a.entryCount());
    assertThat(b.maxTermEntries()).isEqualTo(a.maxTermEntries());
    for (int term = 0; term < a.termCount(); term++) {
      assertThat(b.termHashOf(term)).isEqualTo(a.termHashOf(term));
      assertThat(b.termKey(term)).isEqualTo(a.termKey(term));
      assertThat(b.termType(term)).isEqualTo(a.termType(term));
      assertThat(b.termBits(term)).isEqualTo(a.termBits(term));
      assertThat(b.termString(term)).isEqualTo(a.termString(term));
      assertThat(b.termEntries(term)).as("entries of term %d", term).isEqualTo(a.termEntries(term));
      int[] pa = new int[a.termEntries(term)];
      int[] pb = new int[b.termEntries(term)];
      int na = a.sortedPostings(term, pa, null);
      int nb = b.sortedPostings(term, pb, null);
      assertThat(Arrays.copyOf(pb, nb)).as("postings of term %d", term).isEqualTo(Arrays.copyOf(pa, na));
    }
    assertThat(b.traceCount()).isEqualTo(a.traceCount());
    for (int t = 0; t < a.traceCount(); t++) {
      assertThat(b.minSpanDuration(t)).isEqualTo(a.minSpanDuration(t));
      assertThat(b.maxSpanDuration(t)).isEqualTo(a.maxSpanDuration(t));
    }
  }

  /** A span's bytes: attributes (mostly from small pools, so runs repeat) among other fields, sometimes damaged. */
  private static byte[] span(Random r) {
    Bytes b = new Bytes();
    b.bytesField(1, new byte[16]);
    b.bytesField(5, ("op" + r.nextInt(3)).getBytes(StandardCharsets.UTF_8));
    b.varintField(6, 2);
    int attrs = r.nextInt(r.nextInt(8) == 0 ? 40 : 14);
    for (int a = 0; a < attrs; a++) {
      int what = r.nextInt(40);
      if (what == 0) {
        b.fixed64Field(7, r.nextLong()); // another field between attributes
      } else if (what == 1) {
        b.varintField(10, r.nextInt(300));
      }
      String key = KEYS[r.nextInt(KEYS.length)];
      int type = r.nextInt(12);
      if (type < 6) {
        String v = r.nextInt(6) == 0 ? "u" + r.nextInt(1_000_000) : "v" + r.nextInt(3);
        byte[] vb = r.nextInt(60) == 0 ? new byte[HeadSearchIndex.MAX_VALUE_BYTES + 1 + r.nextInt(300)]
            : r.nextInt(40) == 0 ? new byte[200 + r.nextInt(200)] : v.getBytes(StandardCharsets.UTF_8);
        b.kv(9, key, 1, vb, 0);
      } else if (type < 8) {
        b.kv(9, key, 3, null, r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(3));
      } else if (type == 8) {
        b.kv(9, key, 4, null, Double.doubleToLongBits(r.nextInt(3) == 0 ? -0.0 : r.nextInt(3) * 0.5));
      } else if (type == 9) {
        b.kv(9, key, 2, null, r.nextInt(2));
      } else if (type == 10) {
        b.kv(9, key, 5, new byte[] {10, 1, 'a'}, 0); // an array: not indexed
      } else {
        b.kv(9, key, 0, null, 0); // no value
      }
      if (r.nextInt(150) == 0) {
        b.malformedKv(9); // framing fine, KeyValue inside broken
      }
    }
    b.bytesField(15, new byte[] {24, (byte) r.nextInt(3)});
    byte[] out = b.toByteArray();
    if (r.nextInt(50) == 0 && out.length > 3) {
      out = Arrays.copyOf(out, out.length - 1 - r.nextInt(3)); // truncated
    }
    if (r.nextInt(80) == 0) {
      out = Arrays.copyOf(out, out.length + 1);
      out[out.length - 1] = (byte) 0x0B; // a group start: unsupported wire type
    }
    return out;
  }

  /** Minimal protobuf writer. */
  private static final class Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void varint(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) (v & 0x7F) | 0x80);
        v >>>= 7;
      }
      out.write((int) v);
    }

    void tag(int field, int wire) {
      varint((long) field << 3 | wire);
    }

    void varintField(int field, long v) {
      tag(field, 0);
      varint(v);
    }

    void fixed64Field(int field, long v) {
      tag(field, 1);
      for (int i = 0; i < 8; i++) {
        out.write((int) (v >>> (8 * i)));
      }
    }

    void bytesField(int field, byte[] b) {
      tag(field, 2);
      varint(b.length);
      out.write(b, 0, b.length);
    }

    /** A KeyValue with AnyValue field {@code anyField} (0: none), bytes {@code v} or varint/fixed64 {@code bits}. */
    Bytes kv(int field, String key, int anyField, byte[] v, long bits) {
      Bytes any = new Bytes();
      if (anyField == 1 || anyField == 5) {
        any.bytesField(anyField, v);
      } else if (anyField == 2 || anyField == 3) {
        any.varintField(anyField, bits);
      } else if (anyField == 4) {
        any.fixed64Field(anyField, bits);
      }
      Bytes kv = new Bytes();
      kv.bytesField(1, key.getBytes(StandardCharsets.UTF_8));
      if (anyField != 0) {
        kv.bytesField(2, any.toByteArray());
      }
      bytesField(field, kv.toByteArray());
      return this;
    }

    void malformedKv(int field) {
      bytesField(field, new byte[] {10, 9, 'a'}); // key length past the KeyValue's end
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }
  }
}
