package io.pgquorum.backrest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.backrest.info.BackupInfo;
import io.pgquorum.backrest.info.StanzaInfo;
import io.pgquorum.backrest.run.ArchiveGetResult;
import io.pgquorum.backrest.run.BackrestRunner;
import io.pgquorum.backrest.run.CommandRun;
import io.pgquorum.backrest.run.Outcome;
import io.pgquorum.backrest.run.RestoreRequest;
import io.pgquorum.backrest.run.RestoreType;
import io.pgquorum.testkit.FreePorts;
import io.pgquorum.testkit.pg.ScratchPostgres;
import io.pgquorum.testkit.proc.Deadline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter against real pgBackRest 2.45 and PostgreSQL 15, end to end on one node: the generated conf and
 * archive_command, stanza-create, check, a full and an incremental backup, info parsed, archive-get, and a
 * point-in-time restore to an LSN into a new directory that is started and must hold exactly the rows committed
 * before the target.
 */
class BackrestIT {
  @TempDir
  Path dir;

  @Test
  void backupInfoAndPointInTimeRestoreOfARealCluster() throws IOException {
    BackrestSettings settings = BackrestSection.parse(Map.of("repo1", Map.of("path", dir.resolve("repo").toString()),
        "schedule", Map.of("incr", "every 1h")), "it-scope").settings().orElseThrow();
    int[] ports = FreePorts.take(2);
    NodeLayout node = new NodeLayout(dir.resolve("pg1"), ports[0], dir, dir.resolve("node1"), "postgres");
    PgBackRestConf.render(settings, node).write(node);
    BackrestRunner runner = new BackrestRunner(settings, node);
    Path copyDir = dir.resolve("copy");
    try (ScratchPostgres pg = ScratchPostgres.initdb(node.dataDir(), dir, node.port());
        ScratchPostgres copy = ScratchPostgres.existing(copyDir, dir, ports[1])) {
      pg.appendConf("archive_mode = on",
          "archive_command = '" + PgCommands.archiveCommand(settings, node).replace("'", "''") + "'");
      pg.start();

      ok(runner.stanzaCreate());
      ok(runner.check());
      pg.sql("create table t (i int)");
      pg.sql("insert into t values (1)");
      ok(runner.backup(BackupType.FULL));
      StanzaInfo afterFull = runner.info().orThrow();
      assertThat(afterFull.name()).isEqualTo("it-scope");
      assertThat(afterFull.status().ok()).as(afterFull.status().toString()).isTrue();
      assertThat(afterFull.backups()).extracting(BackupInfo::type).containsExactly(BackupType.FULL);
      String fullLabel = afterFull.backups().get(0).label();

      pg.sql("insert into t values (2)");
      ok(runner.backup(BackupType.INCR));
      StanzaInfo afterIncr = runner.info().orThrow();
      assertThat(afterIncr.backups()).extracting(BackupInfo::type).containsExactly(BackupType.FULL, BackupType.INCR);
      BackupInfo incr = afterIncr.latest(BackupType.INCR).orElseThrow();
      assertThat(incr.prior()).contains(fullLabel);
      assertThat(incr.lsnStop()).isPresent();
      assertThat(afterIncr.archiveMax()).isPresent();

      // The target lies between row 3 and row 4. It is read in a statement of its own: pg_current_wal_lsn()
      // inside the inserting transaction would precede that transaction's own commit record (reference D.5).
      pg.sql("insert into t values (3)");
      String target = pg.sql("select pg_current_wal_insert_lsn()");
      pg.sql("insert into t values (4)");
      // check switches WAL and waits until the segment holding the target (and row 4) is in the archive.
      ok(runner.check());

      String firstWal = runner.info().orThrow().archives().get(0).min().orElseThrow();
      ArchiveGetResult got = runner.archiveGet(firstWal, dir.resolve("fetched"));
      assertThat(got).as(got.toString()).isInstanceOf(ArchiveGetResult.Found.class);
      assertThat(Files.size(dir.resolve("fetched"))).isEqualTo(16L * 1024 * 1024);
      assertThat(runner.archiveGet("0000000100000000000000FF", dir.resolve("nothing")))
          .isInstanceOf(ArchiveGetResult.NotFound.class);

      Files.createDirectories(copyDir);
      Files.setPosixFilePermissions(copyDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
      ok(runner.restore(RestoreRequest.toTarget(copyDir, RestoreType.LSN, target).withArchiveModeOff()));
      copy.start();
      Deadline.await("the restored copy promotes at the target", Duration.ofSeconds(60), Duration.ofMillis(200),
          () -> copy.sql("select pg_is_in_recovery()").equals("f"), () -> copy.sql("select pg_is_in_recovery()"));
      assertThat(copy.sql("select string_agg(i::text, ',' order by i) from t")).isEqualTo("1,2,3");
      assertThat(copy.sql("select pg_walfile_name(pg_current_wal_lsn())")).startsWith("00000002");
      // A copy must never archive into the cluster's stanza.
      assertThat(copy.sql("show archive_mode")).isEqualTo("off");
      assertThat(pg.sql("select string_agg(i::text, ',' order by i) from t")).isEqualTo("1,2,3,4");
    }
  }

  private static void ok(Outcome<CommandRun> o) {
    if (o instanceof Outcome.Failed<CommandRun> f) {
      throw new AssertionError(f.failure().describe());
    }
  }
}
