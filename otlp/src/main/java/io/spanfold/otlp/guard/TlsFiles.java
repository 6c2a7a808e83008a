package io.spanfold.otlp.guard;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * Server TLS contexts from PEM files: a certificate chain, its PKCS#8 private key, and optionally a CA whose client
 * certificates are then required (mutual TLS).
 */
public final class TlsFiles {
  private TlsFiles() {}

  /** A context for {@link io.spanfold.otlp.http.NettyHttpServer} (HTTP/1.1). */
  public static SslContext httpServer(Path certFile, Path keyFile, Path clientCaFile) throws IOException {
    return configure(SslContextBuilder.forServer(existing(certFile, "cert"), existing(keyFile, "key")), clientCaFile)
        .build();
  }

  /** A context for the OTLP/gRPC receiver (HTTP/2 with ALPN, as grpc-netty requires). */
  public static SslContext grpcServer(Path certFile, Path keyFile, Path clientCaFile) throws IOException {
    SslContextBuilder b = SslContextBuilder.forServer(existing(certFile, "cert"), existing(keyFile, "key"));
    return GrpcSslContexts.configure(configure(b, clientCaFile)).build();
  }

  private static SslContextBuilder configure(SslContextBuilder b, Path clientCaFile) throws SSLException {
    if (clientCaFile != null) {
      b.trustManager(existing(clientCaFile, "client CA")).clientAuth(ClientAuth.REQUIRE);
    }
    return b;
  }

  private static java.io.File existing(Path p, String what) throws SSLException {
    if (!Files.isReadable(p)) {
      throw new SSLException("TLS " + what + " file not readable: " + p);
    }
    return p.toFile();
  }
}
