package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.postgres.ProcessRunner.OnTimeout;
import io.pgquorum.coordinator.postgres.ProcessRunner.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Divergence check and pg_rewind for a stopped former primary (or standby) that must follow a new upstream.
 */
final class Rewinder {
  private static final Logger LOG = LoggerFactory.getLogger(Rewinder.class);

  private final PgContext ctx;
  private final Jdbc jdbc;
  private final PgCtlRunner pgCtl;
  private final ConfigWriter config;

  Rewinder(PgContext ctx, Jdbc jdbc, PgCtlRunner pgCtl, ConfigWriter config) {
    this.ctx = ctx;
    this.jdbc = jdbc;
    this.pgCtl = pgCtl;
    this.config = config;
  }

  /** Where the local cluster's history ends. */
  record LocalPosition(int timeline, long lsn, boolean wasStandby) {}

  boolean needsRewind(Upstream upstream) {
    String op = "rewind check against " + ReplicaCreator.describe(upstream);
    requireStopped(op);
    LocalPosition local = localPosition(op);
    UpstreamTimeline remote = UpstreamTimeline.fetch(jdbc, upstream);
    String sysid = pgCtl.controlData().systemIdentifier();
    if (!sysid.equals(remote.systemIdentifier())) {
      throw new PostgresException(op + ": the upstream belongs to another cluster (system identifier "
          + remote.systemIdentifier() + ", ours " + sysid + ")");
    }
    boolean diverged = TimelineHistory.diverged(local.timeline(), local.lsn(), local.wasStandby(),
        localHistory(local.timeline(), op), remote.timeline(), remote.history());
    LOG.info("{}: local timeline {} at {} ({}), upstream timeline {}: {}", op, local.timeline(),
        Lsn.format(local.lsn()), local.wasStandby() ? "standby" : "former primary", remote.timeline(),
        diverged ? "diverged, needs rewind" : "no divergence");
    return diverged;
  }

  /**
   * The local cluster's own history file for {@code timeline}; empty (the switches then go unchecked, as the
   * timeline numbers alone decide) when it cannot be read.
   */
  private List<TimelineHistory.Entry> localHistory(int timeline, String op) {
    try {
      return HistoryFile.read(ctx.dataDir, timeline).stream()
          .map(sw -> new TimelineHistory.Entry(sw.timeline(), sw.lsn())).toList();
    } catch (PostgresException e) {
      LOG.warn("{}: {}; comparing timeline numbers only", op, e.getMessage());
      return List.of();
    }
  }

  /**
   * The end of the local history from pg_control. A standby's is its minimum recovery point (what its data
   * files may already contain); a former primary's is its last checkpoint, after crash recovery if it did not
   * shut down cleanly, since before that the control file does not know how far its WAL goes.
   */
  LocalPosition localPosition(String op) {
    ControlData cd = pgCtl.controlData();
    if (cd.wasInRecovery() && cd.minRecoveryEnd() != 0 && cd.minRecoveryEndTimeline() != 0) {
      long lsn = cd.minRecoveryEnd();
      if (cd.checkpointTimeline() == cd.minRecoveryEndTimeline()) {
        lsn = Math.max(lsn, cd.checkpointLocation());
      }
      return new LocalPosition(cd.minRecoveryEndTimeline(), lsn, true);
    }
    if (!cd.cleanShutdown()) {
      ensureCleanShutdown(op);
      cd = pgCtl.controlData();
    }
    return new LocalPosition(cd.checkpointTimeline(), cd.checkpointLocation(), cd.wasInRecovery());
  }

  /** Crash recovery of a cluster that stopped uncleanly; a signal file would make single-user mode refuse. */
  private void ensureCleanShutdown(String op) {
    LOG.info("{}: {} did not shut down cleanly, running crash recovery first", op, ctx.dataDir);
    try {
      for (String f : List.of("standby.signal", "recovery.signal")) {
        Files.deleteIfExists(ctx.dataDir.resolve(f));
      }
    } catch (IOException e) {
      throw new PostgresException(op + ": removing signal files failed: " + e.getMessage(), e);
    }
    pgCtl.singleUserRecovery(op);
  }

  boolean rewind(Upstream upstream) {
    String op = "pg_rewind from " + ReplicaCreator.describe(upstream);
    requireStopped(op);
    long token = config.currentToken().orElse(0); // pg_rewind replaces our file with the source's copy
    try {
      ControlData cd = pgCtl.controlData();
      if (!cd.walLogHints() && !cd.dataChecksums()) {
        LOG.warn("{}: impossible, the cluster has neither wal_log_hints nor data checksums", op);
        return false;
      }
      if (!cd.cleanShutdown()) {
        ensureCleanShutdown(op);
      }
    } catch (PostgresException e) {
      LOG.warn("{}: {}", op, e.getMessage());
      return false;
    }
    ctx.writePgPass();
    Credentials role = ctx.pg.rewindRole();
    checkpointSource(op, upstream, role);
    Map<String, String> source = new LinkedHashMap<>();
    source.put("host", upstream.host());
    source.put("port", Integer.toString(upstream.port()));
    source.put("user", role.username());
    source.put("dbname", "postgres");
    role.extra().forEach(source::putIfAbsent);
    List<String> argv = List.of(ctx.bin("pg_rewind"), "--target-pgdata=" + ctx.dataDir,
        "--source-server=" + ConnInfo.render(source));
    Result r;
    try {
      r = ctx.runner.run(op, argv, ctx.libpqEnv(), PgContext.LONG_TOOL_TIMEOUT, OnTimeout.KILL_TREE);
    } catch (PostgresException e) {
      LOG.warn("{}: {}", op, e.getMessage());
      return false;
    }
    if (!r.ok()) {
      LOG.warn("{} failed (exit {}){}", op, r.exitCode(), ProcessRunner.outputSuffix(r.output()));
      return false;
    }
    LOG.info("{}: {}", op, r.tail().lines().reduce((a, b) -> b).orElse("done"));
    if (r.output().contains("no rewind required")) {
      // pg_rewind judged from the source's control file; make sure our own reading of the history agrees
      // before calling a diverged cluster a follower.
      try {
        if (needsRewind(upstream)) {
          LOG.warn("{}: pg_rewind found nothing to do but the timelines diverged", op);
          return false;
        }
      } catch (PostgresException e) {
        LOG.warn("{}: {}", op, e.getMessage());
        return false;
      }
    }
    config.clearPending();
    config.writeStandby(token, config.replicaSettings(upstream));
    return true;
  }

  /**
   * pg_rewind compares timelines from the source's control file, which a promoted server updates only at its
   * next checkpoint: right after a promotion it still shows the old timeline, and pg_rewind then reports "no
   * rewind required" for a target that did diverge. A CHECKPOINT on the source first (the rewind role has
   * pg_checkpoint) makes the control file current. Cheap when there is little to flush; a failure is only
   * logged, pg_rewind then decides with what it has.
   */
  private void checkpointSource(String op, Upstream upstream, Credentials role) {
    try (Connection c = jdbc.remote(upstream.host(), upstream.port(), role); Statement s = c.createStatement()) {
      s.execute("CHECKPOINT");
    } catch (SQLException e) {
      LOG.warn("{}: CHECKPOINT on the source failed ({}); pg_rewind may miss a fresh promotion", op,
          jdbc.describe(e));
    }
  }

  private void requireStopped(String op) {
    PostmasterPid.running(ctx.dataDir).ifPresent(p -> {
      throw new PostgresException(op + ": PostgreSQL is running (pid " + p.pid() + "); stop it first");
    });
    if (!new DataDirectory(ctx.dataDir).hasCluster()) {
      throw new PostgresException(op + ": there is no cluster in " + ctx.dataDir);
    }
  }
}
