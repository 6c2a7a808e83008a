/** OTLP/gRPC trace receiver on grpc-java (raw-bytes service, no generated stubs). */
package io.spanfold.otlp.grpc;
