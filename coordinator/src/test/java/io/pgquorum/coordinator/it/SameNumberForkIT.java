package io.pgquorum.coordinator.it;

import static io.pgquorum.coordinator.it.LocalCluster.count;
import static io.pgquorum.coordinator.it.LocalCluster.execute;
import static io.pgquorum.coordinator.it.LocalCluster.get;
import static io.pgquorum.coordinator.it.LocalCluster.pgCtl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Two forks of timeline 2 from the same switch point on real PostgreSQL (docs/findings/same-timeline-forks.md): the
 * primary crashes with both replicas at its last WAL record; one replica ("forked", nofailover) is promoted by hand
 * with a record naming token 1 (a lock holder cut off from the DCS, as the simulator's seed 62986978671179 had it),
 * the other wins the lock and promotes to timeline 2 under its own token, which history records. Timeline numbers,
 * switch points and history files are equal; only the epoch tells the forks apart. The forked node must not be
 * rewound or simply started as a replica: it is re-cloned (its data moved aside, never deleted) and then carries
 * the leader's epoch.
 */
@EnabledOnOs(OS.LINUX)
class SameNumberForkIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WITHIN = Duration.ofSeconds(120);
  private LocalCluster cluster;

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String sql(NodeSpec n, String query) throws Exception {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
        ResultSet r = s.executeQuery(query)) {
      r.next();
      return r.getString(1);
    }
  }

  private static String published(NodeSpec n) {
    try {
      var j = JSON.readTree(get(n, "/patroni").body());
      return j.path("timeline").asInt() + "/" + j.path("timeline_epoch").asText("-");
    } catch (Exception e) {
      return "?";
    }
  }

  @Test
  void aSameNumberForkIsReclonedNotRewound() throws Exception {
    cluster = new LocalCluster("it-samefork", 3, 8, false);
    NodeSpec forked = null;
    try {
      cluster.startAll();
      await("a primary and two streaming replicas").atMost(WITHIN).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.primary().isPresent() && cluster.streamingReplicas().size() == 2);
      NodeSpec first = cluster.primary().orElseThrow();
      List<NodeSpec> replicas = cluster.streamingReplicas();
      forked = replicas.get(0);
      NodeSpec other = replicas.get(1);
      // The forked node may not race (the other must win) and may re-clone without pg_rewind; read at its start.
      assertThat(cluster.terminateDaemon(forked, Duration.ofSeconds(60))).as("SIGTERM of " + forked.name).isTrue();
      cluster.appendYaml(forked, "tags:\n  nofailover: true\n");
      LocalCluster.rewindOff(forked, true);
      cluster.start(forked);
      await("two streaming replicas again").atMost(WITHIN).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.streamingReplicas().size() == 2);
      execute(first, "CREATE TABLE rows (i int)", "INSERT INTO rows SELECT generate_series(1, 100)");
      String sysid = sql(first, "SELECT system_identifier::text FROM pg_control_system()");
      // The cut-off promotion's record, written before its promotion as LocalPostgres.promote does: it applies only
      // once the data is on timeline 2.
      Path record = forked.dataDir().resolveSibling(forked.dataDir().getFileName() + ".timeline-epoch");
      Files.writeString(record, "system_identifier=" + sysid + "\ntimeline=2\nepoch=1\n");

      // Both replicas at the primary's last record, then the primary crashes (no shutdown record after it).
      long end = count(first, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint").orElseThrow();
      for (NodeSpec r : List.of(forked, other)) {
        await(r.name + " replayed " + end).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(() -> count(r, "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint").orElse(0L)
                >= end);
      }
      cluster.killDaemon(first);
      cluster.killPostmaster(first);
      pgCtl(forked, "promote", "-w", "-t", "60"); // its own timeline 2, forked at the same point

      await(other.name + " primary").atMost(WITHIN).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.primary().filter(p -> p == other).isPresent());
      long token = count(other, "SELECT current_setting('pgquorum.fencing_token')::bigint").orElseThrow();
      assertThat(token).isNotEqualTo(1L);
      NodeSpec f = forked;
      await(f.name + " re-cloned from " + other.name + " with epoch " + token).atMost(WITHIN)
          .pollInterval(Duration.ofMillis(300))
          .until(() -> published(f).equals("2/" + token) && cluster.streamingReplicas().contains(f));
      // "another fork" is the move-aside reason of a rejoin whose plan knew the fork (Divergence.anotherFork): only
      // the epochs (1 against history's token) can tell it, the switch points and history files being equal.
      assertThat(cluster.logs(forked)).as("the epoch told the forks apart")
          .containsPattern("moved the data directory \\S+ aside to \\S+: another fork");
      try (var moved = Files.list(forked.dataDir().getParent())) {
        assertThat(moved.map(p -> p.getFileName().toString())
            .filter(n -> n.startsWith(f.dataDir().getFileName() + ".failed-") && !n.endsWith(".timeline-epoch")))
            .as("the other fork's data directory, moved aside").isNotEmpty();
      }
    } catch (AssertionError | org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "\npublished: "
          + cluster.nodes.stream().map(n -> n.name + "=" + published(n)).toList() + cluster.diagnostics(), e);
    }
  }
}
