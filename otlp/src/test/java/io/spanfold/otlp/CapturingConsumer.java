package io.spanfold.otlp;

import io.spanfold.core.ingest.SpanConsumer;
import io.spanfold.core.model.SpanBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A consumer that copies what tests compare out of each batch (the batch itself is reused after accept). */
public final class CapturingConsumer implements SpanConsumer {
  /** One span as copied from a batch. */
  public record Captured(
      long traceIdHigh,
      long traceIdLow,
      long spanId,
      long parentSpanId,
      String name,
      int kind,
      int statusCode,
      String statusMessage,
      long startNanos,
      long endNanos,
      String service,
      byte[] spanBytes) {}

  private final List<Captured> spans = new ArrayList<>();
  private volatile RuntimeException failWith;

  /** Makes every following accept throw {@code e} (ingest failure), or stop throwing with {@code null}. */
  public void failWith(RuntimeException e) {
    this.failWith = e;
  }

  @Override
  public void accept(SpanBatch b) {
    RuntimeException f = failWith;
    if (f != null) {
      throw f;
    }
    List<Captured> copy = new ArrayList<>(b.size());
    for (int i = 0; i < b.size(); i++) {
      copy.add(new Captured(b.traceIdHigh(i), b.traceIdLow(i), b.spanId(i), b.parentSpanId(i), b.name(i), b.kind(i),
          b.statusCode(i), b.statusMessage(i), b.startNanos(i), b.endNanos(i), b.serviceName(i),
          Arrays.copyOfRange(b.buffer(), b.spanOffset(i), b.spanOffset(i) + b.spanLength(i))));
    }
    synchronized (spans) {
      spans.addAll(copy);
    }
  }

  public List<Captured> spans() {
    synchronized (spans) {
      return new ArrayList<>(spans);
    }
  }

  public void clear() {
    synchronized (spans) {
      spans.clear();
    }
  }
}
