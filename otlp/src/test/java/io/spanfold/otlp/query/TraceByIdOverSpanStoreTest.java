package io.spanfold.otlp.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.store.SpanStore;
import io.spanfold.core.wire.OtlpProtoDecoder;
import io.spanfold.otlp.http.HttpRequest;
import io.spanfold.otlp.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trace-by-id handler over the real span store: what was ingested comes back byte for byte. */
class TraceByIdOverSpanStoreTest {
  @TempDir Path dir;

  @Test
  void ingestedTraceIsServedFromHeadAndCompletedBlocks() throws Exception {
    TracesData doc = TestTraces.tempoDocExample();
    byte[] request = doc.toByteArray();
    try (SpanStore store = SpanStore.builder().dataDir(dir).build()) {
      SpanBatch batch = new SpanBatch();
      new OtlpProtoDecoder().decode(request, 0, request.length, batch);
      SpanIngest.builder().consumer(store).build().ingest(batch);
      TraceByIdHandler handler = TraceByIdHandler.builder().lookup(store).build();
      HttpRequest get = new HttpRequest("GET", "/api/traces/" + TestTraces.TRACE_ID_HEX, Map.of(),
          Map.of("accept", "application/protobuf"), new byte[0]);
      HttpResponse fromHead = handler.handle(get);
      assertThat(fromHead.status()).isEqualTo(200);
      assertThat(TracesData.parseFrom(fromHead.body())).isEqualTo(doc);
      store.completeHeadBlock();
      HttpResponse fromBlock = handler.handle(get);
      assertThat(fromBlock.body()).isEqualTo(fromHead.body());
      HttpResponse missing = handler.handle(new HttpRequest("GET", "/api/traces/0123456789abcdef0123456789abcdef",
          Map.of(), Map.of(), new byte[0]));
      assertThat(missing.status()).isEqualTo(404);
    }
  }
}
