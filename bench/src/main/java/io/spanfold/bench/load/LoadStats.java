package io.spanfold.bench.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters, the latency histogram and a sample of accepted trace ids, fed by completion callbacks on any thread.
 * Latencies are recorded in microseconds into a {@link Recorder} (wait-free for the recording threads); the
 * progress reporter and the final report drain it with {@link #drainInterval()}.
 */
final class LoadStats {
  static final long MAX_LATENCY_MICROS = 3_600_000_000L;

  final LongAdder sent = new LongAdder();
  final LongAdder spansSent = new LongAdder();
  final LongAdder bytesSent = new LongAdder();
  final LongAdder acceptedSpans = new LongAdder();
  final LongAdder rejectedSpans = new LongAdder();
  final LongAdder lateSends = new LongAdder();
  final LongAdder warmupRequests = new LongAdder();
  private final LongAdder[] outcomes = new LongAdder[Outcome.values().length];
  private final Map<String, LongAdder> details = new ConcurrentHashMap<>();
  private final AtomicLong lastCompletionNanos = new AtomicLong();
  private final Recorder recorder = new Recorder(MAX_LATENCY_MICROS, 3);
  private final Histogram total = new Histogram(MAX_LATENCY_MICROS, 3);

  private final Object sampleLock = new Object();
  private final long[] sampleSeqs;
  private long sampleSeen;

  LoadStats(int sampleSize) {
    for (int i = 0; i < outcomes.length; i++) {
      outcomes[i] = new LongAdder();
    }
    sampleSeqs = new long[sampleSize];
  }

  /** A measured request finished at {@code nowNanos}, {@code latencyNanos} after its intended send time. */
  void completed(long seq, Outcome outcome, String detail, int spans, long rejected, long latencyNanos,
      long nowNanos) {
    outcomes[outcome.ordinal()].increment();
    details.computeIfAbsent(detail, k -> new LongAdder()).increment();
    recorder.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(0, latencyNanos / 1000)));
    if (outcome == Outcome.OK) {
      acceptedSpans.add(spans - rejected);
      rejectedSpans.add(rejected);
      sample(seq);
    }
    lastCompletionNanos.accumulateAndGet(nowNanos, Math::max);
  }

  /** An unmeasured (warmup) request finished; only its trace ids may be sampled. */
  void warmupCompleted(long seq, Outcome outcome) {
    warmupRequests.increment();
    if (outcome == Outcome.OK) {
      sample(seq);
    }
  }

  /**
   * One entry of the reservoir, chosen at random: the sequence number of a request accepted so far (a uniform pick
   * among all accepted, since the reservoir is a uniform sample of them), or -1 when none was accepted yet.
   */
  long randomSampledSeq() {
    synchronized (sampleLock) {
      int n = (int) Math.min(sampleSeen, sampleSeqs.length);
      return n == 0 ? -1 : sampleSeqs[ThreadLocalRandom.current().nextInt(n)];
    }
  }

  /** Reservoir sampling (algorithm R) of accepted request sequence numbers. */
  private void sample(long seq) {
    if (sampleSeqs.length == 0) {
      return;
    }
    synchronized (sampleLock) {
      long seen = sampleSeen++;
      if (seen < sampleSeqs.length) {
        sampleSeqs[(int) seen] = seq;
      } else {
        long j = ThreadLocalRandom.current().nextLong(seen + 1);
        if (j < sampleSeqs.length) {
          sampleSeqs[(int) j] = seq;
        }
      }
    }
  }

  long[] sampledSeqs() {
    synchronized (sampleLock) {
      int n = (int) Math.min(sampleSeen, sampleSeqs.length);
      return java.util.Arrays.copyOf(sampleSeqs, n);
    }
  }

  /** Latencies recorded since the previous call; also added to the run's total. Call from one thread at a time. */
  synchronized Histogram drainInterval() {
    Histogram interval = recorder.getIntervalHistogram();
    total.add(interval);
    return interval;
  }

  /** All latencies drained so far. */
  synchronized Histogram total() {
    return total.copy();
  }

  long count(Outcome o) {
    return outcomes[o.ordinal()].sum();
  }

  long completed() {
    long n = 0;
    for (LongAdder a : outcomes) {
      n += a.sum();
    }
    return n;
  }

  Map<String, Long> details() {
    Map<String, Long> m = new TreeMap<>();
    details.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  long lastCompletionNanos() {
    return lastCompletionNanos.get();
  }
}
