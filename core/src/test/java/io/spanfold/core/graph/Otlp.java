package io.spanfold.core.graph;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.spanfold.core.model.SpanBatch;
import io.spanfold.core.model.TraceIds;
import io.spanfold.core.wire.MalformedRequestException;
import io.spanfold.core.wire.OtlpProtoDecoder;
import java.util.ArrayList;
import java.util.List;

/** Builds OTLP requests with the generated classes and decodes them with core's decoder, as a receiver would. */
final class Otlp {
  private Otlp() {}

  static final Span.SpanKind SERVER = Span.SpanKind.SPAN_KIND_SERVER;
  static final Span.SpanKind CLIENT = Span.SpanKind.SPAN_KIND_CLIENT;
  static final Span.SpanKind PRODUCER = Span.SpanKind.SPAN_KIND_PRODUCER;
  static final Span.SpanKind CONSUMER = Span.SpanKind.SPAN_KIND_CONSUMER;
  static final Span.SpanKind INTERNAL = Span.SpanKind.SPAN_KIND_INTERNAL;

  static KeyValue str(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  static KeyValue num(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  static ByteString traceId(long hi, long lo) {
    byte[] b = new byte[16];
    TraceIds.writeLong(hi, b, 0);
    TraceIds.writeLong(lo, b, 8);
    return ByteString.copyFrom(b);
  }

  static ByteString spanId(long id) {
    byte[] b = new byte[8];
    TraceIds.writeLong(id, b, 0);
    return ByteString.copyFrom(b);
  }

  /** A span of trace (0, trace); {@code parent == 0} makes it a root. */
  static Span span(long trace, long id, long parent, Span.SpanKind kind, long startNanos, long durationNanos,
      boolean error, KeyValue... attributes) {
    Span.Builder b = Span.newBuilder()
        .setTraceId(traceId(0x1234, trace))
        .setSpanId(spanId(id))
        .setName(kind.name().toLowerCase() + "-" + id)
        .setKind(kind)
        .setStartTimeUnixNano(startNanos)
        .setEndTimeUnixNano(startNanos + durationNanos);
    if (parent != 0) {
      b.setParentSpanId(spanId(parent));
    }
    if (error) {
      b.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
    }
    for (KeyValue kv : attributes) {
      b.addAttributes(kv);
    }
    return b.build();
  }

  /** Spans of one service; {@code service == null} leaves the resource without service.name. */
  static ResourceSpans resource(String service, List<Span> spans, KeyValue... resourceAttributes) {
    Resource.Builder r = Resource.newBuilder();
    if (service != null) {
      r.addAttributes(str("service.name", service));
    }
    for (KeyValue kv : resourceAttributes) {
      r.addAttributes(kv);
    }
    return ResourceSpans.newBuilder()
        .setResource(r)
        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(spans))
        .build();
  }

  static ResourceSpans resource(String service, Span... spans) {
    return resource(service, List.of(spans));
  }

  /** Encodes the resource spans as one export request and decodes it into a fresh batch. */
  static SpanBatch batch(ResourceSpans... resourceSpans) {
    return batch(List.of(resourceSpans));
  }

  static SpanBatch batch(List<ResourceSpans> resourceSpans) {
    byte[] bytes = ExportTraceServiceRequest.newBuilder().addAllResourceSpans(resourceSpans).build().toByteArray();
    SpanBatch b = new SpanBatch();
    try {
      new OtlpProtoDecoder().decode(bytes, 0, bytes.length, b);
    } catch (MalformedRequestException e) {
      throw new AssertionError(e);
    }
    return b;
  }

  /** Copies of what a listener saw. */
  static final class Recorder implements EdgeListener {
    final List<Seen> edges = new ArrayList<>();
    final List<Seen> unpaired = new ArrayList<>();
    final List<Seen> dropped = new ArrayList<>();

    @Override
    public void onEdge(EdgeObservation e) {
      edges.add(Seen.of(e));
    }

    @Override
    public void onUnpaired(EdgeObservation e) {
      unpaired.add(Seen.of(e));
    }

    @Override
    public void onDropped(EdgeObservation e) {
      dropped.add(Seen.of(e));
    }

    long count(String client, String server, ConnectionType type) {
      return edges.stream()
          .filter(s -> s.client.equals(client) && s.server.equals(server) && s.type == type)
          .count();
    }

    long failed(String client, String server, ConnectionType type) {
      return edges.stream()
          .filter(s -> s.client.equals(client) && s.server.equals(server) && s.type == type && s.failed)
          .count();
    }
  }

  static final class Seen {
    final String client;
    final String server;
    final ConnectionType type;
    final VirtualNode virtual;
    final boolean failed;
    final long clientNanos;
    final long serverNanos;
    final long traceLo;
    final int spans;
    final List<String> clientDims = new ArrayList<>();
    final List<String> serverDims = new ArrayList<>();

    private Seen(EdgeObservation e) {
      client = e.client();
      server = e.server();
      type = e.connectionType();
      virtual = e.virtualNode();
      failed = e.failed();
      clientNanos = e.clientLatencyNanos();
      serverNanos = e.serverLatencyNanos();
      traceLo = e.traceIdLow();
      spans = e.spans();
      for (int d = 0; d < e.dimensionCount(); d++) {
        clientDims.add(e.clientDimension(d));
        serverDims.add(e.serverDimension(d));
      }
    }

    static Seen of(EdgeObservation e) {
      return new Seen(e);
    }

    @Override
    public String toString() {
      return client + "->" + server + "/" + type + "/" + virtual + (failed ? "/failed" : "") + " c=" + clientNanos
          + " s=" + serverNanos + " trace=" + traceLo;
    }
  }
}
