package io.pgquorum.coordinator.it;

import static io.pgquorum.coordinator.it.LocalCluster.count;
import static io.pgquorum.coordinator.it.LocalCluster.execute;
import static io.pgquorum.coordinator.it.LocalCluster.tryExecute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * An asynchronous replica ahead of the replica that gets promoted: the primary dies while one replica is behind
 * (its PostgreSQL was down) and the other has the latest WAL but may not fail over (nofailover), so the one
 * behind takes over and its timeline 2 forks off timeline 1 before the other's replay position. PostgreSQL on the
 * one ahead then refuses timeline 2 for ever ("forked off current database system timeline 1 before current
 * recovery point") and replays nothing; its pg_wal holds timeline 2's history file all the same, so a probe
 * trusting history files took it for a healthy timeline 2 replica ahead of its leader (which could then win the
 * next race and lose timeline 2's writes). Now the probe reads the replayed timeline from the startup process, the
 * Decider stops the diverged replica and the Rejoin rewinds it: it must end up streaming the new primary's writes.
 * Before: it never received them.
 *
 * <p>Since the catch-up before promotion (CatchUpBeforePromotionIT), the one behind first fetches the other's WAL
 * and no fork arises; the divergence this test is about still does when the catch-up is off ({@code
 * primary_start_timeout: 0}, set here) or cannot finish within its bound (the peer cannot stream to it).
 */
@EnabledOnOs(OS.LINUX)
class DivergedReplicaIT {
  private LocalCluster cluster;

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aReplicaAheadOfThePromotedOneIsRewoundAndFollowsTheNewTimeline() throws Exception {
    cluster = new LocalCluster("it-diverged", 3, 8, false);
    NodeSpec primary;
    NodeSpec behind;
    NodeSpec ahead;
    try {
      cluster.startAll();
      await("a primary and two streaming replicas").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.primary().isPresent() && cluster.streamingReplicas().size() == 2);
      primary = cluster.primary().orElseThrow();
      // No catch-up before promotion (its bound is min(ttl, primary_start_timeout)): the fork must happen.
      LocalCluster.HttpResult off = LocalCluster.patch(primary, "/config", "{\"primary_start_timeout\": 0}");
      assertThat(off.status()).as("PATCH /config: %s", off.body()).isEqualTo(200);
      List<NodeSpec> replicas = cluster.streamingReplicas();
      behind = replicas.get(0);
      ahead = replicas.get(1);
      // "ahead" may not take over (nofailover), so that the race picks the replica behind it; its Raft member must
      // keep running (the DCS needs a majority), so the tag it is, set by a restart of its daemon.
      assertThat(cluster.terminateDaemon(ahead, Duration.ofSeconds(60))).as("SIGTERM of " + ahead.name).isTrue();
      Files.writeString(ahead.config(), "tags:\n  nofailover: true\n", StandardOpenOption.APPEND);
      cluster.start(ahead);
      await("two streaming replicas again").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.streamingReplicas().size() == 2);

      // "behind" falls behind: its daemon paused (so that it does not start PostgreSQL again), PostgreSQL stopped.
      cluster.pauseDaemon(behind, true);
      Process stop = new ProcessBuilder(LocalCluster.PG_CTL, "stop", "-m", "fast", "-w", "-D",
          behind.dataDir().toString()).redirectErrorStream(true).start();
      assertThat(stop.waitFor(60, TimeUnit.SECONDS) && stop.exitValue() == 0).as("pg_ctl stop").isTrue();
      // Writes "ahead" receives and "behind" never does (well within maximum_lag_on_failover).
      execute(primary, "CREATE TABLE diverged (i int)", "INSERT INTO diverged SELECT generate_series(1, 2000)");
      NodeSpec a = ahead;
      await("the writes replayed on " + ahead.name).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> count(a, "SELECT count(*) FROM diverged").orElse(0L) == 2000L);

      // The primary dies; "behind" comes back and, the only candidate, takes over on timeline 2.
      cluster.killDaemon(primary);
      cluster.killPostmaster(primary);
      cluster.pauseDaemon(behind, false);
      NodeSpec b = behind;
      await(behind.name + " primary").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.primary().filter(p -> p == b).isPresent());
      await("a write on " + behind.name).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
          .until(() -> tryExecute(b, "CREATE TABLE after_failover (i int)", "INSERT INTO after_failover VALUES (1)"));

      // "ahead" follows the new leader and must end up streaming its timeline.
      await(ahead.name + " streams timeline 2 from " + behind.name).atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> count(a, "SELECT count(*) FROM after_failover").orElse(0L) == 1L);
    } catch (AssertionError | org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
    }
    assertThat(cluster.logs(behind)).as("%s promoted without a catch-up (turned off)", behind.name)
        .doesNotContain("catching up from");
    assertThat(cluster.logs(ahead)).as("%s was stopped for its divergence, not by chance", ahead.name)
        .contains("it must be rewound before it can follow the leader (" + behind.name + ")");
    // Its copy of timeline 1 past the fork is gone: the new primary never had table "diverged", and now neither has it.
    assertThat(count(ahead, "SELECT count(*) FROM pg_class WHERE relname = 'diverged'")).contains(0L);
  }
}
