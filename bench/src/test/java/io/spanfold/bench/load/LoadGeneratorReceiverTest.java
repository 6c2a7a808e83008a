package io.spanfold.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanfold.core.ingest.SpanConsumer;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.otlp.grpc.OtlpGrpcReceiver;
import io.spanfold.otlp.http.NettyHttpServer;
import io.spanfold.otlp.http.OtlpHttpReceiver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The generator against spanfold's own receivers in-process ({@link NettyHttpServer} + {@link OtlpHttpReceiver},
 * {@link OtlpGrpcReceiver}) feeding a {@link SpanIngest} whose consumer records every accepted span.
 */
@Timeout(20)
class LoadGeneratorReceiverTest {
  private final AtomicLong spans = new AtomicLong();
  private final Set<String> traceIds = ConcurrentHashMap.newKeySet();
  private final PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  private NettyHttpServer http;
  private OtlpGrpcReceiver grpc;

  @BeforeEach
  void start() throws Exception {
    SpanConsumer recorder = (SpanBatch b) -> {
      spans.addAndGet(b.size());
      for (int i = 0; i < b.size(); i++) {
        traceIds.add(b.traceIdHigh(i) + ":" + b.traceIdLow(i));
      }
    };
    SpanIngest ingest = SpanIngest.builder().consumer(recorder).build();
    http = NettyHttpServer.builder().name("otlp-http").host("127.0.0.1").port(0)
        .routes(new OtlpHttpReceiver(ingest).routes()).start();
    grpc = OtlpGrpcReceiver.builder().ingest(ingest).host("127.0.0.1").port(0).start();
  }

  @AfterEach
  void stop() {
    grpc.close();
    http.close();
  }

  private static int distinctTraces(RequestPool pool, int requests) throws Exception {
    Set<String> ids = new java.util.HashSet<>();
    SpanBatch b = new SpanBatch();
    io.spanfold.core.wire.OtlpProtoDecoder d = new io.spanfold.core.wire.OtlpProtoDecoder();
    for (long seq = 0; seq < requests; seq++) {
      byte[] body = pool.body(seq);
      d.decode(body, 0, body.length, b);
      for (int i = 0; i < b.size(); i++) {
        ids.add(b.traceIdHigh(i) + ":" + b.traceIdLow(i));
      }
    }
    return ids.size();
  }

  @Test
  void everySpanSentOverOtlpHttpIsIngested() throws Exception {
    LoadOptions o = LoadOptions.parse("--port=" + http.port(), "--requests=200", "--concurrency=8", "--pool=8",
        "--progress=0", "--id-salt=11", "--seed=1");
    LoadResult r = LoadGenerator.run(o, log);
    assertThat(r.count(Outcome.OK)).isEqualTo(200);
    assertThat(r.acceptedSpans()).isEqualTo(20_000).isEqualTo(spans.get());
    // the receiver saw exactly the traces the generator meant to send: none merged across requests
    assertThat(traceIds).hasSize(distinctTraces(new RequestPool(8, 100, false, 1, 11), 200));
  }

  @Test
  void gzippedJsonOverOtlpHttpIsIngested() throws Exception {
    LoadResult r = LoadGenerator.run(LoadOptions.parse("--port=" + http.port(), "--requests=20", "--pool=4",
        "--encoding=json", "--gzip", "--progress=0"), log);
    assertThat(r.count(Outcome.OK)).isEqualTo(20);
    assertThat(spans.get()).isEqualTo(2000);
  }

  @Test
  void everySpanSentOverOtlpGrpcIsIngested() throws Exception {
    LoadResult r = LoadGenerator.run(LoadOptions.parse("--protocol=grpc", "--port=" + grpc.port(),
        "--requests=200", "--concurrency=8", "--connections=2", "--pool=8", "--progress=0"), log);
    assertThat(r.count(Outcome.OK)).isEqualTo(200);
    assertThat(r.acceptedSpans()).isEqualTo(20_000).isEqualTo(spans.get());
  }

  @Test
  void openLoopAgainstTheReceiverKeepsItsSchedule() throws Exception {
    LoadResult r = LoadGenerator.run(LoadOptions.parse("--port=" + http.port(), "--rate=20000",
        "--duration=2s", "--pool=8", "--progress=0"), log);
    assertThat(r.requests() + r.notSent).isEqualTo(400);
    assertThat(r.acceptedSpans()).isEqualTo(spans.get()).isEqualTo(100 * r.count(Outcome.OK));
    assertThat(r.count(Outcome.OK)).isEqualTo(r.requests());
  }
}
