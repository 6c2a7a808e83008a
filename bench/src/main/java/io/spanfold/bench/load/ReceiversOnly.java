package io.spanfold.bench.load;

import io.spanfold.core.ingest.IngestMetrics;
import io.spanfold.core.ingest.SpanIngest;
import io.spanfold.otlp.grpc.OtlpGrpcReceiver;
import io.spanfold.otlp.guard.IngestGuard;
import io.spanfold.otlp.http.NettyHttpServer;
import io.spanfold.otlp.http.OtlpHttpReceiver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Both OTLP receivers wired as the server jar wires them (a guard that checks nothing but is not
 * {@link IngestGuard#NONE}, the server's default message and body limits) in front of a {@link SpanIngest} with no
 * consumer: requests are decoded and validated, then dropped. Isolates the transports (gRPC vs HTTP) from the store,
 * so {@link LoadGenerator} runs against it compare what each protocol costs on its own.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.spanfold.bench.load.ReceiversOnly [seconds [grpc-io-threads]]}
 * prints {@code spanfold listening: otlp-grpc=127.0.0.1:P otlp-http=127.0.0.1:P http=-} (the line {@code run-e2e.sh}
 * parses) and stops after {@code seconds} (default 300) or on SIGTERM. Binds 127.0.0.1 on free ports only.
 */
public final class ReceiversOnly {
  private ReceiversOnly() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 300;
    int grpcIoThreads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    SpanIngest ingest = SpanIngest.builder().metrics(IngestMetrics.NOOP).build();
    IngestGuard guard = IngestGuard.builder().metrics(IngestMetrics.NOOP).build();
    OtlpHttpReceiver http = new OtlpHttpReceiver(ingest, guard);
    CountDownLatch stop = new CountDownLatch(1);
    try (OtlpGrpcReceiver grpc = OtlpGrpcReceiver.builder().ingest(ingest).host("127.0.0.1").port(0).guard(guard)
            .ioThreads(grpcIoThreads).start();
        NettyHttpServer otlpHttp = NettyHttpServer.builder().name("otlp-http").host("127.0.0.1").port(0)
            .maxBodyBytes(20 * 1024 * 1024).routes(http.routes()).gate(http.gate()).start()) {
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      System.out.println("spanfold listening: otlp-grpc=" + hostPort(grpc.localAddress()) + " otlp-http="
          + hostPort(otlpHttp.localAddress()) + " http=-");
      System.out.flush();
      stop.await(seconds, TimeUnit.SECONDS);
    }
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }
}
