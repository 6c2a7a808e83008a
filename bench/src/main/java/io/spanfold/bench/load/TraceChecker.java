package io.spanfold.bench.load;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
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

    long checked() {
      return found + empty + notFound + errors;
    }
  }

  private final HttpClient client;
  private final String base;
  private final Duration timeout;

  TraceChecker(String uriHost, int queryPort, Duration timeout) {
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    this.base = "http://" + uriHost + ":" + queryPort + "/api/v2/traces/";
    this.timeout = timeout;
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
    String id = String.format("%016x%016x", hi, lo);
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + id))
        .timeout(timeout)
        .header("Accept", "application/protobuf")
        .GET()
        .build();
    long start = System.nanoTime();
    HttpResponse<byte[]> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      r.errors++;
      r.statuses.merge(e.getClass().getSimpleName(), 1L, Long::sum);
      return;
    }
    r.latencyMicros.recordValue(Math.min(LoadStats.MAX_LATENCY_MICROS, (System.nanoTime() - start) / 1000));
    int status = response.statusCode();
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
