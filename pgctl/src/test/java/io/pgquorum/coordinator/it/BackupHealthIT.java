package io.pgquorum.coordinator.it;

import static io.pgquorum.coordinator.it.CtlRun.pgctl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Backup and archiving health end to end (issue 13): two daemons, real PostgreSQL 15 and pgBackRest 2.45 with a
 * posix repository in the test's directory, {@code backrest.info_interval: 5}. (1) Before any backup every node's
 * {@code /metrics} shows the repository up with status 2 (no valid backups) and +Inf backup ages; (2) after
 * {@code pgctl backup --type full --wait} status 0 and a finite full-backup age that grows with time; (3) the
 * repository's archive made unwritable: the leader's {@code pgquorum_archiving_ok} turns 0, {@code /patroni} shows
 * {@code pgquorum.archive.failing}, and {@code pgctl list} shows {@code running (archiving fails)} with a footer;
 * (4) the permissions restored: everything recovers.
 */
class BackupHealthIT {
  static final String SCOPE = "it-backup-health";


  @Test
  void metricsPatroniAndListShowBackupAgesAndFailingArchiving() throws Exception {
    Path transcript = Path.of("target", "backup-health-it-pgctl.txt");
    Files.createDirectories(transcript.getParent());
    Files.writeString(transcript, "");
    try (LocalCluster cluster = new LocalCluster(SCOPE, 2, 8, false)) {
      Path repo = cluster.base.resolve("repo");
      for (NodeSpec n : cluster.nodes) {
        // No schedule and no work after a promotion: the only backup is the test's own.
        cluster.appendYaml(n, "backrest:\n  repo1:\n    path: " + repo + "\n  schedule:\n    full: \"off\"\n"
            + "    diff: \"off\"\n    incr: \"off\"\n  after_promotion:\n    check: \"off\"\n    backup: \"off\"\n"
            + "  info_interval: 5\n");
      }
      cluster.startAll();
      AtomicReference<NodeSpec> leader = new AtomicReference<>();
      AtomicReference<Map<String, String>> seen = new AtomicReference<>(Map.of());
      try {
        await("a primary and a streaming replica").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(300))
            .until(() -> cluster.primary().map(p -> {
              leader.set(p);
              return cluster.streamingReplicas().size() == 1;
            }).orElse(false));
        NodeSpec primary = leader.get();
        NodeSpec replica = cluster.nodes.stream().filter(n -> n != primary).findFirst().orElseThrow();

        // (1) The stanza exists, no backup yet: up, status 2, ages +Inf, on the leader and the replica alike.
        for (NodeSpec n : cluster.nodes) {
          await(n.name + "'s repository metrics before a backup").atMost(Duration.ofMinutes(3))
              .pollInterval(Duration.ofMillis(500)).until(() -> {
                seen.set(metrics(n));
                return "1".equals(seen.get().get("pgquorum_backup_repo_up"))
                    && "2".equals(seen.get().get("pgquorum_backup_repo_status"));
              });
          assertThat(seen.get()).containsEntry("pgquorum_backup_last_full_age_seconds", "+Inf")
              .containsEntry("pgquorum_backup_last_age_seconds", "+Inf")
              .containsEntry("pgquorum_backup_running", "0");
        }
        // Archiving gauges where an archiver runs: the primary only (archive_mode on, not always).
        assertThat(metrics(primary)).containsKey("pgquorum_archiving_ok");
        assertThat(metrics(replica)).doesNotContainKey("pgquorum_archiving_ok")
            .doesNotContainKey("pgquorum_archive_archived_count");

        // (2) A full backup: status 0 and a finite age, which grows with time (a hard-coded value would not).
        AtomicReference<CtlRun> backup = new AtomicReference<>();
        try {
          await("pgctl backup --type full --wait succeeds").atMost(Duration.ofMinutes(3))
              .pollInterval(Duration.ofSeconds(2)).until(() -> {
                backup.set(pgctl(cluster.nodes.get(1), transcript, "backup", "--type", "full", "--wait"));
                return backup.get().exit() == 0;
              });
        } catch (ConditionTimeoutException e) {
          throw new AssertionError("last pgctl backup: " + backup.get(), e);
        }
        for (NodeSpec n : cluster.nodes) {
          await(n.name + "'s metrics after the full backup").atMost(Duration.ofMinutes(2))
              .pollInterval(Duration.ofMillis(500)).until(() -> {
                seen.set(metrics(n));
                return "0".equals(seen.get().get("pgquorum_backup_repo_status"))
                    && finite(seen.get().get("pgquorum_backup_last_full_age_seconds"));
              });
          assertThat(seen.get()).containsEntry("pgquorum_backup_repo_up", "1");
          assertThat(finite(seen.get().get("pgquorum_backup_last_age_seconds"))).isTrue();
        }
        System.out.println("leader's metrics after the full backup: " + metrics(primary));
        double firstAge = Double.parseDouble(metrics(primary).get("pgquorum_backup_last_full_age_seconds"));
        double firstChecked = Double.parseDouble(metrics(primary).get("pgquorum_backup_repo_checked_time"));
        await("the full backup's age grows and the repository is checked again").atMost(Duration.ofMinutes(1))
            .pollInterval(Duration.ofMillis(500)).until(() -> {
              Map<String, String> m = metrics(primary);
              return Double.parseDouble(m.get("pgquorum_backup_last_full_age_seconds")) > firstAge + 1
                  && Double.parseDouble(m.get("pgquorum_backup_repo_checked_time")) > firstChecked;
            });
        JsonNode repository = LocalCluster.get(primary, "/patroni").json().path("pgquorum").path("repository");
        assertThat(repository.path("up").asBoolean()).as(repository.toString()).isTrue();
        assertThat(repository.path("status_code").asInt(-1)).isZero();
        assertThat(repository.path("last_full_backup_stop").asText()).isNotEmpty();
        assertThat(metrics(primary)).containsEntry("pgquorum_archiving_ok", "1");

        // (3) The repository's archive unwritable: archive-push fails, the archiver's failures show.
        Path archive = repo.resolve("archive").resolve(SCOPE);
        Map<Path, Set<PosixFilePermission>> modes = directories(archive);
        assertThat(modes).isNotEmpty();
        Set<PosixFilePermission> readOnly = PosixFilePermissions.fromString("r-xr-x---");
        for (Path d : modes.keySet()) {
          Files.setPosixFilePermissions(d, readOnly);
        }
        try {
          await("the leader reports archiving failing").atMost(Duration.ofMinutes(3))
              .pollInterval(Duration.ofSeconds(1)).until(() -> {
                newWalFile(primary);
                seen.set(metrics(primary));
                return "0".equals(seen.get().get("pgquorum_archiving_ok"));
              });
          assertThat(Long.parseLong(seen.get().get("pgquorum_archive_failed_count"))).isPositive();
          assertThat(Long.parseLong(seen.get().get("pgquorum_archive_ready_count"))).isPositive();
          assertThat(finite(seen.get().get("pgquorum_archive_last_failed_time"))).isTrue();
          JsonNode failing = LocalCluster.get(primary, "/patroni").json().path("pgquorum").path("archive");
          assertThat(failing.path("failing").asBoolean()).as(failing.toString()).isTrue();
          AtomicReference<CtlRun> list = new AtomicReference<>();
          await("pgctl list shows the leader's archiving failing").atMost(Duration.ofMinutes(1))
              .pollInterval(Duration.ofSeconds(1)).until(() -> {
                list.set(pgctl(cluster.nodes.get(1), transcript, "list"));
                return list.get().out().contains("running (archiving fails)");
              });
          System.out.println(list.get().out());
          assertThat(list.get().out()).contains("| " + primary.name + " ")
              .contains("WAL archiving fails on: " + primary.name);
        } finally {
          // (4) Restored: the next attempt succeeds and everything recovers.
          for (Map.Entry<Path, Set<PosixFilePermission>> e : modes.entrySet()) {
            Files.setPosixFilePermissions(e.getKey(), e.getValue());
          }
        }
        await("the leader reports archiving working again").atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofSeconds(1)).until(() -> {
              newWalFile(primary);
              seen.set(metrics(primary));
              return "1".equals(seen.get().get("pgquorum_archiving_ok"));
            });
        assertThat(LocalCluster.get(primary, "/patroni").json().path("pgquorum").path("archive").path("failing")
            .asBoolean(true)).isFalse();
        AtomicReference<CtlRun> list = new AtomicReference<>();
        await("pgctl list no longer shows archiving failing").atMost(Duration.ofMinutes(1))
            .pollInterval(Duration.ofSeconds(1)).until(() -> {
              list.set(pgctl(cluster.nodes.get(1), transcript, "list"));
              return list.get().exit() == 0 && !list.get().out().contains("archiving fails");
            });
        assertThat(list.get().out()).contains("| " + primary.name + " ").contains("running");
      } catch (ConditionTimeoutException e) {
        throw new AssertionError(e.getMessage() + "\nlast metrics: " + seen.get() + cluster.diagnostics(), e);
      }
    }
  }

  /** A little WAL and a switch, so the archiver has a new segment to push now (not at its 60 s wake-up). */
  private static void newWalFile(NodeSpec n) {
    LocalCluster.tryExecute(n, "CREATE TABLE IF NOT EXISTS health_probe (i int)",
        "INSERT INTO health_probe VALUES (1)", "SELECT pg_switch_wal()");
  }

  private static boolean finite(String v) {
    if (v == null) {
      return false;
    }
    double d = Double.parseDouble(v.replace("+Inf", "Infinity"));
    return !Double.isNaN(d) && !Double.isInfinite(d);
  }

  /** The node's /metrics as name to value (the one sample per name this node writes), empty when unreachable. */
  private static Map<String, String> metrics(NodeSpec n) {
    LocalCluster.HttpResult r = LocalCluster.get(n, "/metrics");
    Map<String, String> m = new LinkedHashMap<>();
    if (r.status() != 200) {
      return m;
    }
    for (String line : r.body().split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      m.put(line.substring(0, brace < 0 ? space : brace), line.substring(space + 1));
    }
    return m;
  }

  private static Map<Path, Set<PosixFilePermission>> directories(Path root) throws Exception {
    Map<Path, Set<PosixFilePermission>> out = new LinkedHashMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.filter(Files::isDirectory).toList()) {
        out.put(p, Files.getPosixFilePermissions(p));
      }
    }
    return out;
  }

}
