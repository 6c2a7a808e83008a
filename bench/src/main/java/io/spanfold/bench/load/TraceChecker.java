package io.spanfold.bench.load;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Looks sent trace ids up with Tempo's {@code GET /api/v2/traces/{id}} ({@code Accept: application/protobuf}), one
 * at a time, and counts a trace as found only when the answer holds at least one span with that trace id (v2 answers
 * 200 with an empty trace for an unknown id).
 */
final class TraceChecker {
  /** What the lookups found. */
  static final class Result {
    long found;
    long empty;
    long notFound;
    long errors;
    long spans;
    final Map<String, Long> statuses = new TreeMap<>();
    final Histogram latencyMicros = new Histogram(LoadStats.MAX_LATENCY_MICROS, 3);
    /** The server's own timing of the same lookups ({@link ServerLatency}), when it could be scraped. */
    ServerLatency.Snapshot server;
    /** Why {@link #server} is missing, or null. */
    String serverUnavailable;

    long checked() {
      return found + empty + notFound + errors;
    }
  }

  /** The route label the server counts these lookups under. */
  static final String ROUTE = "api_v2_traces_traceid";
  private static final String PATH = "/api/v2/traces/";

  private final LookupClient client;

  /** Looks traces up through {@code client} (not closed here). */
  TraceChecker(LookupClient client) {
    this.client = client;
  }

  Result check(long[] traceIdHigh, long[] traceIdLow) throws InterruptedException {
    Result r = new Result();
    for (int i = 0; i < traceIdHigh.length; i++) {
      checkOne(r, traceIdHigh[i], traceIdLow[i]);
    }
    return r;
  }

  /** Looks one trace id up and adds the outcome and latency to {@code r} (callers serialise access to {@code r}). */
  void checkOne(Result r, long hi, long lo) throws InterruptedException {
    String path = PATH + String.format("%016x%016x", hi, lo);
    long start = System.nanoTime();
    LookupClient.Response response;
    try {
      response = client.get(path, "application/protobuf");
    } catch (IOException e) {
      r.errors++;
      r.statuses.merge(e.getClass().getSimpleName(), 1L, Long::sum);
      return;
    }
    r.latencyMicros.recordValue(Math.min(LoadStats.MAX_LATENCY_MICROS, (System.nanoTime() - start) / 1000));
    int status = response.status();
    r.statuses.merge("HTTP " + status, 1L, Long::sum);
    if (status == 404) {
      r.notFound++;
    } else if (status != 200) {
      r.errors++;
    } else {
      int spans;
      try {
        spans = matchingSpans(response.body(), hi, lo);
      } catch (IOException e) {
        r.errors++;
        r.statuses.merge("unparsable TraceByIDResponse", 1L, Long::sum);
        return;
      }
      if (spans > 0) {
        r.found++;
        r.spans += spans;
      } else {
        r.empty++;
      }
    }
  }

  /** Spans of the given trace in a protobuf {@code tempopb.TraceByIDResponse} (field 1: {@code Trace}). */
  static int matchingSpans(byte[] body, long hi, long lo) throws IOException {
    ByteString want = ByteString.copyFrom(ByteBuffer.allocate(16).putLong(hi).putLong(lo).array());
    CodedInputStream in = CodedInputStream.newInstance(body);
    int n = 0;
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      if (tag == (1 << 3 | 2)) {
        // tempopb.Trace is wire-identical to OTLP TracesData (repeated ResourceSpans, field 1)
        TracesData trace = TracesData.parseFrom(in.readBytes());
        for (ResourceSpans rs : trace.getResourceSpansList()) {
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            for (Span s : ss.getSpansList()) {
              if (s.getTraceId().equals(want)) {
                n++;
              }
            }
          }
        }
      } else if (!in.skipField(tag)) {
        break;
      }
    }
    return n;
  }
}
