package io.spanfold.core.graph.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The open-addressing store against a HashMap + insertion-order list model. */
class EdgeStoreTest {
  record Key(long hi, long lo, long span) {}

  @Property(tries = 300)
  void behavesLikeAMap(@ForAll long seed, @ForAll @IntRange(min = 1, max = 64) int capacity) {
    java.util.Random rnd = new java.util.Random(seed);
    EdgeStore store = new EdgeStore(capacity, 1);
    Map<Key, Integer> model = new HashMap<>();
    List<Key> order = new ArrayList<>();
    for (int op = 0; op < 2000; op++) {
      // a tiny key space forces long probe runs and wrap-around
      Key k = new Key(rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(12));
      int found = store.find(k.hi, k.lo, k.span);
      assertThat(found >= 0).isEqualTo(model.containsKey(k));
      if (found >= 0) {
        assertThat(found).isEqualTo(model.get(k));
        assertThat(store.client(found)).isEqualTo((int) k.span + 1);
        if (rnd.nextBoolean()) {
          store.remove(found);
          model.remove(k);
          order.remove(k);
        }
      } else {
        int e = store.insert(k.hi, k.lo, k.span, op);
        if (model.size() == capacity) {
          assertThat(e).isEqualTo(-1);
        } else {
          assertThat(e).isGreaterThanOrEqualTo(0);
          store.client(e, (int) k.span + 1);
          model.put(k, e);
          order.add(k);
        }
      }
      if (rnd.nextInt(10) == 0 && !order.isEmpty()) {
        int oldest = store.oldest();
        Key first = order.get(0);
        assertThat(oldest).isEqualTo(model.get(first));
        store.remove(oldest);
        model.remove(first);
        order.remove(0);
      }
      assertThat(store.size()).isEqualTo(model.size());
    }
  }

  @Test
  void nameTableInternsBytesAndStringsToOneIdAndStaysBounded() {
    NameTable names = new NameTable(4);
    byte[] buf = "xxfrigatexx".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int a = names.intern(buf, 2, 7);
    assertThat(names.intern("frigate")).isEqualTo(a);
    assertThat(names.name(a)).isEqualTo("frigate");
    assertThat(names.intern("")).isEqualTo(NameTable.EMPTY);
    int b = names.intern("ollama");
    assertThat(b).isNotEqualTo(a);
    assertThat(names.intern("ntfy")).isEqualTo(NameTable.OVERFLOW);
    assertThat(names.overflowed()).isEqualTo(1);
    assertThat(names.intern("ollama")).isEqualTo(b);
  }

  @Test
  void quantileInterpolatesInsideItsBucket() {
    int[] h = new int[EdgeWindows.BUCKETS];
    h[EdgeWindows.bucket(150_000_000L)] = 10;
    double p50 = EdgeWindows.quantile(h, 10, 0.5);
    assertThat(p50).isBetween(0.134217728, 0.268435456);
  }
}
