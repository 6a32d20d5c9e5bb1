package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.coordinator.it.WriteProbes.Attempt;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The control experiment for {@link DaemonPauseFencingIT}: with the watchdog planted away
 * ({@code PGQUORUM_PLANTED_BUG=no-watchdog}), a SIGSTOP of the primary's daemon leaves its PostgreSQL writable
 * after another node was promoted: two writable primaries. This is what the watchdog prevents, and it shows the
 * probes and assertions there can fail. In the long profile ({@code -Plong}).
 */
@Tag("long")
@Tag("serial") // run alone after the parallel pass (coordinator/pom.xml): SIGSTOP against the lease
class DaemonPauseNoWatchdogIT {
  static final int TTL = 8;

  @Test
  void withoutTheWatchdogAPausedPrimaryStaysWritableNextToTheNewOne() throws Exception {
    try (LocalCluster cluster = new LocalCluster("it-nowd", 3, TTL, false)) {
      cluster.daemonEnv.put("PGQUORUM_PLANTED_BUG", "no-watchdog");
      cluster.daemonEnv.put("PGQUORUM_TEST_HARNESS", "plant-bugs");
      cluster.startAll();
      NodeSpec old = DaemonPauseFencingIT.awaitPrimary(cluster, Duration.ofSeconds(120));
      DaemonPauseFencingIT.awaitReplicas(cluster, 2, Duration.ofSeconds(120));
      assertThat(cluster.watchdog(old)).isEmpty();
      assertThat(cluster.logs(old)).contains("PLANTED BUG no-watchdog is active");
      DaemonPauseFencingIT.createProbeTable(old);
      try (WriteProbes probes = new WriteProbes(cluster.nodes)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> probes.lastOk(old.name).isPresent());
        long pausedAt = System.nanoTime();
        cluster.pauseDaemon(old, true);
        try {
          AtomicReference<Attempt> firstNew = new AtomicReference<>();
          await("a new primary accepts writes").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
              .until(() -> {
                probes.firstOkElsewhere(old.name, pausedAt).ifPresent(firstNew::set);
                return firstNew.get() != null;
              });
          Attempt first = firstNew.get();
          await("the old primary still commits a write that began after the new primary's first write")
              .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
              .until(() -> probes.on(old.name).stream()
                  .anyMatch(a -> a.ok() && a.invokeNanos() > first.completeNanos()));
          Attempt late = probes.on(old.name).stream()
              .filter(a -> a.ok() && a.invokeNanos() > first.completeNanos()).findFirst().orElseThrow();
          System.out.printf("no-watchdog: %s promoted after %.2f s (token %d) while %s still committed writes "
                  + "(token %d): two writable primaries%n", first.node(), (first.completeNanos() - pausedAt) / 1e9,
              first.token(), old.name, late.token());
          assertThat(late.token()).isLessThan(first.token());
        } finally {
          cluster.pauseDaemon(old, false);
        }
      }
    }
  }
}
