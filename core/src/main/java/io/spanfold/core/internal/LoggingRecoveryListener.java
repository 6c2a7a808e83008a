package io.spanfold.core.internal;

import io.spanfold.core.store.RecoveryListener;
import java.nio.file.Path;

/**
 * Internal, unstable. Logs head-block recovery at INFO ({@code io.spanfold.core.store}): a line per recovered span log
 * and, while a large one replays, its progress (percent of the file and spans/s) each time the store reports it.
 */
public final class LoggingRecoveryListener implements RecoveryListener {
  private static final System.Logger LOG = System.getLogger("io.spanfold.core.store");

  @Override
  public void started(String tenant, Path file, long fileBytes) {
    LOG.log(System.Logger.Level.INFO, "recovering head block {0} (tenant {1}, {2} MiB span log)", file.getParent(),
        tenant, fileBytes >> 20);
  }

  @Override
  public void progress(String tenant, Path file, long bytesRead, long fileBytes, long spans, long elapsedNanos) {
    LOG.log(System.Logger.Level.INFO, "recovering head block {0}: {1}% ({2} spans, {3} spans/s)", file.getParent(),
        fileBytes == 0 ? 100 : bytesRead * 100 / fileBytes, spans, rate(spans, elapsedNanos));
  }

  @Override
  public void finished(String tenant, Path file, long bytes, long spans, long elapsedNanos) {
    LOG.log(System.Logger.Level.INFO, "recovered head block {0}: {1} spans in {2} ms ({3} spans/s)", file.getParent(),
        spans, elapsedNanos / 1_000_000, rate(spans, elapsedNanos));
  }

  private static long rate(long spans, long nanos) {
    return nanos <= 0 ? spans : (long) (spans * 1e9 / nanos);
  }
}
