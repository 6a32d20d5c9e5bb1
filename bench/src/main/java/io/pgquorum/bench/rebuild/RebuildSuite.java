package io.pgquorum.bench.rebuild;

import io.pgquorum.backrest.BackrestSection;
import io.pgquorum.backrest.BackrestSettings;
import io.pgquorum.backrest.BackupType;
import io.pgquorum.backrest.NodeLayout;
import io.pgquorum.backrest.PgBackRestConf;
import io.pgquorum.backrest.PgCommands;
import io.pgquorum.backrest.run.BackrestRunner;
import io.pgquorum.backrest.run.Outcome;
import io.pgquorum.backrest.run.RestoreRequest;
import io.pgquorum.backrest.run.RestoreType;
import io.pgquorum.bench.BenchContext;
import io.pgquorum.bench.Suite;
import io.pgquorum.bench.report.Result;
import io.pgquorum.bench.report.Summary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Time to rebuild a replica that fell behind (issue 13): what pgquorum does with a {@code backrest} section
 * ({@code pgbackrest restore --delta --type=standby} over the old data directory, then WAL from the archive and the
 * primary) against what Patroni's {@code reinit} does by default (pg_basebackup into an empty directory). Each
 * trial measures from the start of the rebuild until the replica streams from the primary having replayed past the
 * primary's WAL position at the start. Between trials pgbench writes on the primary, so the old copy is behind and
 * the backup older than the data, as in the field.
 *
 * <p>The database is pgbench's at {@code PGQUORUM_BENCH_REBUILD_SCALE} (default 200, about 3 GB; 5 with --quick).
 * The pgBackRest side uses the coordinator's own pieces (the generated pgbackrest.conf, archive_command, the runner),
 * so it measures what a node does, minus the coordinator's own (small) bookkeeping. A posix repository on the same
 * disk: a remote repository adds its network transfer to the restore, not to pg_basebackup.
 */
public final class RebuildSuite implements Suite {
  static final String SUITE = "rebuild";
  private static final Duration TOOL_TIMEOUT = Duration.ofHours(2);

  @Override
  public String name() {
    return SUITE;
  }

  @Override
  public String description() {
    return "time to rebuild a lagging replica of a pgbench database: pgbackrest restore --delta (pgquorum's "
        + "backrest section) vs pg_basebackup (Patroni's default reinit)";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    Path pgbackrest = Path.of("/usr/bin/pgbackrest");
    if (!Files.isExecutable(pgbackrest)) {
      ctx.results().skipped("rebuild", "pgBackRest is not installed (apt-get install pgbackrest)");
      return;
    }
    int scale = Integer.parseInt(System.getenv().getOrDefault("PGQUORUM_BENCH_REBUILD_SCALE",
        ctx.quick() ? "5" : "200"));
    int trials = ctx.trialsOr(1, 3);
    Duration churn = ctx.pick(Duration.ofSeconds(5), Duration.ofSeconds(60));
    Path dir = ctx.scratchDir("rebuild");
    try (Servers s = new Servers(ctx, dir)) {
      s.setUp(scale);
      List<Double> delta = new ArrayList<>();
      List<Double> basebackup = new ArrayList<>();
      for (int t = 0; t < trials; t++) {
        s.pgbench(churn);
        delta.add(s.rebuildWithDelta());
        ctx.progress(String.format("rebuild: trial %d restore --delta %.1f s", t + 1, delta.get(t)));
        s.pgbench(churn);
        basebackup.add(s.rebuildWithBasebackup());
        ctx.progress(String.format("rebuild: trial %d pg_basebackup %.1f s", t + 1, basebackup.get(t)));
      }
      String config = "pgbench scale " + scale + " (" + s.databaseSize() + "), " + churn.toSeconds()
          + " s of pgbench writes before each rebuild";
      ctx.record(Result.of(SUITE, "replica-rebuild-seconds", config, Result.PGQUORUM, "pgbackrest restore --delta",
          "s", false, Summary.of(delta)).withNote("backup", "one full backup taken after pgbench -i; WAL since "
          + "then replayed from the archive, then streamed"));
      ctx.record(Result.of(SUITE, "replica-rebuild-seconds", config, "pg_basebackup", "Patroni's default reinit",
          "s", false, Summary.of(basebackup)));
    }
  }

  /** The primary and the replica being rebuilt, each PostgreSQL 15 on a free port, and the repository. */
  private static final class Servers implements AutoCloseable {
    private final BenchContext ctx;
    private final Path dir;
    private final Procs procs;
    private final int primaryPort = io.pgquorum.testkit.FreePorts.next();
    private final int replicaPort = io.pgquorum.testkit.FreePorts.next();
    private final NodeLayout primary;
    private final NodeLayout replica;
    private final BackrestSettings settings;
    private final String user = System.getProperty("user.name");

    Servers(BenchContext ctx, Path dir) throws Exception {
      this.ctx = ctx;
      this.dir = dir;
      this.procs = new Procs(ctx.tools().pgBin(), dir.resolve("tools.log"));
      this.primary = new NodeLayout(dir.resolve("primary"), primaryPort, dir, dir.resolve("primary.pgbackrest"),
          user);
      this.replica = new NodeLayout(dir.resolve("replica"), replicaPort, dir, dir.resolve("replica.pgbackrest"),
          user);
      this.settings = BackrestSection.parse(Map.of("stanza", "bench", "repo1", Map.of("path",
          dir.resolve("repo").toString())), "bench").settings().orElseThrow();
      PgBackRestConf.render(settings, primary).write(primary);
      PgBackRestConf.render(settings, replica).write(replica);
    }

    void setUp(int scale) throws Exception {
      procs.run(TOOL_TIMEOUT, procs.bin("initdb"), "-D", primary.dataDir().toString(), "-A", "trust",
          "--data-checksums");
      Files.writeString(primary.dataDir().resolve("postgresql.conf"), serverSettings(primaryPort)
          + "archive_mode = on\narchive_command = '" + PgCommands.archiveCommand(settings, primary).replace("'", "''")
          + "'\n", java.nio.file.StandardOpenOption.APPEND);
      procs.pgCtl(primary.dataDir(), "start");
      runner(primary).stanzaCreate().orThrow();
      ctx.progress("rebuild: pgbench -i -s " + scale);
      procs.run(TOOL_TIMEOUT, procs.bin("pgbench"), "-i", "-s", Integer.toString(scale), "-h", "127.0.0.1", "-p",
          Integer.toString(primaryPort), "-U", user, "postgres");
      ctx.progress("rebuild: full backup");
      runner(primary).backup(BackupType.FULL).orThrow();
      // The replica to rebuild: a first copy, streaming, as a cluster's replica would be.
      rebuildWithBasebackup();
    }

    void pgbench(Duration d) throws Exception {
      procs.run(TOOL_TIMEOUT, procs.bin("pgbench"), "-c", "2", "-T", Long.toString(d.toSeconds()), "-h",
          "127.0.0.1", "-p", Integer.toString(primaryPort), "-U", user, "postgres");
    }

    /** pgquorum's reinit with a backrest section: stop, restore --delta over the old copy, start, catch up. */
    double rebuildWithDelta() throws Exception {
      procs.stopIfRunning(replica.dataDir());
      String target = procs.query(primaryPort, user, "SELECT pg_current_wal_lsn()::text");
      long start = System.nanoTime();
      Outcome<?> restored = runner(replica).restore(new RestoreRequest(Optional.of(replica.dataDir()), true,
          RestoreType.STANDBY, Optional.empty(), Optional.empty(), Optional.empty(), false));
      restored.orThrow();
      // As pgquorum does: pgBackRest's recovery block in postgresql.auto.conf would win over the settings below.
      Path auto = replica.dataDir().resolve("postgresql.auto.conf");
      String text = Files.readString(auto);
      int block = text.indexOf("# Recovery settings generated by pgBackRest restore");
      if (block >= 0) {
        Files.writeString(auto, text.substring(0, block));
      }
      startReplica();
      procs.awaitStreaming(replicaPort, user, target, TOOL_TIMEOUT);
      return (System.nanoTime() - start) / 1e9;
    }

    /** Patroni's default reinit: stop, an empty directory, pg_basebackup, start. */
    double rebuildWithBasebackup() throws Exception {
      procs.stopIfRunning(replica.dataDir());
      String target = procs.query(primaryPort, user, "SELECT pg_current_wal_lsn()::text");
      long start = System.nanoTime();
      Procs.deleteTree(replica.dataDir()); // the bench's own scratch copy
      procs.run(TOOL_TIMEOUT, procs.bin("pg_basebackup"), "-D", replica.dataDir().toString(), "-X", "stream", "-c",
          "fast", "-h", "127.0.0.1", "-p", Integer.toString(primaryPort), "-U", user);
      startReplica();
      procs.awaitStreaming(replicaPort, user, target, TOOL_TIMEOUT);
      return (System.nanoTime() - start) / 1e9;
    }

    /** The same standby settings after either method (the copied postgresql.conf is the primary's). */
    private void startReplica() throws Exception {
      Files.writeString(replica.dataDir().resolve("postgresql.conf"), serverSettings(replicaPort)
          + "archive_mode = off\nprimary_conninfo = 'host=127.0.0.1 port=" + primaryPort + " user=" + user
          + " application_name=replica'\nrestore_command = '"
          + PgCommands.restoreCommand(settings, replica).replace("'", "''") + "'\n",
          java.nio.file.StandardOpenOption.APPEND);
      Files.writeString(replica.dataDir().resolve("standby.signal"), "");
      procs.pgCtl(replica.dataDir(), "start");
    }

    String databaseSize() throws Exception {
      return procs.query(primaryPort, user, "SELECT pg_size_pretty(pg_database_size('postgres'))");
    }

    private String serverSettings(int port) {
      return "\nport = " + port + "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '" + dir
          + "'\nmax_wal_size = '1GB'\n";
    }

    private BackrestRunner runner(NodeLayout n) {
      return new BackrestRunner(settings, n, Map.of());
    }

    @Override
    public void close() {
      procs.stopIfRunning(replica.dataDir());
      procs.stopIfRunning(primary.dataDir());
    }
  }
}
