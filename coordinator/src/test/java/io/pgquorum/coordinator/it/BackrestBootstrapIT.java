package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.backrest.BackupType;
import io.pgquorum.backrest.run.BackrestRunner;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bootstrap.method: backrest}: a cluster with a {@code backrest} section writes rows and backs up, then
 * more rows reach the archive after the backup; a NEW cluster of the same scope (new data directories, the same
 * repository and stanza) bootstraps from that backup: the initialize race winner restores it to the end of the
 * archive and is promoted there, the others are built from the repository. Real PostgreSQL 15 and pgBackRest 2.45.
 *
 * <p>Why the same stanza works for a new cluster: the restored cluster has the backup's system identifier, which
 * is the stanza's, so the first primary's stanza-create and check find the stanza theirs.
 */
class BackrestBootstrapIT {
  static final String SCOPE = "it-br-bootstrap";
  private static final Duration STEP = Duration.ofSeconds(180);

  @TempDir
  Path repoParent;

  @Test
  void aNewClusterBootstrapsFromTheStanzasBackup() throws Exception {
    Path repo = repoParent.resolve("repo");
    long timelineBefore;
    try (LocalCluster first = new LocalCluster(SCOPE, 1, 8, false)) {
      NodeSpec n = first.nodes.get(0);
      first.appendYaml(n, backrestSection(repo));
      first.startAll();
      first.awaitCondition(STEP, "the first cluster's primary", () -> first.primary().isPresent());
      first.awaitCondition(STEP, "the stanza created", () -> LocalCluster.get(n, "/patroni").json().path("pgquorum")
          .path("backrest").path("stanza_state").asText().equals("created"));
      LocalCluster.execute(n, "CREATE TABLE t (phase text, i int)",
          "INSERT INTO t SELECT 'in-backup', g FROM generate_series(1, 100) g");
      BackrestRunner runner = LocalCluster.backrestRunner(n, repo, SCOPE);
      assertThat(LocalCluster.backupWhenUnlocked(n, repo, SCOPE, BackupType.FULL).ok()).as("a full backup").isTrue();
      LocalCluster.execute(n, "INSERT INTO t SELECT 'archived-after', g FROM generate_series(1, 50) g");
      // check switches WAL and waits until the segment is archived: the rows after the backup are in the archive.
      assertThat(runner.check().ok()).as("pgbackrest check").isTrue();
      timelineBefore = LocalCluster.get(n, "/patroni").json().path("timeline").asLong();
    }

    try (LocalCluster cluster = new LocalCluster(SCOPE, 3, 8, false)) {
      for (NodeSpec n : cluster.nodes) {
        cluster.appendYaml(n, backrestSection(repo));
      }
      cluster.bootstrapYaml("  method: backrest\n");
      cluster.startAll();
      AtomicReference<NodeSpec> leader = new AtomicReference<>();
      cluster.awaitCondition(STEP, "a primary and two streaming replicas", () -> cluster.primary().map(p -> {
        leader.set(p);
        return cluster.streamingReplicas().size() == 2;
      }).orElse(false));
      NodeSpec primary = leader.get();
      cluster.logs(primary).lines().filter(l -> l.contains("bootstrap")).forEach(l -> System.out.println(
          primary.name + ": " + l));
      assertThat(cluster.logs(primary)).contains("created a new cluster in " + primary.dataDir() + " with backrest")
          .contains("bootstrap: restoring pgBackRest's choice of backup from the pgBackRest repository");
      assertThat(LocalCluster.count(primary, "SELECT count(*) FROM t WHERE phase = 'in-backup'")).contains(100L);
      assertThat(LocalCluster.count(primary, "SELECT count(*) FROM t WHERE phase = 'archived-after'"))
          .as("replayed to the end of the archive").contains(50L);
      long timeline = LocalCluster.get(primary, "/patroni").json().path("timeline").asLong();
      assertThat(timeline).as("promoted at the end of recovery: a new timeline").isGreaterThan(timelineBefore);
      // The recovery target and signal of the bootstrap are gone: a restart would not recover again.
      assertThat(primary.dataDir().resolve("recovery.signal")).doesNotExist();
      LocalCluster.execute(primary, "INSERT INTO t VALUES ('new-cluster', 1)");
      for (NodeSpec n : cluster.nodes) {
        if (n == primary) {
          continue;
        }
        assertThat(cluster.logs(n)).as(n.name + " was not the bootstrap").doesNotContain("created a new cluster");
        cluster.awaitCondition(STEP, n.name + " streams the new cluster's rows on timeline " + timeline,
            () -> LocalCluster.count(n, "SELECT count(*) FROM t").equals(Optional.of(151L))
                && LocalCluster.get(n, "/patroni").json().path("timeline").asLong() == timeline);
      }
      assertThat(cluster.streamingReplicas()).hasSize(2);
    }
  }

  private static String backrestSection(Path repo) {
    // No scheduled backups: the test takes its own (a slot falling due would hold the stanza's lock).
    return "backrest:\n  repo1:\n    path: " + repo + "\n  schedule: {full: \"off\", diff: \"off\"}\n";
  }


}
