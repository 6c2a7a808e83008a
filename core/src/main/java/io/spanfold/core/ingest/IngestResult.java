package io.spanfold.core.ingest;

/**
 * Outcome of one {@link SpanIngest#ingest} call: how many spans went through and, when some did not, a message that
 * says why (suitable for OTLP {@code partial_success.error_message}).
 */
public final class IngestResult {
  static final IngestResult EMPTY = new IngestResult(0, 0, "");

  private final int accepted;
  private final int rejected;
  private final String message;

  IngestResult(int accepted, int rejected, String message) {
    this.accepted = accepted;
    this.rejected = rejected;
    this.message = message;
  }

  public int accepted() {
    return accepted;
  }

  public int rejected() {
    return rejected;
  }

  /** Empty when nothing was rejected. */
  public String message() {
    return message;
  }

  @Override
  public String toString() {
    return "IngestResult{accepted=" + accepted + ", rejected=" + rejected + ", message='" + message + "'}";
  }
}
