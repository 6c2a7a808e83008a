package io.spanfold.otlp.sdk;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.spanfold.core.Spanfold;
import io.spanfold.core.ingest.IngestResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenTelemetry SDK {@link SpanExporter} that ingests spans into a {@link Spanfold} in the same JVM: no network, no
 * collector. Use it behind the SDK's {@code BatchSpanProcessor}:
 *
 * <pre>{@code
 * SpanfoldSpanExporter exporter = SpanfoldSpanExporter.builder(spanfold).build();
 * SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
 *     .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, "checkout"))))
 *     .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
 *     .build();
 * }</pre>
 *
 * <p><b>Never blocks the SDK's export thread.</b> {@link #export} only hands the batch to a bounded queue and returns a
 * pending {@link CompletableResultCode}; one worker thread ({@code spanfold-sdk-exporter}) converts the spans to OTLP
 * protobuf bytes and ingests them, then completes the code: success when every span was accepted, failure when the
 * store could not write, when spans were rejected as invalid, or when the instance is closed. When the queue is full
 * (the store is slower than the application produces spans) the batch is refused at once with a failed code and its
 * spans are counted in {@link #droppedSpans()}: backpressure drops spans in the application rather than holding its
 * threads or its memory.
 *
 * <p>{@link #shutdown()} stops accepting, lets the worker finish what is queued, and completes when it has; it does not
 * close the {@code Spanfold}, which the application owns.
 */
public final class SpanfoldSpanExporter implements SpanExporter {
  private static final System.Logger LOG = System.getLogger(SpanfoldSpanExporter.class.getName());

  private final Spanfold spanfold;
  private final String tenant;
  private final BlockingQueue<Task> queue;
  private final Thread worker;
  private final AtomicLong exportedSpans = new AtomicLong();
  private final AtomicLong failedSpans = new AtomicLong();
  private final AtomicLong droppedSpans = new AtomicLong();
  private volatile boolean shutdown;

  /** A batch to ingest, or (spans == null) a flush marker completed once everything before it is done. */
  private static final class Task {
    final Collection<SpanData> spans;
    final CompletableResultCode result;

    Task(Collection<SpanData> spans, CompletableResultCode result) {
      this.spans = spans;
      this.result = result;
    }
  }

  private static final Task STOP = new Task(null, null);

  private SpanfoldSpanExporter(Builder b) {
    this.spanfold = b.spanfold;
    this.tenant = b.tenant;
    this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
    this.worker = new Thread(this::run, "spanfold-sdk-exporter");
    worker.setDaemon(true);
    worker.start();
  }

  /** A builder exporting into {@code spanfold}. */
  public static Builder builder(Spanfold spanfold) {
    return new Builder(spanfold);
  }

  /** An exporter with the defaults (queue of 64 batches, default tenant). */
  public static SpanfoldSpanExporter create(Spanfold spanfold) {
    return builder(spanfold).build();
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    if (shutdown) {
      failedSpans.addAndGet(spans.size());
      return CompletableResultCode.ofFailure();
    }
    if (spans.isEmpty()) {
      return CompletableResultCode.ofSuccess();
    }
    CompletableResultCode result = new CompletableResultCode();
    // The SDK may reuse the collection after export returns: keep a copy (SpanData themselves are immutable).
    if (!queue.offer(new Task(new ArrayList<>(spans), result))) {
      droppedSpans.addAndGet(spans.size());
      LOG.log(System.Logger.Level.DEBUG, "export queue full: {0} spans dropped", spans.size());
      return CompletableResultCode.ofFailure();
    }
    return result;
  }

  /** Completes once every batch queued before this call has been ingested (or has failed). */
  @Override
  public CompletableResultCode flush() {
    CompletableResultCode result = new CompletableResultCode();
    if (!worker.isAlive()) {
      return result.succeed();
    }
    // A flush marker must not be lost to a full queue: wait briefly for room, else report the flush as failed.
    try {
      if (!queue.offer(new Task(null, result), 1, TimeUnit.SECONDS)) {
        return result.fail();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return result.fail();
    }
    return result;
  }

  /** Stops accepting batches; completes when the queued ones are ingested. Idempotent. */
  @Override
  public CompletableResultCode shutdown() {
    CompletableResultCode result = flush();
    shutdown = true;
    CompletableResultCode done = new CompletableResultCode();
    result.whenComplete(() -> {
      // Runs on the worker (or here when the flush failed): never block. Without room for STOP, interrupt it.
      if (!queue.offer(STOP)) {
        worker.interrupt();
      }
      done.succeed();
    });
    return done;
  }

  /** Spans ingested and accepted. */
  public long exportedSpans() {
    return exportedSpans.get();
  }

  /** Spans whose ingest failed or was rejected (invalid), or that arrived after shutdown. */
  public long failedSpans() {
    return failedSpans.get();
  }

  /** Spans refused because the queue was full. */
  public long droppedSpans() {
    return droppedSpans.get();
  }

  private void run() {
    while (true) {
      Task t;
      try {
        t = queue.take();
      } catch (InterruptedException e) {
        drainAsFailed();
        return;
      }
      if (t == STOP) {
        drainAsFailed();
        return;
      }
      if (t.spans == null) {
        t.result.succeed();
        continue;
      }
      ingest(t);
    }
  }

  private void ingest(Task t) {
    int n = t.spans.size();
    try {
      byte[] request = SpanDataEncoder.encode(t.spans);
      IngestResult r = spanfold.ingest(tenant, request, 0, request.length);
      exportedSpans.addAndGet(r.accepted());
      if (r.rejected() > 0) {
        failedSpans.addAndGet(r.rejected());
        LOG.log(System.Logger.Level.WARNING, "spanfold rejected spans: {0}", r.message());
        t.result.fail();
      } else {
        t.result.succeed();
      }
    } catch (Exception | Error e) { // a failed export must be reported, whatever failed
      failedSpans.addAndGet(n);
      LOG.log(System.Logger.Level.WARNING, "exporting " + n + " spans into spanfold failed: " + e);
      t.result.failExceptionally(e);
      if (e instanceof Error && !(e instanceof OutOfMemoryError) && !(e instanceof StackOverflowError)) {
        throw (Error) e;
      }
    }
  }

  private void drainAsFailed() {
    List<Task> rest = new ArrayList<>();
    queue.drainTo(rest);
    for (Task t : rest) {
      if (t.result != null) {
        if (t.spans != null) {
          failedSpans.addAndGet(t.spans.size());
          t.result.fail();
        } else {
          t.result.succeed();
        }
      }
    }
  }

  @Override
  public String toString() {
    return "SpanfoldSpanExporter{tenant=" + tenant + ", queued=" + queue.size() + "}";
  }

  /** Settings of a {@link SpanfoldSpanExporter}. */
  public static final class Builder {
    private final Spanfold spanfold;
    private int queueCapacity = 64;
    private String tenant = io.spanfold.core.model.SpanBatch.DEFAULT_TENANT;

    private Builder(Spanfold spanfold) {
      this.spanfold = Objects.requireNonNull(spanfold, "spanfold");
    }

    /** Batches waiting for the worker before further ones are refused (default 64). */
    public Builder queueCapacity(int queueCapacity) {
      if (queueCapacity <= 0) {
        throw new IllegalArgumentException("queueCapacity must be > 0: " + queueCapacity);
      }
      this.queueCapacity = queueCapacity;
      return this;
    }

    /** The tenant the spans are stored under (default {@code single-tenant}). */
    public Builder tenant(String tenant) {
      Objects.requireNonNull(tenant, "tenant");
      if (tenant.isEmpty()) {
        throw new IllegalArgumentException("tenant is empty");
      }
      this.tenant = tenant;
      return this;
    }

    /** Starts the worker thread. */
    public SpanfoldSpanExporter build() {
      return new SpanfoldSpanExporter(this);
    }
  }
}
