package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.coordinator.it.WriteProbes.Attempt;
import io.pgquorum.testkit.proc.ProcInfo;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * P1 when the primary's <em>daemon</em> stops but its PostgreSQL keeps running: the lease watchdog process stops
 * PostgreSQL at the lease deadline, before any other node can hold the lease and promote.
 * <ol>
 *   <li>SIGSTOP of the primary's daemon JVM: its PostgreSQL stops accepting writes before a new primary accepts
 *       its first write; after SIGCONT the old node rejoins as a replica.
 *   <li>SIGSTOP of the primary daemon's whole process group ({@code kill -STOP -<pgid>}, what Ctrl-Z does in a
 *       terminal): the same, because the watchdog runs in a session of its own and keeps running.
 *   <li>kill -9 of the primary's daemon: the orphaned watchdog stops PostgreSQL within ttl, then exits.
 * </ol>
 * {@link DaemonPauseNoWatchdogIT} is the same pause with the watchdog planted away: it shows two writable
 * primaries, so this test can fail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("serial") // run alone after the parallel pass (coordinator/pom.xml): SIGSTOP against the lease
class DaemonPauseFencingIT {
  static final int TTL = 8;
  LocalCluster cluster;

  @BeforeAll
  void start() throws Exception {
    cluster = new LocalCluster("it-fence", 3, TTL, false);
    cluster.startAll();
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  static NodeSpec awaitPrimary(LocalCluster cluster, Duration within) {
    AtomicReference<NodeSpec> p = new AtomicReference<>();
    await("one primary").atMost(within).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          Optional<NodeSpec> found = cluster.primary();
          found.ifPresent(p::set);
          return found.isPresent();
        });
    return p.get();
  }

  static void awaitReplicas(LocalCluster cluster, int count, Duration within) {
    await(count + " streaming replicas").atMost(within).pollInterval(Duration.ofMillis(500))
        .until(() -> cluster.streamingReplicas().size() == count);
  }

  static void createProbeTable(NodeSpec primary) throws Exception {
    try (Connection c = LocalCluster.connect(primary); Statement s = c.createStatement()) {
      s.execute(WriteProbes.CREATE);
    }
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /** How a test freezes the primary's daemon, and how it lets it go. */
  interface Pause {
    void apply(NodeSpec n, boolean pause) throws Exception;
  }

  @Test
  @Order(1)
  void aPausedPrimaryDaemonIsFencedBeforeTheNewPrimaryTakesWrites() throws Exception {
    pausedPrimaryIsFencedBeforeTheNewPrimaryTakesWrites("SIGSTOP of the daemon", cluster::pauseDaemon, n -> { });
  }

  @Test
  @Order(2)
  void aStoppedProcessGroupOfThePrimaryDaemonIsFencedToo() throws Exception {
    pausedPrimaryIsFencedBeforeTheNewPrimaryTakesWrites("SIGSTOP of the daemon's process group",
        cluster::pauseDaemonGroup, old -> {
          ProcessHandle watchdog = cluster.watchdog(old).orElseThrow();
          // SIGSTOP is delivered asynchronously: a thread running on another CPU shows R until it is stopped.
          await("the daemon is stopped").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
              .until(() -> ProcInfo.stat(old.daemon.pid())[0].equals("T"));
          assertThat(ProcInfo.stat(watchdog.pid())[0]).as("its watchdog is not").isNotEqualTo("T");
          assertThat(ProcInfo.sessionOf(watchdog.pid())).as("the watchdog's session")
              .isEqualTo(watchdog.pid()).isNotEqualTo(ProcInfo.sessionOf(old.daemon.pid()));
        });
  }

  interface WhilePaused {
    void check(NodeSpec old) throws Exception;
  }

  void pausedPrimaryIsFencedBeforeTheNewPrimaryTakesWrites(String what, Pause pause, WhilePaused whilePaused)
      throws Exception {
    NodeSpec old = awaitPrimary(cluster, Duration.ofSeconds(120));
    awaitReplicas(cluster, 2, Duration.ofSeconds(120));
    assertThat(cluster.watchdog(old)).as("the primary's daemon runs a watchdog process").isPresent();
    createProbeTable(old);
    try (WriteProbes probes = new WriteProbes(cluster.nodes)) {
      await("writes on the primary").atMost(Duration.ofSeconds(20)).until(() -> probes.lastOk(old.name).isPresent());
      long pausedAt = System.nanoTime();
      pause.apply(old, true);
      try {
        whilePaused.check(old);
        AtomicReference<Attempt> firstNew = new AtomicReference<>();
        await("a new primary accepts writes").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
            .until(() -> {
              probes.firstOkElsewhere(old.name, pausedAt).ifPresent(firstNew::set);
              return firstNew.get() != null;
            });
        Attempt first = firstNew.get();
        // Keep probing the old node until an attempt that started after the new primary's first write: had it
        // been writable then, that attempt would have committed.
        await("a probe of the old node after the new primary's first write").atMost(Duration.ofSeconds(20))
            .until(() -> probes.on(old.name).stream().anyMatch(a -> a.invokeNanos() > first.completeNanos()));
        probes.close();

        Attempt lastOld = probes.lastOk(old.name).orElseThrow();
        Attempt fencedProbe = probes.firstFailure(old.name, pausedAt).orElseThrow();
        System.out.printf("%s of %s: its PostgreSQL stopped taking writes after %.2f s (last write committed at "
                + "%.2f s); new primary %s took its first write after %.2f s (token %d > %d)%n", what,
            old.name, seconds(fencedProbe.invokeNanos() - pausedAt), seconds(lastOld.completeNanos() - pausedAt),
            first.node(), seconds(first.completeNanos() - pausedAt), first.token(), lastOld.token());
        assertThat(lastOld.completeNanos())
            .as("the old primary's last committed write completed before the new primary's first write began "
                + "(at most one writable primary)" + cluster.diagnostics())
            .isLessThan(first.invokeNanos());
        assertThat(first.token()).isGreaterThan(lastOld.token());
        assertThat(fencedProbe.invokeNanos() - pausedAt)
            .as("the watchdog stopped PostgreSQL within ttl of the pause")
            .isLessThan(Duration.ofSeconds(TTL).toNanos());
        assertThat(cluster.postmasterPid(old)).as("the old primary's PostgreSQL is stopped").isEmpty();
        assertThat(cluster.logs(old)).contains("FENCED: the lease deadline passed without a refresh");
      } finally {
        pause.apply(old, false);
      }
    }
    await(old.name + " rejoins as a streaming replica").atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> LocalCluster.get(old, "/replica?replication_state=streaming").status() == 200);
  }

  @Test
  @Order(3)
  void aKilledPrimaryDaemonLeavesAWatchdogThatStopsPostgresWithinTtl() throws Exception {
    NodeSpec primary = awaitPrimary(cluster, Duration.ofSeconds(60));
    ProcessHandle watchdog = cluster.watchdog(primary).orElseThrow();
    assertThat(cluster.postmasterPid(primary)).isPresent();
    long killedAt = System.nanoTime();
    cluster.killDaemon(primary);
    AtomicReference<Long> stoppedAt = new AtomicReference<>();
    await("PostgreSQL on " + primary.name + " stopped").atMost(Duration.ofSeconds(TTL + 10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> {
          boolean stopped = cluster.postmasterPid(primary).isEmpty();
          if (stopped) {
            stoppedAt.set(System.nanoTime());
          }
          return stopped;
        });
    System.out.printf("kill -9 of %s's daemon: the watchdog stopped PostgreSQL after %.2f s%n", primary.name,
        seconds(stoppedAt.get() - killedAt));
    assertThat(stoppedAt.get() - killedAt).as("stopped within ttl of the kill")
        .isLessThan(Duration.ofSeconds(TTL).toNanos());
    watchdog.onExit().get(10, TimeUnit.SECONDS);
    assertThat(watchdog.isAlive()).as("the orphaned watchdog exits after fencing").isFalse();

    NodeSpec next = awaitPrimary(cluster, Duration.ofSeconds(60));
    assertThat(next.name).isNotEqualTo(primary.name);
    cluster.start(primary);
    await(primary.name + " rejoins as a streaming replica").atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> LocalCluster.get(primary, "/replica?replication_state=streaming").status() == 200);
  }
}
