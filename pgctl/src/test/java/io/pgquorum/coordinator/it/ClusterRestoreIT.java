package io.pgquorum.coordinator.it;

import static io.pgquorum.coordinator.it.CtlRun.pgctl;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code pgctl restore} of the whole cluster in place (issue 13's point-in-time recovery as one command), end to
 * end with three real daemons, PostgreSQL 15 and pgBackRest 2.45: rows A, a full backup, rows B, the LSN L, rows C,
 * all archived; {@code pgctl restore --target-lsn L --force} exits 0 and the cluster runs on a new timeline with A
 * and B and without C, all three members streaming, the old data directories kept aside. Then a target the archive
 * never reaches fails with exit 1 and the nodes' reason, and a valid restore afterwards succeeds (recoverable).
 */
class ClusterRestoreIT {
  static final String SCOPE = "it-pitr";
  private static final Duration STEP = Duration.ofMinutes(4);


  @Test
  void pointInTimeRecoveryOfTheWholeClusterAsOneCommand() throws Exception {
    Path transcript = Path.of("target", "cluster-restore-it-pgctl.txt");
    Files.createDirectories(transcript.getParent());
    Files.writeString(transcript, "");
    try (LocalCluster cluster = new LocalCluster(SCOPE, 3, 8, false)) {
      Path repo = cluster.base.resolve("repo");
      for (NodeSpec n : cluster.nodes) {
        // The post-promotion backup stays on: after the first restore it is an incremental on timeline 2 ending
        // past the next restore's branch point, and the replicas of that restore (on timeline 3) must not restore
        // it (PostgreSQL: "requested starting point ... is not in this server's history"); the backrest method
        // chooses a backup by the leader's timeline history.
        cluster.appendYaml(n, "backrest:\n  repo1:\n    path: " + repo + "\n  schedule: {full: \"off\", "
            + "diff: \"off\"}\n");
      }
      cluster.startAll();
      NodeSpec primary = cluster.awaitHealthy(STEP, "the first cluster", 0);
      cluster.awaitCondition(STEP, "the stanza created", () -> LocalCluster.get(primary, "/patroni").json()
          .path("pgquorum").path("backrest").path("stanza_state").asText().equals("created"));
      long timeline1 = timeline(primary);
      LocalCluster.execute(primary, "CREATE TABLE pitr (phase text, i int)",
          "INSERT INTO pitr SELECT 'A', g FROM generate_series(1, 100) g");
      AtomicReference<CtlRun> backup = new AtomicReference<>();
      cluster.awaitCondition(STEP, "pgctl backup --type full --wait succeeds", () -> {
        backup.set(pgctl(cluster.nodes.get(1), transcript, "backup", "--type", "full", "--wait"));
        return backup.get().exit() == 0;
      });
      LocalCluster.execute(primary, "INSERT INTO pitr SELECT 'B', g FROM generate_series(1, 100) g");
      // A separate statement: the insert position after B's commit (pg_current_wal_lsn in B's transaction would
      // exclude B, see the reference's D.5).
      String lsn = text(primary, "SELECT pg_current_wal_insert_lsn()::text");
      // The same point as a time, from the server's clock after B's commit and before C's (PostgreSQL stops before
      // the first commit past the target time).
      String time = text(primary, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', "
          + "'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
      LocalCluster.execute(primary, "INSERT INTO pitr SELECT 'C', g FROM generate_series(1, 100) g");
      archiveCurrentSegment(cluster, primary);

      // (0) Refused while paused, before anything is written: (1) would otherwise find a restore in progress.
      assertThat(pgctl(cluster.nodes.get(1), transcript, "pause", "--wait").exit()).isZero();
      CtlRun paused = pgctl(cluster.nodes.get(1), transcript, "restore", "--target-lsn", lsn, "--force");
      assertThat(paused.exit()).as("%s%s", paused.out(), paused.err()).isEqualTo(1);
      assertThat(paused.err()).contains("maintenance mode (paused)").contains("pgctl resume");
      assertThat(pgctl(cluster.nodes.get(1), transcript, "resume", "--wait").exit()).isZero();

      // (1) The restore to L.
      CtlRun restored = pgctl(cluster.nodes.get(1), transcript, "restore", "--target-lsn", lsn, "--force");
      assertThat(restored.exit()).as("pgctl restore --target-lsn %s: %s%s", lsn, restored.out(), restored.err())
          .isZero();
      assertThat(restored.out()).contains("restore done").contains("bootstrapping");
      NodeSpec leader = cluster.awaitHealthy(STEP, "the cluster restored to an LSN", 2);
      long timeline2 = timeline(leader);
      assertThat(timeline2).isGreaterThan(timeline1);
      assertRows(leader, 100, 100, 0);
      assertRowsEverywhere(cluster, timeline2);
      for (NodeSpec n : cluster.nodes) {
        assertThat(asideDirs(n)).as(n.name + "'s moved-aside data directory").isNotEmpty();
      }

      // (2) A target the archive never reaches: exit 1 with the reason; the directories stay aside.
      CtlRun unreachable = pgctl(cluster.nodes.get(1), transcript, "restore", "--target-lsn", "FF/0", "--force");
      assertThat(unreachable.exit()).as("%s%s", unreachable.out(), unreachable.err()).isEqualTo(1);
      assertThat(unreachable.err()).contains("restore failed").contains("recovery ended before configured recovery "
          + "target was reached");
      for (NodeSpec n : cluster.nodes) {
        assertThat(asideDirs(n)).as(n.name + "'s moved-aside data directories").hasSizeGreaterThanOrEqualTo(2);
      }

      // (3) Recoverable: a valid restore after the failed one, this time to a time.
      CtlRun again = pgctl(cluster.nodes.get(1), transcript, "restore", "--target-time", time, "--force");
      assertThat(again.exit()).as("%s%s", again.out(), again.err()).isZero();
      NodeSpec leader3 = cluster.awaitHealthy(STEP, "the cluster restored to a time", 2);
      long timeline3 = timeline(leader3);
      assertThat(timeline3).isGreaterThan(timeline2);
      assertRows(leader3, 100, 100, 0);
      assertRowsEverywhere(cluster, timeline3);

      // history keeps the switches: the restores' timelines left timeline 1 (history is not reset by a restore).
      CtlRun history = pgctl(cluster.nodes.get(1), transcript, "history", "-f", "tsv");
      assertThat(history.exit()).as("%s%s", history.out(), history.err()).isZero();
      assertThat(history.out().lines().skip(1).map(l -> l.split("\t")[0]).toList()).as(history.out())
          .contains(Long.toString(timeline1));
    }
  }

  private static void assertRows(NodeSpec n, long a, long b, long c) {
    assertThat(LocalCluster.count(n, "SELECT count(*) FROM pitr WHERE phase = 'A'")).contains(a);
    assertThat(LocalCluster.count(n, "SELECT count(*) FROM pitr WHERE phase = 'B'")).contains(b);
    assertThat(LocalCluster.count(n, "SELECT count(*) FROM pitr WHERE phase = 'C'")).contains(c);
  }

  private static void assertRowsEverywhere(LocalCluster cluster, long timeline) {
    for (NodeSpec n : cluster.nodes) {
      cluster.awaitCondition(STEP, n.name + " has the restored rows on timeline " + timeline,
          () -> LocalCluster.count(n, "SELECT count(*) FROM pitr").equals(Optional.of(200L))
              && timeline(n) == timeline);
    }
    assertThat(cluster.streamingReplicas()).hasSize(2);
  }


  private static void archiveCurrentSegment(LocalCluster cluster, NodeSpec primary) throws Exception {
    String segment = text(primary, "SELECT pg_walfile_name(pg_switch_wal())");
    cluster.awaitCondition(STEP, "segment " + segment + " archived", () -> {
      String last = text(primary, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
      return last.compareTo(segment) >= 0;
    });
  }

  private static List<Path> asideDirs(NodeSpec n) throws Exception {
    try (Stream<Path> s = Files.list(n.dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("pgdata.restore-")
          || p.getFileName().toString().startsWith("pgdata.failed-")).toList();
    }
  }

  private static long timeline(NodeSpec n) {
    return LocalCluster.get(n, "/patroni").json().path("timeline").asLong();
  }

  private static String text(NodeSpec n, String sql) throws Exception {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getString(1);
    }
  }


}
