package io.spanfold.core.store.internal;

import java.io.IOException;

/** Internal, unstable. A block's files fail validation; the block is quarantined. */
public final class CorruptBlockException extends IOException {
  public CorruptBlockException(String message) {
    super(message);
  }

  public CorruptBlockException(String message, Throwable cause) {
    super(message, cause);
  }
}
