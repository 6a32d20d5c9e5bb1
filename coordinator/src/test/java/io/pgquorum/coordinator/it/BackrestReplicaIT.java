package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.backrest.BackupType;
import io.pgquorum.coordinator.it.LocalCluster.HttpResult;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Replicas from the pgBackRest repository (issue 13), real pgBackRest 2.45 with a posix repository in the test's
 * directory, one cluster for all cases: the first replica, cloned before any backup exists, falls back from
 * {@code backrest} to pg_basebackup; (a) a node that joins after a full backup is built by the built-in
 * {@code backrest} method (restore --type=standby), catches up through the archive and streams; (b) a replica that
 * was stopped while the primary recycled the WAL it needed (no slot, wal_keep_size 0, small max_wal_size) is
 * reinitialized: its data directory is reused with {@code restore --delta} (not moved aside), and it streams again;
 * (c) a reinitialize whose restore fails (the backup's files unreadable) moves the directory aside and falls back to
 * pg_basebackup.
 */
class BackrestReplicaIT {
  static final String SCOPE = "it-backrest-replica";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration START = Duration.ofSeconds(240);

  @Test
  void replicasAndReinitializeRestoreFromTheRepository() throws Exception {
    try (LocalCluster cluster = new LocalCluster(SCOPE, 3, 8, false)) {
      // No slots: a stopped replica must not hold WAL on the primary (case b).
      cluster.useSlots(false);
      Path repo = cluster.base.resolve("repo");
      for (NodeSpec n : cluster.nodes) {
        cluster.appendYaml(n, "backrest:\n  repo1:\n    path: " + repo + "\n");
      }
      NodeSpec late = cluster.nodes.get(2);
      cluster.start(cluster.nodes.get(0));
      cluster.start(cluster.nodes.get(1));
      AtomicReference<NodeSpec> leader = new AtomicReference<>();
      await("a primary with the stanza created and a streaming replica" + cluster.diagnostics()).atMost(START)
          .pollInterval(Duration.ofMillis(500)).until(() -> cluster.primary().map(p -> {
            leader.set(p);
            return cluster.streamingReplicas().size() == 1 && backrest(p).path("stanza_state").asText()
                .equals("created");
          }).orElse(false));
      NodeSpec primary = leader.get();
      NodeSpec first = cluster.nodes.get(0) == primary ? cluster.nodes.get(1) : cluster.nodes.get(0);
      // The first replica was cloned before any backup existed: backrest was tried first, found nothing usable, and
      // pg_basebackup made the copy.
      JsonNode fallback = replicaCreation(first);
      System.out.println(first.name + " pgquorum.replica_creation: " + fallback);
      assertThat(fallback.path("method").asText()).isEqualTo("basebackup");
      assertThat(fallback.path("attempts")).hasSize(2);
      assertThat(fallback.path("attempts").get(0).path("method").asText()).isEqualTo("backrest");
      assertThat(fallback.path("attempts").get(0).path("result").asText()).isEqualTo("failed");
      assertThat(fallback.path("attempts").get(0).path("error").asText()).containsAnyOf("has no stanza",
          "has no backup yet");
      assertThat(fallback.path("attempts").get(1).path("result").asText()).isEqualTo("succeeded");
      assertThat(Files.readString(first.log())).contains("method backrest failed: ")
          .contains("done with method basebackup");
      LocalCluster.execute(primary, "CREATE TABLE t (id int primary key, pad text)",
          "INSERT INTO t SELECT g, 'before the backup' FROM generate_series(1, 1000) g");
      assertThat(LocalCluster.backupWhenUnlocked(primary, repo, SCOPE, BackupType.FULL).ok())
          .as("a full backup from the leader").isTrue();
      // Rows after the backup reach the new replica only through WAL (archive, then streaming).
      LocalCluster.execute(primary, "INSERT INTO t SELECT g, 'after the backup' FROM generate_series(1001, 2000) g");

      // (a) a new replica, built from the repository
      cluster.start(late);
      awaitStreamingWithSameData(cluster, primary, late);
      String lateLog = Files.readString(late.log());
      assertThat(lateLog).contains("restoring backup ").containsPattern("--type=standby --set=\\S+ restore")
          .contains("done with method backrest").doesNotContain("method backrest failed")
          .doesNotContain("done with method basebackup");
      JsonNode created = replicaCreation(late);
      System.out.println(late.name + " pgquorum.replica_creation: " + created);
      assertThat(created.path("method").asText()).isEqualTo("backrest");
      assertThat(created.path("result").asText()).isEqualTo("succeeded");
      assertThat(created.path("attempts")).hasSize(1);
      assertThat(created.path("attempts").get(0).path("delta").asBoolean()).isFalse();
      // The replica fetches WAL through pgquorum's restore_command; pgBackRest's own block is gone from auto.conf.
      assertThat(show(late, "restore_command")).contains("archive-get %f").contains("--stanza=" + SCOPE);
      assertThat(Files.readString(late.dataDir().resolve("postgresql.auto.conf")))
          .doesNotContain("generated by pgBackRest");

      // (b) a replica whose WAL is gone from the primary, reinitialized with --delta
      assertThat(cluster.terminateDaemon(first, Duration.ofSeconds(90))).as(first.name + "'s daemon exits").isTrue();
      if (cluster.postmasterPid(first).isPresent()) {
        LocalCluster.pgCtl(first, "stop", "-m", "fast", "-w");
      }
      String needed = redoWalFile(first);
      LocalCluster.execute(primary, "ALTER SYSTEM SET max_wal_size = '32MB'", "ALTER SYSTEM SET min_wal_size = '32MB'",
          "ALTER SYSTEM SET wal_keep_size = 0", "SELECT pg_reload_conf()");
      int[] round = {0};
      await("the primary recycled " + needed + ", which " + first.name + " needs").atMost(START)
          .pollInterval(Duration.ofMillis(200)).until(() -> {
            int r = ++round[0];
            LocalCluster.execute(primary, "INSERT INTO t SELECT g, repeat('x', 500) FROM generate_series("
                + (100_000 * r) + ", " + (100_000 * r + 20_000) + ") g", "SELECT pg_switch_wal()", "CHECKPOINT");
            return LocalCluster.count(primary, "SELECT count(*) FROM pg_ls_waldir() WHERE name = '" + needed + "'")
                .orElse(1L) == 0;
          });
      System.out.println(needed + " gone from the primary after " + round[0] + " rounds of writes");
      cluster.start(first);
      await("reinitialize is accepted" + cluster.diagnostics()).atMost(START).pollInterval(Duration.ofSeconds(1))
          .until(() -> {
            HttpResult r = post(first, "/reinitialize", "{\"force\": true}");
            return r.status() == 200 && r.body().equals("reinitialize started");
          });
      // The restarted daemon has made no copy yet; the replica may catch up from the archive meanwhile, so its
      // streaming alone does not say the reinitialize is done.
      await(first.name + " reports the reinitialize's copy" + cluster.diagnostics()).atMost(START)
          .pollInterval(Duration.ofSeconds(1)).until(() -> !replicaCreation(first).path("result").asText().isEmpty());
      awaitStreamingWithSameData(cluster, primary, first);
      JsonNode again = replicaCreation(first);
      System.out.println(first.name + " pgquorum.replica_creation after reinitialize: " + again);
      assertThat(again.path("method").asText()).isEqualTo("backrest");
      assertThat(again.path("result").asText()).isEqualTo("succeeded");
      assertThat(again.path("attempts").get(0).path("delta").asBoolean()).isTrue();
      String firstLog = Files.readString(first.log());
      assertThat(firstLog).containsPattern("--delta --type=standby --set=\\S+ restore")
          .contains("done with method backrest (--delta over the existing data directory)");
      // Reused, not moved aside: no pgdata.failed-* next to it.
      assertThat(movedAside(first)).isEmpty();

      // (c) the restore itself fails (the backup's files unreadable; info still lists it): the half-restored
      // directory is moved aside, not deleted, and pg_basebackup makes the copy.
      Path backupDir;
      try (Stream<Path> s = Files.list(repo.resolve("backup").resolve(SCOPE))) {
        backupDir = s.filter(p -> p.getFileName().toString().endsWith("F")).findFirst().orElseThrow();
      }
      Files.setPosixFilePermissions(backupDir, java.util.Set.of());
      try {
        await("the second reinitialize is accepted" + cluster.diagnostics()).atMost(START)
            .pollInterval(Duration.ofSeconds(1)).until(() -> {
              HttpResult r = post(first, "/reinitialize", "{}");
              return r.status() == 200 && r.body().equals("reinitialize started");
            });
        await(first.name + " reports the second creation" + cluster.diagnostics()).atMost(START)
            .pollInterval(Duration.ofSeconds(1)).until(() -> replicaCreation(first).path("method").asText()
                .equals("basebackup"));
      } finally {
        Files.setPosixFilePermissions(backupDir, java.nio.file.attribute.PosixFilePermissions.fromString(
            "rwxr-x---"));
      }
      JsonNode fellBack = replicaCreation(first);
      System.out.println(first.name + " pgquorum.replica_creation after a failed restore: " + fellBack);
      assertThat(fellBack.path("attempts")).hasSize(2);
      assertThat(fellBack.path("attempts").get(0).path("method").asText()).isEqualTo("backrest");
      assertThat(fellBack.path("attempts").get(0).path("delta").asBoolean()).isTrue();
      assertThat(fellBack.path("attempts").get(0).path("error").asText()).startsWith("pgbackrest restore failed");
      assertThat(fellBack.path("attempts").get(1).path("result").asText()).isEqualTo("succeeded");
      assertThat(movedAside(first)).hasSize(1);
      awaitStreamingWithSameData(cluster, primary, first);

      // (d) a diverged copy is never overwritten in place: promoted behind the cluster's back, it takes a write
      // nobody else has. Backrest is first and the system is the same, yet a reinitialize moves it aside (the only
      // copy of that write) and restores into a new directory.
      assertThat(cluster.terminateDaemon(first, Duration.ofSeconds(90))).as(first.name + "'s daemon exits").isTrue();
      if (cluster.postmasterPid(first).isPresent()) {
        LocalCluster.pgCtl(first, "stop", "-m", "fast", "-w");
      }
      // Without archiving: a fork that archived its timeline into the cluster's repository would be followed by
      // any replica restored from it later (recovery_target_timeline latest finds its history file there), a
      // known gap of its own (see the README) and not what this step checks.
      LocalCluster.pgCtl(first, "start", "-w", "-t", "60", "-o", "-c archive_mode=off");
      LocalCluster.pgCtl(first, "promote", "-w", "-t", "60");
      await("a write only " + first.name + "'s own timeline has").atMost(START).pollInterval(Duration.ofMillis(300))
          .until(() -> LocalCluster.tryExecute(first, "INSERT INTO t VALUES (-1, 'only on the fork')"));
      LocalCluster.pgCtl(first, "stop", "-m", "fast", "-w", "-t", "60");
      LocalCluster.rewindOff(first, false);
      cluster.start(first);
      await(first.name + " stays stopped, diverged" + cluster.diagnostics()).atMost(START)
          .pollInterval(Duration.ofSeconds(1)).until(() -> cluster.logs(first).contains("diverged from leader"));
      await("the reinitialize of the diverged node is accepted" + cluster.diagnostics()).atMost(START)
          .pollInterval(Duration.ofSeconds(1)).until(() -> {
            HttpResult r = post(first, "/reinitialize", "{\"force\": true}");
            return r.status() == 200 && r.body().equals("reinitialize started");
          });
      await(first.name + " reports the restore into a new directory" + cluster.diagnostics()).atMost(START)
          .pollInterval(Duration.ofSeconds(1)).until(() -> replicaCreation(first).path("method").asText()
              .equals("backrest"));
      JsonNode diverged = replicaCreation(first);
      System.out.println(first.name + " pgquorum.replica_creation after reinitializing a diverged copy: " + diverged);
      assertThat(diverged.path("attempts").get(0).path("delta").asBoolean()).as("--delta over a diverged copy")
          .isFalse();
      assertThat(cluster.logs(first)).contains("not reused for a --delta restore: it was a primary when it last "
          + "stopped");
      assertThat(movedAside(first)).as("the diverged copy, moved aside").hasSize(2);
      awaitStreamingWithSameData(cluster, primary, first);
      assertThat(LocalCluster.count(first, "SELECT count(*) FROM t WHERE id = -1")).contains(0L);
    }
  }

  private static List<String> movedAside(NodeSpec n) throws IOException {
    try (Stream<Path> s = Files.list(n.dir)) {
      return s.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("pgdata.failed-")).toList();
    }
  }

  private static void awaitStreamingWithSameData(LocalCluster cluster, NodeSpec primary, NodeSpec replica) {
    String sql = "SELECT count(*) * 1000000 + coalesce(sum(id) % 1000000, 0) FROM t";
    await(replica.name + " streams with the primary's rows" + cluster.diagnostics()).atMost(START)
        .pollInterval(Duration.ofSeconds(1)).until(() -> LocalCluster.get(replica,
            "/replica?replication_state=streaming").status() == 200
            && LocalCluster.count(replica, sql).equals(LocalCluster.count(primary, sql)));
  }

  private static JsonNode backrest(NodeSpec n) {
    HttpResult r = LocalCluster.get(n, "/patroni");
    try {
      return r.status() == 200 ? JSON.readTree(r.body()).path("pgquorum").path("backrest") : JSON.missingNode();
    } catch (IOException e) {
      return JSON.missingNode();
    }
  }

  private static JsonNode replicaCreation(NodeSpec n) throws IOException {
    HttpResult r = LocalCluster.get(n, "/patroni");
    assertThat(r.status()).as("/patroni on " + n.name).isEqualTo(200);
    return JSON.readTree(r.body()).path("pgquorum").path("replica_creation");
  }

  /** The WAL file a stopped node's last checkpoint starts replay from: it needs it (and all after) to start. */
  private static String redoWalFile(NodeSpec n) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of("/usr/lib/postgresql/15/bin/pg_controldata", "-D", n.dataDir().toString()))
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as("pg_controldata: " + out).isZero();
    return out.lines().filter(l -> l.startsWith("Latest checkpoint's REDO WAL file:"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElseThrow();
  }


  private static String show(NodeSpec n, String setting) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** POST; status 0 while the daemon's REST server is not up yet. */
  private static HttpResult post(NodeSpec n, String path, String body) throws InterruptedException {
    HttpResponse<String> r;
    try {
      r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.restPort + path))
          .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body))
          .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return new HttpResult(0, "");
    }
    return new HttpResult(r.statusCode(), r.body());
  }
}
