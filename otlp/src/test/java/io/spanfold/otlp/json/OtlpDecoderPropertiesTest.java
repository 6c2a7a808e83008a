package io.spanfold.otlp.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.core.wire.OtlpProtoDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Property tests of both OTLP decoders against protobuf-java: random requests (built with the generated builders,
 * seeded by jqwik so failures shrink to a seed and replay) must decode to exactly what protobuf-java reads, and
 * mutated input must end in a result or a {@link MalformedRequestException}, never anything else.
 */
class OtlpDecoderPropertiesTest {
  private final OtlpProtoDecoder proto = new OtlpProtoDecoder();
  private final OtlpJsonDecoder json = new OtlpJsonDecoder();
  private final SpanBatch batch = new SpanBatch();

  @Property(tries = 300)
  void protobufDecodeMatchesProtobufJava(@ForAll long seed) throws Exception {
    ExportTraceServiceRequest req = OtlpTestData.request(new Random(seed));
    byte[] bytes = req.toByteArray();
    // decode from the middle of a larger array: slices must be absolute and bounded
    byte[] padded = new byte[bytes.length + 9];
    System.arraycopy(bytes, 0, padded, 5, bytes.length);
    proto.decode(padded, 5, bytes.length, batch);
    OtlpTestData.assertBatchMatches(batch, req);
  }

  @Property(tries = 300)
  void jsonDecodeMatchesProtobufJava(@ForAll long seed) throws Exception {
    Random r = new Random(seed);
    ExportTraceServiceRequest req = OtlpTestData.request(r);
    byte[] text = OtlpTestData.toOtlpJson(req, r).getBytes(StandardCharsets.UTF_8);
    json.decode(text, 0, text.length, batch);
    OtlpTestData.assertBatchMatches(batch, req);
  }

  @Property(tries = 500)
  void mutatedProtobufFailsOnlyWithMalformedRequest(@ForAll long seed) {
    Random r = new Random(seed);
    byte[] bytes = mutate(OtlpTestData.request(r).toByteArray(), r);
    try {
      proto.decode(bytes, 0, bytes.length, batch);
      // whatever was accepted must be readable without failure
      for (int i = 0; i < batch.size(); i++) {
        assertThat(batch.spanOffset(i) + batch.spanLength(i)).isLessThanOrEqualTo(bytes.length);
        assertThat(batch.nameOffset(i) + batch.nameLength(i)).isLessThanOrEqualTo(bytes.length);
        assertThat(batch.statusMessageOffset(i) + batch.statusMessageLength(i)).isLessThanOrEqualTo(bytes.length);
        batch.name(i);
        batch.statusMessage(i);
      }
    } catch (MalformedRequestException expected) {
      assertThat(expected.getMessage()).startsWith("malformed OTLP protobuf: ").contains(" at byte ");
    }
  }

  @Property(tries = 500)
  void mutatedJsonFailsOnlyWithMalformedRequest(@ForAll long seed) {
    Random r = new Random(seed);
    ExportTraceServiceRequest req = OtlpTestData.request(r);
    byte[] text = mutate(OtlpTestData.toOtlpJson(req, r).getBytes(StandardCharsets.UTF_8), r);
    try {
      json.decode(text, 0, text.length, batch);
      for (int i = 0; i < batch.size(); i++) {
        batch.name(i);
      }
    } catch (MalformedRequestException expected) {
      assertThat(expected.getMessage()).startsWith("malformed OTLP/JSON: ");
    }
  }

  private static byte[] mutate(byte[] in, Random r) {
    if (in.length == 0) {
      return in;
    }
    switch (r.nextInt(4)) {
      case 0:
        return Arrays.copyOf(in, r.nextInt(in.length));
      case 1: {
        byte[] out = in.clone();
        for (int k = 1 + r.nextInt(3); k > 0; k--) {
          out[r.nextInt(out.length)] = (byte) r.nextInt();
        }
        return out;
      }
      case 2: {
        byte[] out = in.clone();
        for (int k = 1 + r.nextInt(3); k > 0; k--) {
          int i = r.nextInt(out.length);
          out[i] = (byte) (out[i] ^ 1 << r.nextInt(8));
        }
        return out;
      }
      default: {
        int at = r.nextInt(in.length);
        int n = 1 + r.nextInt(8);
        byte[] out = new byte[in.length + n];
        System.arraycopy(in, 0, out, 0, at);
        for (int i = 0; i < n; i++) {
          out[at + i] = (byte) r.nextInt();
        }
        System.arraycopy(in, at, out, at + n, in.length - at);
        return out;
      }
    }
  }
}
