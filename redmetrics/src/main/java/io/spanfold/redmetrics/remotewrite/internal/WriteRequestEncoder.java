package io.spanfold.redmetrics.remotewrite.internal;

import static io.spanfold.redmetrics.remotewrite.RemoteWriteDescriptor.*;

import com.google.protobuf.CodedOutputStream;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.prometheus.client.exemplars.Exemplar;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Internal, unstable. Encodes simpleclient samples as a remote-write {@code WriteRequest}: one {@code TimeSeries} per
 * sample, labels sorted by name, external labels added where the series does not already have the label. Sizes are
 * computed first, then the bytes written into one exact-size array.
 */
public final class WriteRequestEncoder {
  private WriteRequestEncoder() {}

  /** Result of one encoding. */
  public static final class Encoded {
    public final byte[] bytes;
    public final int samples;
    public final int exemplars;

    Encoded(byte[] bytes, int samples, int exemplars) {
      this.bytes = bytes;
      this.samples = samples;
      this.exemplars = exemplars;
    }
  }

  private static final class Series {
    final List<String[]> labels;
    final double value;
    final Exemplar exemplar;
    final long timestamp;
    int labelsSize;
    int exemplarSize;
    int size;

    Series(List<String[]> labels, double value, Exemplar exemplar, long timestamp) {
      this.labels = labels;
      this.value = value;
      this.exemplar = exemplar;
      this.timestamp = timestamp;
    }
  }

  public static Encoded encode(
      List<MetricFamilySamples> families, long timestampMillis, Map<String, String> externalLabels) {
    List<Series> all = new ArrayList<>();
    int exemplars = 0;
    for (MetricFamilySamples f : families) {
      for (Sample s : f.samples) {
        List<String[]> labels = new ArrayList<>(s.labelNames.size() + 1 + externalLabels.size());
        labels.add(new String[] {"__name__", s.name});
        for (int i = 0; i < s.labelNames.size(); i++) {
          if (!s.labelValues.get(i).isEmpty()) { // Prometheus: an empty label value is an absent label
            labels.add(new String[] {s.labelNames.get(i), s.labelValues.get(i)});
          }
        }
        for (Map.Entry<String, String> e : externalLabels.entrySet()) {
          if (!s.labelNames.contains(e.getKey())) {
            labels.add(new String[] {e.getKey(), e.getValue()});
          }
        }
        labels.sort(Comparator.comparing((String[] l) -> l[0]));
        long ts = s.timestampMs != null ? s.timestampMs : timestampMillis;
        all.add(new Series(labels, s.value, s.exemplar, ts));
        if (s.exemplar != null) {
          exemplars++;
        }
      }
    }
    int total = 0;
    for (Series s : all) {
      int size = 0;
      for (String[] l : s.labels) {
        size += tagged(TIMESERIES_LABELS, labelSize(l));
      }
      int sample = sampleSize(s.value, s.timestamp);
      size += tagged(TIMESERIES_SAMPLES, sample);
      if (s.exemplar != null) {
        s.exemplarSize = exemplarSize(s.exemplar, s.timestamp);
        size += tagged(TIMESERIES_EXEMPLARS, s.exemplarSize);
      }
      s.size = size;
      total += tagged(WRITE_REQUEST_TIMESERIES, size);
    }
    byte[] out = new byte[total];
    CodedOutputStream o = CodedOutputStream.newInstance(out);
    try {
      for (Series s : all) {
        o.writeTag(WRITE_REQUEST_TIMESERIES, 2);
        o.writeUInt32NoTag(s.size);
        for (String[] l : s.labels) {
          writeLabel(o, TIMESERIES_LABELS, l);
        }
        o.writeTag(TIMESERIES_SAMPLES, 2);
        o.writeUInt32NoTag(sampleSize(s.value, s.timestamp));
        writeSample(o, s.value, s.timestamp);
        if (s.exemplar != null) {
          o.writeTag(TIMESERIES_EXEMPLARS, 2);
          o.writeUInt32NoTag(s.exemplarSize);
          Exemplar e = s.exemplar;
          for (int i = 0; i < e.getNumberOfLabels(); i++) {
            writeLabel(o, EXEMPLAR_LABELS, new String[] {e.getLabelName(i), e.getLabelValue(i)});
          }
          o.writeDouble(EXEMPLAR_VALUE, e.getValue());
          o.writeInt64(EXEMPLAR_TIMESTAMP, exemplarTimestamp(e, s.timestamp));
        }
      }
      o.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Encoded(out, all.size(), exemplars);
  }

  private static long exemplarTimestamp(Exemplar e, long fallback) {
    return e.getTimestampMs() != null ? e.getTimestampMs() : fallback;
  }

  private static int tagged(int field, int len) {
    return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(len) + len;
  }

  private static int labelSize(String[] l) {
    return CodedOutputStream.computeStringSize(LABEL_NAME, l[0]) + CodedOutputStream.computeStringSize(LABEL_VALUE, l[1]);
  }

  private static int sampleSize(double v, long ts) {
    return CodedOutputStream.computeDoubleSize(SAMPLE_VALUE, v) + CodedOutputStream.computeInt64Size(SAMPLE_TIMESTAMP, ts);
  }

  private static int exemplarSize(Exemplar e, long fallback) {
    int size = 0;
    for (int i = 0; i < e.getNumberOfLabels(); i++) {
      size += tagged(EXEMPLAR_LABELS, labelSize(new String[] {e.getLabelName(i), e.getLabelValue(i)}));
    }
    size += CodedOutputStream.computeDoubleSize(EXEMPLAR_VALUE, e.getValue());
    size += CodedOutputStream.computeInt64Size(EXEMPLAR_TIMESTAMP, exemplarTimestamp(e, fallback));
    return size;
  }

  private static void writeLabel(CodedOutputStream o, int field, String[] l) throws IOException {
    o.writeTag(field, 2);
    o.writeUInt32NoTag(labelSize(l));
    o.writeString(LABEL_NAME, l[0]);
    o.writeString(LABEL_VALUE, l[1]);
  }

  private static void writeSample(CodedOutputStream o, double v, long ts) throws IOException {
    o.writeDouble(SAMPLE_VALUE, v);
    o.writeInt64(SAMPLE_TIMESTAMP, ts);
  }
}
