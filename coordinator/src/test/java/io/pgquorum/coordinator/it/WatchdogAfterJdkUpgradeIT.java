package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.fence.JdkCopy;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The watchdog can still be started again after a JDK package upgrade replaced the java binary under a running
 * daemon. dpkg writes the new file next to the old one and renames it over the old path, so the running daemon's
 * {@code /proc/self/exe} then names a deleted file ({@code ".../bin/java (deleted)"}), which cannot be executed;
 * the installed path ({@code java.home}) works.
 *
 * <p>The daemon runs from a private copy of the JDK (its {@code bin/java}, {@code lib/} and {@code conf/}), whose
 * {@code bin/java} the test replaces the way dpkg does, then kills the watchdog (-9): a new one must start and
 * become ready (armed: the single node is the primary). Note: the daemon builds the watchdog's command line once,
 * at start, so this passed before the change too; what failed was a command built after the upgrade (a node
 * started later in a long-running JVM), which {@code WatchdogAfterJdkUpgradeTest} shows.
 */
@Tag("serial") // run alone after the parallel pass (coordinator/pom.xml): the watchdog timed against the lease
class WatchdogAfterJdkUpgradeIT {
  @Test
  void aNewWatchdogStartsAfterTheJavaBinaryWasReplaced() throws Exception {
    Path jdk = Files.createTempDirectory("pgquorum-jdk-");
    try {
      JdkCopy.copy(Path.of(System.getProperty("java.home")), jdk);
      try (LocalCluster cluster = new LocalCluster("it-jdk", 1, 8, false)) {
        cluster.daemonEnv.put("JAVA_HOME", jdk.toString());
        cluster.startAll();
        NodeSpec node = cluster.nodes.get(0);
        DaemonPauseFencingIT.awaitPrimary(cluster, Duration.ofSeconds(120));
        await("the watchdog is armed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> watchdogState(node).equals("armed"));
        Path exe = Path.of("/proc", Long.toString(node.daemon.pid()), "exe");
        assertThat(Files.readSymbolicLink(exe)).as("the daemon runs the copy").isEqualTo(jdk.resolve("bin/java"));
        long first = cluster.watchdog(node).orElseThrow().pid();

        Path java = JdkCopy.upgradeJava(jdk); // a new file next to the old one, renamed over it
        assertThat(Files.readSymbolicLink(exe).toString()).as("the daemon's own executable is gone")
            .isEqualTo(java + " (deleted)");

        ProcessHandle.of(first).orElseThrow().destroyForcibly();
        // The watchdog is started through setsid, which then execs java: until that exec its executable is
        // setsid's. Wait for the exec as well as the state (which may still be the first watchdog's "armed").
        await("a new watchdog is running and armed").atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> cluster.watchdog(node).map(h -> h.pid() != first && !executable(h.pid()).endsWith("setsid"))
                .orElse(false) && watchdogState(node).equals("armed"));
        assertThat(cluster.logs(node)).doesNotContain("could not start the watchdog process");
        long second = cluster.watchdog(node).orElseThrow().pid();
        assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(second), "exe")))
            .as("the new watchdog runs the replaced binary").isEqualTo(java);
      }
    } finally {
      try (Stream<Path> walk = Files.walk(jdk)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String executable(long pid) {
    try {
      return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")).toString();
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static String watchdogState(NodeSpec n) {
    LocalCluster.HttpResult r = LocalCluster.get(n, "/patroni");
    return r.status() == 200 ? r.json().path("pgquorum").path("watchdog").asText("") : "";
  }
}
