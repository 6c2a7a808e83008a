package io.spanfold.core.wire;

/**
 * A request body could not be decoded at all (as opposed to single invalid spans, which ingest drops and counts).
 * The message says what was wrong and where, for an HTTP 400 / gRPC INVALID_ARGUMENT answer.
 */
public final class MalformedRequestException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedRequestException(String message) {
    super(message);
  }

  public MalformedRequestException(String message, Throwable cause) {
    super(message, cause);
  }
}
