package io.spanfold.core.store;

import java.nio.file.Path;

/**
 * Told about head-block recovery while a {@link SpanStore} opens: replaying a large span log can take a while, and an
 * operator should see it move. Every method runs on the thread that builds the store and must return quickly.
 *
 * <p>Progress is by bytes of the span log file read so far; the file is pre-allocated ahead of its data (by up to
 * 64 MiB), so the fraction is a slight under-estimate until the end, where {@link #finished} gives the exact figures.
 */
public interface RecoveryListener {
  /** Ignores everything (the store's default). */
  RecoveryListener NOOP = new RecoveryListener() {};

  /** Recovery of the span log {@code file} ({@code fileBytes} long) of a tenant's block begins. */
  default void started(String tenant, Path file, long fileBytes) {}

  /**
   * Called about every {@link SpanStore.Builder#recoveryProgressInterval} while a log is replayed.
   *
   * @param bytesRead bytes of the file replayed so far
   * @param spans spans recovered so far
   * @param elapsedNanos time since {@link #started}
   */
  default void progress(String tenant, Path file, long bytesRead, long fileBytes, long spans, long elapsedNanos) {}

  /** The log is replayed: {@code bytes} of records holding {@code spans} spans, in {@code elapsedNanos}. */
  default void finished(String tenant, Path file, long bytes, long spans, long elapsedNanos) {}
}
