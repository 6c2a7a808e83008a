package io.spanfold.core.graph.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.spanfold.core.wire.OtlpFields;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The lean attribute scan against the generated classes as oracle. */
class AttributeScanTest {
  static final String[] KEYS = {"peer.service", "db.name", "db.system", "server.address", "network.peer.port", "x",
      "a.wanted.attribute.key.that.is.longer.than.sixty.four.bytes.so.it.takes.the.long.chain"};
  static final String[] OTHER = {"http.method", "url.full", "peer.servicf", "db.nam", "network.peer.pork",
      "nftwork.peer.port", "server.addresz", "db.systen",
      "a.wanted.attribute.key.that.is.longer.than.sixty.four.bytes.so.it.takes.the.long.chaim",
      "a.wanted.attribute.key.that.is.longer.than.sixtyXfour.bytes.so.it.takes.the.long.chain", "a.very.long.attribute.key.that"
      + ".is.longer.than.sixty.four.bytes.for.the.length.mask"};

  static byte[][] keyBytes() {
    byte[][] k = new byte[KEYS.length][];
    for (int i = 0; i < KEYS.length; i++) {
      k[i] = KEYS[i].getBytes(StandardCharsets.UTF_8);
    }
    return k;
  }

  @Property(tries = 300)
  void findsWhatTheGeneratedClassesSee(@ForAll long seed) {
    Random rnd = new Random(seed);
    Span.Builder span = Span.newBuilder().setName("n").setTraceId(ByteString.copyFrom(new byte[16]))
        .setStartTimeUnixNano(rnd.nextLong()).setKind(Span.SpanKind.SPAN_KIND_CLIENT);
    int n = rnd.nextInt(10);
    for (int i = 0; i < n; i++) {
      String key = rnd.nextBoolean() ? KEYS[rnd.nextInt(KEYS.length)] : OTHER[rnd.nextInt(OTHER.length)];
      AnyValue.Builder v = AnyValue.newBuilder();
      switch (rnd.nextInt(5)) {
        case 0 -> v.setStringValue("v" + rnd.nextInt(1000));
        case 1 -> v.setIntValue(rnd.nextLong() >> rnd.nextInt(64));
        case 2 -> v.setBoolValue(rnd.nextBoolean());
        case 3 -> v.setArrayValue(ArrayValue.newBuilder().addValues(AnyValue.newBuilder().setStringValue("a")));
        default -> { } // empty AnyValue
      }
      span.addAttributes(KeyValue.newBuilder().setKey(key).setValue(v));
    }
    Span s = span.build();
    byte[] bytes = s.toByteArray();
    byte[] padded = new byte[bytes.length + 7];
    System.arraycopy(bytes, 0, padded, 3, bytes.length);

    AttributeScan scan = new AttributeScan(keyBytes());
    NameTable names = new NameTable(10_000);
    scan.scan(padded, 3, bytes.length, OtlpFields.SPAN_ATTRIBUTES);
    for (int k = 0; k < KEYS.length; k++) {
      KeyValue first = null;
      for (KeyValue kv : s.getAttributesList()) {
        if (kv.getKey().equals(KEYS[k])) {
          first = kv;
          break;
        }
      }
      assertThat(scan.found(k)).as(KEYS[k]).isEqualTo(first != null);
      String expected = "";
      if (first != null) {
        AnyValue v = first.getValue();
        switch (v.getValueCase()) {
          case STRING_VALUE -> expected = v.getStringValue();
          case INT_VALUE -> expected = Long.toString(v.getIntValue());
          case BOOL_VALUE -> expected = Boolean.toString(v.getBoolValue());
          default -> expected = "";
        }
      }
      assertThat(names.name(scan.intern(k, names))).as(KEYS[k]).isEqualTo(expected);
    }
  }

  @Test
  void valueBeforeKeyAndTruncatedBytes() {
    // KeyValue with the value field first: 0x12 <len> AnyValue{string "pg"} 0x0a <len> "db.system"
    byte[] any = AnyValue.newBuilder().setStringValue("pg").build().toByteArray();
    byte[] key = "db.system".getBytes(StandardCharsets.UTF_8);
    List<Byte> kv = new ArrayList<>();
    kv.add((byte) 0x12);
    kv.add((byte) any.length);
    for (byte b : any) {
      kv.add(b);
    }
    kv.add((byte) 0x0a);
    kv.add((byte) key.length);
    for (byte b : key) {
      kv.add(b);
    }
    byte[] msg = new byte[kv.size() + 2];
    msg[0] = (byte) (OtlpFields.SPAN_ATTRIBUTES << 3 | 2);
    msg[1] = (byte) kv.size();
    for (int i = 0; i < kv.size(); i++) {
      msg[i + 2] = kv.get(i);
    }
    AttributeScan scan = new AttributeScan(keyBytes());
    NameTable names = new NameTable(100);
    scan.scan(msg, 0, msg.length, OtlpFields.SPAN_ATTRIBUTES);
    assertThat(names.name(scan.intern(2, names))).isEqualTo("pg");
    // cut anywhere: never throws, finds at most what is complete
    for (int cut = 0; cut < msg.length; cut++) {
      scan.scan(msg, 0, cut, OtlpFields.SPAN_ATTRIBUTES);
      assertThat(scan.found(2)).isFalse();
    }
  }
}
