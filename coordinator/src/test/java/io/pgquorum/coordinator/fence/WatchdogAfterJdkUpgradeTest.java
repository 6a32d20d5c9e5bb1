package io.pgquorum.coordinator.fence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watchdog can be started in a JVM whose java binary a JDK package upgrade replaced after the JVM started (dpkg
 * renames the new file over the old path, so {@code /proc/self/exe} then reads {@code ".../bin/java (deleted)"}):
 * the child is started from {@code java.home/bin/java}, which names the new binary. The JVM here stands for an
 * application embedding a node that it starts after the upgrade. (A running daemon's restarts of its watchdog reuse
 * the command built at start: {@code WatchdogAfterJdkUpgradeIT}.)
 */
class WatchdogAfterJdkUpgradeTest {
  @TempDir
  Path dir;

  @Test
  void aWatchdogStartsInAJvmWhoseJavaBinaryWasReplaced() throws Exception {
    Path jdk = dir.resolve("jdk");
    JdkCopy.copy(Path.of(System.getProperty("java.home")), jdk);
    Path out = dir.resolve("host.out");
    Process host = new ProcessBuilder(jdk.resolve("bin/java").toString(), "-Xmx64m", "-cp",
        System.getProperty("java.class.path"), WatchdogLateStartMain.class.getName(), "/bin/true",
        dir.resolve("pgdata").toString()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(out).contains("WAITING"));
      Path java = JdkCopy.upgradeJava(jdk);
      assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(host.pid()), "exe")).toString())
          .as("the host's own executable is gone").isEqualTo(java + " (deleted)");
      try (OutputStream in = host.getOutputStream()) {
        in.write("go\n".getBytes(StandardCharsets.US_ASCII));
      }
      assertThat(host.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String text = Files.readString(out);
      assertThat(text).as(text).contains("READY-OK");
    } finally {
      host.destroyForcibly();
    }
  }
}
