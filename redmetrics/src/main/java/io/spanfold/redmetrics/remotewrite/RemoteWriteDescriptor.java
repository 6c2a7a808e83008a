package io.spanfold.redmetrics.remotewrite;

/**
 * Field numbers of Prometheus' remote-write protobuf ({@code prompb/remote.proto}, {@code prompb/types.proto},
 * protocol 1.0), encoded by hand with {@code CodedOutputStream}:
 *
 * <pre>
 * WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }
 * TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3;
 *                repeated Histogram histograms = 4; }
 * Label        { string name = 1; string value = 2; }
 * Sample       { double value = 1; int64 timestamp = 2; }          // timestamp: epoch milliseconds
 * Exemplar     { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
 * </pre>
 *
 * Labels of a series are sorted by name and include {@code __name__}. The HTTP body is the snappy block
 * (not framed) compression of the encoded request.
 */
public final class RemoteWriteDescriptor {
  private RemoteWriteDescriptor() {}

  public static final int WRITE_REQUEST_TIMESERIES = 1;
  public static final int WRITE_REQUEST_METADATA = 3;

  public static final int TIMESERIES_LABELS = 1;
  public static final int TIMESERIES_SAMPLES = 2;
  public static final int TIMESERIES_EXEMPLARS = 3;
  public static final int TIMESERIES_HISTOGRAMS = 4;

  public static final int LABEL_NAME = 1;
  public static final int LABEL_VALUE = 2;

  public static final int SAMPLE_VALUE = 1;
  public static final int SAMPLE_TIMESTAMP = 2;

  public static final int EXEMPLAR_LABELS = 1;
  public static final int EXEMPLAR_VALUE = 2;
  public static final int EXEMPLAR_TIMESTAMP = 3;

  /** HTTP headers of protocol 1.0. */
  public static final String CONTENT_ENCODING = "snappy";

  public static final String CONTENT_TYPE = "application/x-protobuf";
  public static final String VERSION_HEADER = "X-Prometheus-Remote-Write-Version";
  public static final String VERSION = "0.1.0";
}
