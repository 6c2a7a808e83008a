package io.spanfold.core.store.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Internal, unstable. File names of a block directory and what happens to them when a block is disposed. */
public final class BlockFiles {
  private static final System.Logger LOG = System.getLogger("io.spanfold.core.store");

  public static final String WAL = "wal.log";
  public static final String SPANS = "spans.dat";
  public static final String INDEX = "index.cm";
  public static final String BLOOM = "bloom.bin";
  public static final String META = "block.meta";
  public static final String CORRUPT_MARK = ".corrupt-";

  private BlockFiles() {}

  /** Block directories are named by their id, zero padded so that names sort like ids. */
  public static String dirName(long id) {
    return String.format("%016d", id);
  }

  /** The block id of a directory name, or -1 when it is not a live block directory. */
  public static long parseId(String name) {
    if (name.length() != 16) {
      return -1;
    }
    for (int i = 0; i < 16; i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
    }
    return Long.parseLong(name);
  }

  /** The id a quarantined directory had, so new blocks never reuse it; -1 otherwise. */
  public static long parseQuarantinedId(String name) {
    int i = name.indexOf(CORRUPT_MARK);
    return i == 16 ? parseId(name.substring(0, 16)) : -1;
  }

  static void dispose(Block b, Block.Disposal d) {
    b.closeResources();
    try {
      switch (d) {
        case DELETE_DIRECTORY:
          deleteRecursively(b.dir());
          break;
        case DELETE_WAL:
          Files.deleteIfExists(b.dir().resolve(WAL));
          break;
        case QUARANTINE:
          quarantine(b.dir(), "corruption found while reading");
          break;
        default:
          break;
      }
    } catch (IOException e) {
      LOG.log(System.Logger.Level.ERROR, "could not dispose of block " + b.dir() + " (" + d + ")", e);
    }
  }

  /** Renames a block directory aside so the store never opens it again; returns the new path. */
  public static Path quarantine(Path dir, String reason) throws IOException {
    Path target = dir.resolveSibling(dir.getFileName() + CORRUPT_MARK + System.currentTimeMillis());
    Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
    LOG.log(System.Logger.Level.ERROR, "quarantined corrupt block " + dir + " as " + target.getFileName() + ": " + reason);
    return target;
  }

  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Bytes of a completed block's own files (not a span log that is about to be deleted). */
  public static long completedBlockBytes(Path dir) {
    long total = 0;
    for (String f : new String[] {SPANS, INDEX, BLOOM, META, SearchIndexFile.FILE}) {
      try {
        total += Files.size(dir.resolve(f));
      } catch (IOException e) {
        // counted as zero: the block was validated when opened, a vanished file shows up on read
      }
    }
    return total;
  }
}
