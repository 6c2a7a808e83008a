package io.spanfold.core.store;

import static io.spanfold.core.store.StoreFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a store in a child JVM whose user.home, java.io.tmpdir and working directory are empty temp dirs (and without
 * -Dchronicle.analytics.disable, so the store's own defence is what is tested): afterwards only the data dir holds
 * files.
 */
class StoreWritesOnlyItsDataDirTest {
  @TempDir Path root;

  @Test
  void chronicleWritesNothingOutsideTheDataDir() throws Exception {
    Path home = Files.createDirectories(root.resolve("home"));
    Path tmp = Files.createDirectories(root.resolve("tmp"));
    Path cwd = Files.createDirectories(root.resolve("cwd"));
    Path data = root.resolve("data");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-")) {
        cmd.add(a);
      }
    }
    cmd.add("-Duser.home=" + home);
    cmd.add("-Djava.io.tmpdir=" + tmp);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Child.class.getName());
    cmd.add(data.toString());
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
    String out;
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
    out = new String(p.getInputStream().readAllBytes());
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("FOUND 3 COMPLETE");
    assertThat(files(home)).isEmpty();
    assertThat(files(tmp)).isEmpty();
    assertThat(files(cwd)).isEmpty();
    assertThat(files(data)).isNotEmpty();
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).collect(Collectors.toList());
    }
  }

  /** The child JVM's work: append, complete (Chronicle Map written), reopen (read), look up. */
  public static final class Child {
    public static void main(String[] args) throws IOException {
      Path data = Path.of(args[0]);
      try (SpanStore s = SpanStore.builder().dataDir(data).build()) {
        s.accept(decode(SpanStoreTest.mixedRequest(11)));
        s.completeHeadBlock();
      }
      try (SpanStore s = SpanStore.builder().dataDir(data).build()) {
        int found = 0;
        for (int t = 1; t <= 3; t++) {
          if (s.findTrace(11, t, 0, 0) != null) {
            found++;
          }
        }
        System.out.println("FOUND " + found + " " + s.blocks().get(0).state());
      }
    }
  }
}
