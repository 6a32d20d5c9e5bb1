package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgquorum.backrest.BackupType;
import io.pgquorum.backrest.info.BackupInfo;
import io.pgquorum.backrest.info.StanzaInfo;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The after-PITR backup trap (issue 13), deterministic: with a {@code backrest} section, backup A on timeline 1,
 * rows, a recorded LSN, more rows and a checkpoint, backup B on timeline 1 (the repository's newest, starting past
 * that LSN); then a point-in-time recovery to the LSN from A (the custom-bootstrap way, as PatroniBackrestIT does it),
 * which makes timeline 2 branch off before B's stop LSN. The member that did not bootstrap is a new replica: its
 * built-in {@code backrest} method must restore A (B cannot reach timeline 2: PostgreSQL refuses it at its first
 * start, "requested timeline 2 is not a child of this server's history", and the restore itself succeeded), and it
 * must stream on timeline 2.
 */
class ReplicaAfterPitrIT {
  static final String SCOPE = "it-replica-after-pitr";
  private static final Duration STEP = Duration.ofSeconds(180);

  @Test
  void aReplicaAfterAPitrRestoresABackupThatReachesTheNewTimeline() throws Exception {
    try (LocalCluster cluster = new LocalCluster(SCOPE, 2, 8, false)) {
      Path repo = cluster.base.resolve("repo");
      for (NodeSpec n : cluster.nodes) {
        // No scheduled or after-promotion backups: a backup on timeline 2 would hide the trap.
        cluster.appendYaml(n, "backrest:\n  repo1:\n    path: " + repo + "\n  schedule:\n    full: 'off'\n"
            + "    diff: 'off'\n  after_promotion:\n    backup: 'off'\n");
        // The operator's restore command below finds the node's generated pgbackrest.conf through this.
        cluster.nodeEnv.put(n.index, Map.of("PGBACKREST_CONFIG",
            n.dir.resolve("pgdata.pgbackrest").resolve("pgbackrest.conf").toString()));
      }
      cluster.startAll();
      NodeSpec leader = cluster.awaitHealthy(STEP, "the first cluster", 1);
      cluster.awaitCondition(STEP, "the stanza is created", () -> LocalCluster.get(leader, "/patroni").json()
          .path("pgquorum").path("backrest").path("stanza_state").asText().equals("created"));

      LocalCluster.execute(leader, "CREATE TABLE pitr (id int, phase text)");
      assertThat(LocalCluster.backupWhenUnlocked(leader, repo, SCOPE, BackupType.FULL).ok())
          .as("backup A").isTrue();
      LocalCluster.execute(leader, "INSERT INTO pitr SELECT g, 'before' FROM generate_series(1, 100) g");
      String target = query(leader, "SELECT pg_current_wal_insert_lsn()::text");
      LocalCluster.execute(leader, "INSERT INTO pitr SELECT g, 'after' FROM generate_series(101, 150) g",
          "CHECKPOINT");
      assertThat(LocalCluster.backupWhenUnlocked(leader, repo, SCOPE, BackupType.FULL).ok())
          .as("backup B").isTrue();
      List<BackupInfo> backups = info(leader, repo).backups();
      assertThat(backups).hasSize(2);
      BackupInfo a = backups.get(0);
      BackupInfo b = backups.get(1);
      System.out.println("backup A " + a.label() + " stop " + a.lsnStop().orElse("?") + ", backup B " + b.label()
          + " start " + b.lsnStart().orElse("?") + " stop " + b.lsnStop().orElse("?") + ", PITR target " + target);

      // Patroni's PITR procedure: stop both, move the data directories aside, bootstrap with a restore of A to the
      // target, reset the DCS state.
      for (NodeSpec n : cluster.nodes) {
        assertThat(cluster.terminateDaemon(n, Duration.ofSeconds(90))).as(n.name + " stops").isTrue();
      }
      for (NodeSpec n : cluster.nodes) {
        if (cluster.postmasterPid(n).isPresent()) {
          LocalCluster.pgCtl(n, "stop", "-m", "fast", "-w");
        }
        Files.move(n.dataDir(), n.dir.resolve("pgdata.before-pitr"));
      }
      cluster.bootstrapYaml("  method: pitr\n  pitr:\n"
          + "    command: pgbackrest --stanza=" + SCOPE + " --set=" + a.label() + " --type=lsn --target=" + target
          + " --target-action=promote restore\n"
          + "    keep_existing_recovery_conf: true\n    no_params: true\n    recovery_conf:\n"
          + "      recovery_target_action: promote\n      recovery_target_timeline: latest\n");
      cluster.startAll();
      cluster.awaitCondition(STEP, "the DCS takes writes again", () -> {
        try (RatisDcsClient dcs = cluster.dcsClient()) {
          dcs.deletePrefix("/service/" + SCOPE + "/");
          return true;
        } catch (RuntimeException e) {
          return false;
        }
      });
      AtomicReference<NodeSpec> restored = new AtomicReference<>();
      cluster.awaitCondition(STEP, "a primary restored to the target", () -> cluster.primary().map(p -> {
        restored.set(p);
        return true;
      }).orElse(false));
      NodeSpec primary = restored.get();
      long timeline = LocalCluster.get(primary, "/patroni").json().path("timeline").asLong();
      assertThat(timeline).as("the PITR's timeline").isEqualTo(2);
      assertThat(LocalCluster.count(primary, "SELECT count(*) FROM pitr WHERE phase = 'after'")).contains(0L);
      NodeSpec replica = cluster.nodes.stream().filter(n -> n != primary).findFirst().orElseThrow();

      cluster.awaitCondition(STEP, replica.name + " streams on timeline " + timeline,
          () -> cluster.streamingReplicas().contains(replica)
              && LocalCluster.get(replica, "/patroni").json().path("timeline").asLong() == timeline
              && LocalCluster.count(replica, "SELECT count(*) FROM pitr").equals(Optional.of(100L)));
      String log = cluster.logs(replica);
      log.lines().filter(l -> l.contains("backup") || l.contains("method")).forEach(l -> System.out.println(
          replica.name + ": " + l));
      assertThat(log).contains("backups newer than " + a.label() + " cannot reach the leader's timeline and are "
          + "not restored: " + b.label() + ": it is on timeline 1 and became consistent at " + b.lsnStop().get()
          + ", past the leader's branch from timeline 1 at ")
          .contains("restoring backup " + a.label() + " (--set")
          .contains("--set=" + a.label())
          .contains("done with method backrest");
      JsonNode created = LocalCluster.get(replica, "/patroni").json().path("pgquorum").path("replica_creation");
      System.out.println(replica.name + " pgquorum.replica_creation: " + created);
      assertThat(created.path("method").asText()).isEqualTo("backrest");
      assertThat(created.path("result").asText()).isEqualTo("succeeded");
      assertThat(LocalCluster.count(replica, "SELECT count(*) FROM pitr WHERE phase = 'after'")).contains(0L);
    }
  }




  private static StanzaInfo info(NodeSpec n, Path repo) {
    return LocalCluster.backrestRunner(n, repo, SCOPE).info().orThrow();
  }

  private static String query(NodeSpec n, String sql) throws Exception {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getString(1);
    }
  }
}
