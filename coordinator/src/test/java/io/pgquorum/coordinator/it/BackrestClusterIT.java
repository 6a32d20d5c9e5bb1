package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.backrest.BackupType;
import io.pgquorum.backrest.info.StanzaInfo;
import io.pgquorum.backrest.run.BackrestRunner;
import io.pgquorum.backrest.run.Outcome;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A three-node cluster with a {@code backrest} section and a posix repository in the test's directory, real
 * pgBackRest 2.45: each node writes its own pgbackrest.conf, PostgreSQL archives through it, the first primary
 * creates the stanza and reports it in {@code /patroni}, and pgBackRest itself then finds the stanza, passes
 * {@code check} on the leader (WAL archiving works) and takes a backup into it.
 */
class BackrestClusterIT {
  static final String SCOPE = "it-backrest";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void firstPrimaryCreatesTheStanzaAndArchivingWorks() throws Exception {
    try (LocalCluster cluster = new LocalCluster(SCOPE, 3, 8, false)) {
      Path repo = cluster.base.resolve("repo");
      for (NodeSpec n : cluster.nodes) {
        // No scheduled backups: the test takes its own below, and a slot falling due meanwhile (01:00 UTC by
        // default) would hold the stanza's lock against it. BackupScheduleIT (pgctl module) runs the schedules.
        cluster.appendYaml(n, "backrest:\n  repo1:\n    path: " + repo + "\n  schedule: {full: \"off\", "
            + "diff: \"off\"}\n");
      }
      cluster.startAll();
      AtomicReference<NodeSpec> leader = new AtomicReference<>();
      AtomicReference<JsonNode> backrest = new AtomicReference<>();
      try {
        await("a primary and two streaming replicas").atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(300))
            .until(() -> cluster.primary().map(p -> {
              leader.set(p);
              return cluster.streamingReplicas().size() == 2;
            }).orElse(false));
        await("the primary reports the stanza created").atMost(Duration.ofSeconds(150))
            .pollInterval(Duration.ofMillis(500)).until(() -> {
              LocalCluster.HttpResult r = LocalCluster.get(leader.get(), "/patroni");
              if (r.status() != 200) {
                return false;
              }
              backrest.set(JSON.readTree(r.body()).path("pgquorum").path("backrest"));
              return backrest.get().path("stanza_state").asText().equals("created");
            });
      } catch (ConditionTimeoutException e) {
        throw new AssertionError(e.getMessage() + "\nlast pgquorum.backrest: " + backrest.get()
            + cluster.diagnostics(), e);
      }
      NodeSpec primary = leader.get();
      System.out.println(primary.name + " /patroni pgquorum.backrest: " + backrest.get());
      assertThat(backrest.get().path("stanza").asText()).isEqualTo(SCOPE);
      assertThat(backrest.get().has("stanza_checked_at")).isTrue();
      assertThat(backrest.get().has("last_error")).isFalse();

      // Only the lock holder ran the stanza commands (the daemons log each pgbackrest command line).
      String leaderLog = Files.readString(primary.log());
      leaderLog.lines().filter(l -> l.contains("stanza")).forEach(l -> System.out.println(primary.name + ": " + l));
      assertThat(leaderLog).contains("pgBackRest stanza " + SCOPE + " created and WAL archiving checked")
          .contains("stanza-create succeeded")
          // The pattern the replicas' logs must not match (their repository probe may mention stanza-create).
          .containsPattern("running pgbackrest [^\\n]*stanza-create");
      for (NodeSpec n : cluster.nodes) {
        if (n != primary) {
          assertThat(Files.readString(n.log())).as(n.name + "'s log")
              .doesNotContainPattern("running pgbackrest [^\\n]*stanza-create");
        }
      }

      // Each node's own file, owner-only, naming its own data directory as pg1-path.
      for (NodeSpec n : cluster.nodes) {
        Path conf = n.dir.resolve("pgdata.pgbackrest").resolve("pgbackrest.conf");
        assertThat(conf).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(conf))).isEqualTo("rw-------");
        assertThat(Files.readString(conf)).contains("pg1-path=" + n.dataDir())
            .contains("repo1-path=" + repo).contains("[" + SCOPE + "]");
      }
      // PostgreSQL runs with the commands pgquorum set: archiving on the primary, restore_command on replicas.
      assertThat(show(primary, "archive_mode")).isEqualTo("on");
      assertThat(show(primary, "archive_command")).contains("archive-push %p").contains("--stanza=" + SCOPE);
      for (NodeSpec r : cluster.streamingReplicas()) {
        assertThat(show(r, "restore_command")).contains("archive-get %f").contains("--stanza=" + SCOPE);
      }

      // pgBackRest's own view, from the leader's file.
      BackrestRunner runner = LocalCluster.backrestRunner(primary, repo, SCOPE);
      StanzaInfo created = runner.info().orThrow();
      System.out.println("info after the stanza was created: " + created.status());
      assertThat(created.status().stanzaMissing()).as("info status %s", created.status()).isFalse();
      assertThat(created.archiveMax()).as("WAL archived into the stanza").isPresent();
      Outcome<?> check = runner.check();
      assertThat(check.ok()).as("pgbackrest check on the leader: %s", check).isTrue();
      assertThat(archivedCount(primary)).isPositive();

      // The repository takes a backup from the leader: the stanza's status becomes ok.
      assertThat(LocalCluster.backupWhenUnlocked(primary, repo, SCOPE, BackupType.FULL).ok()).isTrue();
      StanzaInfo info = runner.info().orThrow();
      System.out.println("info after a full backup: " + info.status() + ", backups " + info.backups().size());
      assertThat(info.status().ok()).as("info status %s", info.status()).isTrue();
      assertThat(info.backups()).hasSize(1);
    }
  }


  private static String show(NodeSpec n, String setting) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long archivedCount(NodeSpec n) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT archived_count FROM pg_stat_archiver")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
