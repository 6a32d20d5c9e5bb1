package io.pgquorum.coordinator.it;

import static io.pgquorum.coordinator.it.CtlRun.pgctl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.testkit.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The restore test, end to end ({@code pgctl restore --to DIR}): a one-node cluster with real PostgreSQL 15 and
 * pgBackRest 2.45 (a posix repository in the test's directory, as BackupScheduleIT). Rows A, a full backup
 * ({@code pgctl backup --type full --wait}), rows B, the LSN and time after B, rows C, a WAL switch archived; then
 * {@code pgctl restore --target-lsn} (and {@code --target-time}) {@code --to DIR --port P --force}: the copy has A
 * and B and not C, archive_mode off, a new timeline; the running cluster still has C and the same leader. A target
 * before every backup fails with a clear message and DIR is not created; a target the WAL never reaches fails with
 * PostgreSQL's FATAL line, the restored files kept.
 */
class RestoreTestIT {
  static final String SCOPE = "it-restoretest";


  @Test
  void aCopyRestoredToAnLsnOrATimeAlongsideTheRunningCluster() throws Exception {
    Path transcript = Path.of("target", "restore-test-it-pgctl.txt");
    Files.createDirectories(transcript.getParent());
    Files.writeString(transcript, "");
    List<Path> copies = new ArrayList<>();
    try (LocalCluster cluster = new LocalCluster(SCOPE, 1, 8, false)) {
      NodeSpec via = cluster.nodes.get(0);
      Path repo = cluster.base.resolve("repo");
      NodeSpec node = cluster.nodes.get(0);
      cluster.appendYaml(node, "backrest:\n  repo1:\n    path: " + repo + "\n");
      cluster.startAll();
      try {
        await("a writable primary").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(300))
            .until(() -> cluster.primary().isPresent() && LocalCluster.tryExecute(node, "SELECT 1"));
        LocalCluster.execute(node, "CREATE TABLE t (id int PRIMARY KEY, batch text NOT NULL)",
            "INSERT INTO t SELECT g, 'A' FROM generate_series(1, 100) g");
        AtomicReference<CtlRun> backup = new AtomicReference<>();
        // The stanza is created by the first primary shortly after it starts: a backup before that fails.
        await("pgctl backup --type full --wait succeeds").atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofSeconds(2)).until(() -> {
              backup.set(pgctl(via, transcript, "backup", "--type", "full", "--wait"));
              return backup.get().exit() == 0;
            });
        LocalCluster.execute(node, "INSERT INTO t SELECT g, 'B' FROM generate_series(101, 150) g");
        // Separate statements after B's commit (D.5: an LSN taken inside the same transaction excludes it).
        String lsn = text(node, "SELECT pg_current_wal_insert_lsn()::text");
        String time = text(node, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',"
            + " 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
        // C must commit strictly after the recorded time: wait until the server's clock has moved past it.
        await("the clock moves past the target time").atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(50)).until(() -> text(node, "SELECT (clock_timestamp() > '" + time
                + "'::timestamptz)::text").equals("true"));
        LocalCluster.execute(node, "INSERT INTO t SELECT g, 'C' FROM generate_series(151, 170) g");
        String wal = text(node, "SELECT pg_walfile_name(pg_switch_wal())");
        await("the WAL holding C archived").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300))
            .until(() -> text(node, "SELECT (coalesce(last_archived_wal, '') >= '" + wal + "')::text"
                + " FROM pg_stat_archiver").equals("true"));
        String leader = cluster.primary().orElseThrow().name;

        // A target before every backup: exit 1, a clear message, the directory not created.
        Path early = cluster.base.resolve("copy-too-early");
        CtlRun tooEarly = pgctl(via, transcript, "restore", "--target-time", "2000-01-01 00:00:00+00", "--to",
            early.toString(), "--force");
        assertThat(tooEarly.exit()).as(tooEarly.out() + tooEarly.err()).isEqualTo(1);
        assertThat(tooEarly.err()).startsWith("Error: no backup ends before 2000-01-01 00:00:00+00; the oldest, ")
            .doesNotContain("Exception");
        assertThat(early).doesNotExist();

        // The dry run shows the plan and restores nothing.
        Path lsnCopy = cluster.base.resolve("copy-lsn");
        int lsnPort = FreePorts.next();
        CtlRun dry = pgctl(via, transcript, "restore", "--target-lsn", lsn, "--to", lsnCopy.toString(), "--port",
            String.valueOf(lsnPort), "--dry-run");
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("Backup:    ").contains("(full, the newest that ends before the target)")
            .contains("Target:    lsn " + lsn.toUpperCase(java.util.Locale.ROOT))
            .contains("a separate copy in " + lsnCopy + " on port " + lsnPort);
        assertThat(lsnCopy).doesNotExist();

        copies.add(lsnCopy);
        CtlRun byLsn = pgctl(via, transcript, "restore", "--target-lsn", lsn, "--to", lsnCopy.toString(),
            "--port", String.valueOf(lsnPort), "--force");
        assertThat(byLsn.exit()).as(byLsn.out() + byLsn.err()).isZero();
        assertThat(byLsn.out()).contains("Restored: " + lsnCopy).contains("port=" + lsnPort)
            .contains("-D " + lsnCopy + " stop");
        assertCopy(lsnPort);

        Path timeCopy = cluster.base.resolve("copy-time");
        int timePort = FreePorts.next();
        copies.add(timeCopy);
        CtlRun byTime = pgctl(via, transcript, "restore", "--target-time", time, "--to", timeCopy.toString(),
            "--port", String.valueOf(timePort), "--force");
        assertThat(byTime.exit()).as(byTime.out() + byTime.err()).isZero();
        assertCopy(timePort);

        // A target the WAL never reaches: PostgreSQL refuses to finish recovery; its FATAL line, exit 1.
        Path unreachable = cluster.base.resolve("copy-unreachable");
        copies.add(unreachable);
        CtlRun never = pgctl(via, transcript, "restore", "--target-name", "no-such-restore-point", "--to",
            unreachable.toString(), "--force");
        assertThat(never.exit()).as(never.out() + never.err()).isEqualTo(1);
        assertThat(never.err()).startsWith("Error: PostgreSQL on " + unreachable)
            .contains("FATAL:  recovery ended before configured recovery target was reached")
            .contains("the restored files are kept").doesNotContain("Exception");
        assertThat(unreachable.resolve("PG_VERSION")).exists();

        // The running cluster: C still there, the same leader, still writable.
        assertThat(LocalCluster.count(node, "SELECT count(*) FROM t WHERE batch = 'C'")).contains(20L);
        assertThat(cluster.primary().map(n -> n.name)).contains(leader);
        LocalCluster.execute(node, "INSERT INTO t VALUES (1000, 'D')");
        Files.writeString(transcript, "copy's log (" + lsnCopy + "):\n" + Files.readString(lsnCopy.resolve(
            "restore-test.log")) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      } finally {
        for (Path c : copies) {
          stopCopy(c);
        }
      }
    }
  }

  /** The copy: A and B, not C; writable (promoted at the target) on a new timeline; not archiving. */
  private static void assertCopy(int port) throws SQLException {
    try (Connection c = copy(port); Statement s = c.createStatement()) {
      assertThat(one(s, "SELECT count(*) FILTER (WHERE batch = 'A') || '/' || count(*) FILTER (WHERE batch = 'B')"
          + " || '/' || count(*) FILTER (WHERE batch = 'C') FROM t")).isEqualTo("100/50/0");
      assertThat(one(s, "SELECT pg_is_in_recovery()::text")).isEqualTo("false");
      assertThat(one(s, "SHOW archive_mode")).isEqualTo("off");
      assertThat(one(s, "SELECT timeline_id::text FROM pg_control_checkpoint()")).isNotEqualTo("1");
      assertThat(one(s, "SELECT count(*)::text FROM pg_replication_slots")).isEqualTo("0");
      s.execute("INSERT INTO t VALUES (2000, 'copy')");
    }
  }

  private static Connection copy(int port) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("password", LocalCluster.SUPERUSER_PASSWORD);
    p.setProperty("connectTimeout", "5");
    p.setProperty("socketTimeout", "30");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
  }

  private static String one(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getString(1);
    }
  }

  private static String text(NodeSpec n, String sql) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement()) {
      return one(s, sql);
    }
  }

  /** Stops a copy this test started (pg_ctl stop on its directory; nothing when it does not run). */
  private static void stopCopy(Path dir) throws Exception {
    if (!Files.exists(dir.resolve("postmaster.pid"))) {
      return;
    }
    Process p = new ProcessBuilder(LocalCluster.PG_CTL, "-D", dir.toString(), "stop", "-m", "fast", "-w")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    p.waitFor(60, TimeUnit.SECONDS);
  }

}
