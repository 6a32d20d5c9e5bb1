package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.coordinator.postgres.PgState.Role;
import io.pgquorum.coordinator.postgres.PgState.Standby;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a {@link PgState}: from the data directory and postmaster.pid, then from SQL when the server accepts
 * connections, else from pg_controldata. Every step is bounded (JDBC timeouts, tool deadline) and a failure
 * degrades the answer rather than throwing: "not running" is a normal answer.
 *
 * <p>Three answers about the postmaster, never confused: stopped (no live postmaster), running (it answered the
 * probe), and unknown ({@link PgState#unknown()}): an unreadable pid file, a postmaster that says it accepts
 * connections ({@code ready}/{@code standby} in postmaster.pid) but does not answer the probe, or a probe that
 * failed unexpectedly. A postmaster that is alive but still starting up (or shutting down) is neither: it reads
 * as not running with its pid, which the HA decision treats as "starting" ({@code primary_start_timeout}).
 */
final class StateProbe {
  private static final Logger LOG = LoggerFactory.getLogger(StateProbe.class);

  private final PgContext ctx;
  private final Jdbc jdbc;
  private final ProbeConnection connection;
  private final PgCtlRunner pgCtl;
  private final DataDirectory dataDir;
  /**
   * The parameters the server was last started with at pg_control's values rather than the configured ones
   * ({@link PendingRestartReason#controlDataOverrides}), set by every start: pending until the next one.
   */
  private volatile Map<String, PendingRestartReason.Change> startedWith = Map.of();
  private final TimelineEpochRecord epochRecord;
  /** The last damaged-record warning, so a damaged file is reported once rather than on every cycle. */
  private volatile String epochWarning = "";
  /** None outside the fault-injection harness and the tests that prove a check can fail ({@link PgBug}). */
  private volatile PlantedBugs bugs = PlantedBugs.NONE;
  /** What the last probe read from pg_settings, and in which session state: see {@link SettingsMemo}. */
  private volatile SettingsMemo settingsMemo;

  /**
   * What the probe read from {@code pg_settings} (the pending-restart flag; a replica's {@link #RECOVERY_SETTINGS},
   * once read), valid while the same backend ({@code pg_backend_pid()}) shows the same {@code pg_conf_load_time()}.
   *
   * <p>Why: {@code pg_settings} builds a row for each of the server's ~350 parameters on every read, about 0.6 ms
   * of server CPU, and the probe read it once (a replica: twice) a cycle, most of what an idle PostgreSQL spent on
   * pgquorum (bench {@code cost}: 0.80 CPU s/min per node against Patroni's 0.14). Why it is safe: both values are
   * the session's view of the configuration, which changes only when the session processes a reload (SIGHUP: the
   * flag and the sighup-level recovery settings are set while the files are read then) or when the server restarts
   * (a new backend); processing a reload sets the session's {@code pg_conf_load_time()} (also when the files hold
   * an error and only the unaffected changes are applied: checked on PostgreSQL 15), and a backend processes it
   * only between statements, never during one. So the time read in the same statement as the values names the state
   * they describe, and a later statement that shows the same time in the same backend sees the same state. A reload
   * in between shows a new time at the next probe, which reads again. pgquorum sets none of these parameters in its
   * session ({@link AdminSession}'s one {@code set_config} is {@code synchronous_commit}, local to a transaction).
   */
  private record SettingsMemo(long backendPid, String confLoadTime, boolean pendingRestart,
      Optional<Map<String, String>> recovery) {
    boolean holdsFor(long pid, String loaded) {
      return backendPid == pid && confLoadTime.equals(loaded);
    }
  }

  StateProbe(PgContext ctx, Jdbc jdbc, ProbeConnection connection, PgCtlRunner pgCtl) {
    this.ctx = ctx;
    this.jdbc = jdbc;
    this.connection = connection;
    this.pgCtl = pgCtl;
    this.dataDir = new DataDirectory(ctx.dataDir);
    this.epochRecord = TimelineEpochRecord.of(ctx.dataDir);
  }

  /** Plants {@code planted}'s {@link PgBug}s in this probe (set once, before the first probe). */
  void plantedBugs(PlantedBugs planted) {
    bugs = planted;
  }

  /** What the start that is about to happen overrides (empty: the configured values throughout). */
  void startedWith(Map<String, PendingRestartReason.Change> overrides) {
    startedWith = Map.copyOf(overrides);
  }

  PgState probe() {
    try {
      return withEpoch(probeOrThrow());
    } catch (RuntimeException e) {
      // Probing is the HA loop's eyes: an unexpected failure is an answer ("cannot tell"), never an exception,
      // and never "stopped" (which would let a start slip in next to a live server or make a holder keep its
      // lock over a primary it cannot see).
      String why = "the probe failed: " + ctx.redactor.apply(String.valueOf(e.getMessage()));
      LOG.warn("probe: {}", why);
      return Files.isDirectory(ctx.dataDir) ? PgState.unknown(why) : PgState.stopped(DataDirState.MISSING);
    }
  }

  /**
   * What a promotion records its new timeline's epoch from (see {@code LocalPostgres.recordPromotion}).
   *
   * @param systemIdentifier the data's system identifier
   * @param timeline the timeline the replica replays, as {@link #probe} determines it
   * @param epochLine the epochs the record next to the data directory knows for that timeline's line
   */
  record PromotionFacts(String systemIdentifier, int timeline, TimelineEpochLine epochLine) {}

  /**
   * {@link PromotionFacts} over {@code c}, a session the promotion holds: the system identifier and the replay
   * timeline the way {@link #probe} finds a replica's, in one query plus the startup process's title, instead of a
   * whole probe (slots, recovery settings, archiver: 40-70 ms of the switchover's write gap, measured).
   */
  PromotionFacts promotionFacts(Connection c) throws SQLException {
    String sysid;
    int checkpointTimeline;
    OptionalLong startupPid;
    int receivedTli;
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT (SELECT system_identifier FROM pg_control_system())::text,"
            + " (pg_control_checkpoint()).timeline_id,"
            + " (SELECT pid FROM pg_stat_activity WHERE backend_type = 'startup'),"
            + " coalesce((SELECT received_tli FROM pg_stat_wal_receiver), 0)")) {
      r.next();
      sysid = r.getString(1);
      checkpointTimeline = r.getInt(2);
      startupPid = optionalLong(r, 3);
      receivedTli = r.getInt(4);
    }
    int timeline = replicaTimeline(c, startupPid, receivedTli, checkpointTimeline);
    return new PromotionFacts(sysid, timeline, epochLine(Optional.ofNullable(sysid), timeline));
  }

  /**
   * The timeline a running replica follows: best, the one the startup process replays ({@link StartupTitle}), read
   * after the replay position, so a replica already past a switch shows the new timeline too; the history files
   * alone make a replica that replayed its old timeline past the fork point look like a healthy replica of the new
   * one. Without a title, the other sources ({@link #historyFallbackTimeline}).
   */
  private static int replicaTimeline(Connection c, OptionalLong startupPid, int receivedTli, int checkpointTimeline)
      throws SQLException {
    OptionalInt replaying = startupPid.isPresent() ? replayTimeline(startupPid.getAsLong()) : OptionalInt.empty();
    return replaying.isPresent() ? replaying.getAsInt()
        : historyFallbackTimeline(c, receivedTli > 0 ? receivedTli : checkpointTimeline);
  }

  /**
   * {@code s} with the epochs of its line from the record next to the data directory, when the record is for this
   * data (same system identifier; entries up to the data's timeline: the current one's is known only when the record
   * has an entry for exactly that timeline); a damaged record is reported (once per distinct problem) and
   * counts as unknown, never as a failed probe.
   */
  private PgState withEpoch(PgState s) {
    if (s.dataDir() != DataDirState.INITIALIZED || s.timeline() <= 0) {
      return s;
    }
    return s.withEpochLine(epochLine(s.systemIdentifier(), s.timeline()));
  }

  /** The record's line for data of {@code sysid} up to {@code timeline}; a damaged record is reported once. */
  private TimelineEpochLine epochLine(Optional<String> sysid, int timeline) {
    String[] damage = {""};
    TimelineEpochLine line = epochRecord.knownLine(sysid, timeline, why -> damage[0] = why);
    if (!damage[0].isEmpty() && !damage[0].equals(epochWarning)) {
      LOG.warn("probe: {} (the timeline's epoch counts as unknown)", damage[0]);
    }
    epochWarning = damage[0];
    return line;
  }


  private PgState probeOrThrow() {
    DataDirState dirState;
    try {
      dirState = dataDir.state();
    } catch (PostgresException e) {
      LOG.warn("probe: {}", e.getMessage());
      return PgState.stopped(DataDirState.MISSING);
    }
    if (dirState != DataDirState.INITIALIZED) {
      return PgState.stopped(dirState);
    }
    PostmasterPid.Liveness liveness = PostmasterPid.liveness(ctx.dataDir);
    if (liveness instanceof PostmasterPid.Unknown u) {
      LOG.warn("probe: {}", u.reason());
      return PgState.unknown(u.reason());
    }
    Optional<PostmasterPid> pm = liveness instanceof PostmasterPid.Alive a ? Optional.of(a.postmaster())
        : Optional.empty();
    if (pm.isPresent()) {
      String failure;
      try {
        PostmasterPid postmaster = pm.get();
        PgState seen = connection.run(postmaster, jdbc.probeRead(), c -> {
          PgState s = running(c, postmaster);
          return s.withPendingRestartReason(PendingRestartReason.merge(
              s.pendingRestart() ? pendingRows(c) : Map.of(), startedWith));
        });
        return seen;
      } catch (SQLException e) {
        failure = jdbc.describe(e);
        LOG.debug("probe: postmaster {} does not accept connections: {}", pm.get().pid(), failure);
      } catch (RuntimeException e) {
        failure = ctx.redactor.apply(String.valueOf(e.getMessage()));
        LOG.warn("probe: querying the running server failed: {}", failure);
      }
      if (pm.get().acceptsConnections()) {
        // It says it serves (ready/standby) but does not answer us: a primary we cannot see. Unknown, not
        // stopped and not starting: the decision counts such cycles and fails over after a few.
        PgState seen = stopped(pm);
        return withUnknown(seen, "postmaster " + pm.get().pid() + " is " + pm.get().status().orElse("?")
            + " but does not answer pgquorum's probe: " + failure);
      }
    }
    return stopped(pm);
  }

  private static PgState withUnknown(PgState s, String reason) {
    return new PgState(s.dataDir(), false, s.pid(), s.postmasterStartTime(), s.role(), s.timeline(),
        s.walPosition(), s.receivedLsn(), s.replayedLsn(), s.replayedTimestamp(), s.replicationState(),
        s.upstream(), s.replication(), s.systemIdentifier(), s.serverVersion(), s.fencingToken(),
        s.pendingRestart(), false, Optional.of(reason));
  }

  /** Not accepting connections (stopped, starting, stopping): what pg_controldata says. */
  private PgState stopped(Optional<PostmasterPid> pm) {
    Optional<ControlData> cd = Optional.empty();
    if (dataDir.hasCluster()) {
      try {
        cd = Optional.of(pgCtl.controlData());
      } catch (PostgresException e) {
        LOG.warn("probe: {}", e.getMessage());
      }
    }
    int timeline = 0;
    long position = 0;
    Optional<String> sysid = Optional.empty();
    boolean clean = false;
    if (cd.isPresent()) {
      try {
        ControlData d = cd.get();
        // PLANTED BUG stopped-probe-checkpoint-timeline: the checkpoint's timeline, as before commit 4c237c0.
        timeline = bugs.active(PgBug.STOPPED_PROBE_CHECKPOINT_TIMELINE) ? d.checkpointTimeline() : d.dataTimeline();
        position = d.redoLocation();
        sysid = Optional.of(d.systemIdentifier());
        clean = pm.isEmpty() && d.cleanShutdown();
      } catch (RuntimeException e) {
        LOG.warn("probe: unexpected pg_controldata output: {}", e.getMessage());
      }
    }
    OptionalLong pid = pm.map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty());
    return new PgState(DataDirState.INITIALIZED, false, pid, pm.flatMap(PostmasterPid::startTime), Role.UNKNOWN,
        timeline, position, OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), List.of(), sysid, 0, new ConfigWriter(ctx).currentToken(), false, clean);
  }

  private PgState running(Connection c, PostmasterPid pm) throws SQLException {
    boolean inRecovery;
    int version;
    String sysid;
    Instant started;
    OptionalLong token = OptionalLong.empty();
    boolean pendingRestart;
    long backendPid;
    String confLoaded;
    // Prepared statements on the kept connection (here and below): after five runs the JDBC driver keeps a
    // server-side statement, so the server no longer plans these queries over catalog views every cycle
    // (pg_stat_replication's plan cost about 0.9 ms of server CPU a cycle, measured with pgbench).
    try (PreparedStatement s = c.prepareStatement("SELECT pg_is_in_recovery(),"
            + " current_setting('server_version_num')::int,"
            + " (SELECT system_identifier FROM pg_control_system())::text, pg_postmaster_start_time(),"
            + " current_setting('" + ConfigWriter.FENCING_TOKEN + "', true), pg_backend_pid(),"
            + " pg_conf_load_time()::text");
        ResultSet r = s.executeQuery()) {
      r.next();
      inRecovery = r.getBoolean(1);
      version = r.getInt(2);
      sysid = r.getString(3);
      started = r.getTimestamp(4).toInstant();
      String t = r.getString(5);
      if (t != null && !t.isEmpty()) {
        try {
          token = OptionalLong.of(Long.parseLong(t.trim()));
        } catch (NumberFormatException ignored) {
          // someone set a non-numeric value by hand: report none
        }
      }
      backendPid = r.getLong(6);
      confLoaded = r.getString(7);
    }
    SettingsMemo settings = settings(c, backendPid, confLoaded);
    pendingRestart = settings.pendingRestart();
    if (!inRecovery) {
      // synchronous_standby_names before the position: the synchronous replication rules take this position as at
      // or past every commit acknowledged under an earlier value (SyncDuty's mark), so it is read after the value.
      String standbyNames;
      String synchronousCommit;
      // current_setting: the value this session got, the server's unless a role or database setting overrides it
      // for pgquorum's own user (pgquorum sets none; its one no-wait commit sets it locally in its transaction).
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT current_setting("
          + "'synchronous_standby_names'), current_setting('synchronous_commit')")) {
        r.next();
        standbyNames = r.getString(1);
        synchronousCommit = r.getString(2);
      }
      long position;
      int timeline;
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint,"
              + " substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)")) {
        r.next();
        position = r.getLong(1);
        // Right after a promotion pg_control_checkpoint() still shows the old timeline; the WAL file name does not.
        timeline = Integer.parseInt(r.getString(2), 16);
      }
      List<Standby> standbys = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement("SELECT application_name, coalesce(client_addr::text, ''),"
              + " state, sync_state, coalesce(pg_wal_lsn_diff(flush_lsn, '0/0'), 0)::bigint,"
              + " coalesce(pg_wal_lsn_diff(write_lsn, '0/0'), 0)::bigint,"
              + " coalesce(pg_wal_lsn_diff(replay_lsn, '0/0'), 0)::bigint FROM pg_stat_replication"
              + " ORDER BY application_name");
          ResultSet r = s.executeQuery()) {
        while (r.next()) {
          standbys.add(new Standby(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getLong(5),
              r.getLong(6), r.getLong(7)));
        }
      }
      Map<String, Long> slots = slots(c);
      return new PgState(DataDirState.INITIALIZED, true, OptionalLong.of(pm.pid()), Optional.of(started),
          Role.PRIMARY, timeline, position, OptionalLong.empty(), OptionalLong.empty(), Optional.empty(),
          Optional.empty(), Optional.empty(), standbys, Optional.of(sysid), version, token, pendingRestart, false)
          .withSlots(slots).withArchiver(archiver(c, true)).withSynchronousStandbyNames(Optional.of(standbyNames))
          .withSynchronousCommit(Optional.of(synchronousCommit));
    }
    OptionalLong received;
    OptionalLong replayed;
    Optional<Instant> replayedAt;
    try (PreparedStatement s = c.prepareStatement("SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(),"
            + " '0/0')::bigint, pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint,"
            + " pg_last_xact_replay_timestamp(), (pg_control_checkpoint()).timeline_id,"
            + " current_setting('primary_conninfo'), (SELECT pid FROM pg_stat_activity WHERE backend_type = 'startup'),"
            + " pg_get_wal_replay_pause_state()");
        ResultSet r = s.executeQuery()) {
      r.next();
      received = optionalLong(r, 1);
      replayed = optionalLong(r, 2);
      Timestamp ts = r.getTimestamp(3);
      replayedAt = ts == null ? Optional.empty() : Optional.of(ts.toInstant());
      int checkpointTimeline = r.getInt(4);
      String conninfo = r.getString(5);
      Optional<String> upstream = upstreamOf(conninfo);
      OptionalLong startupPid = optionalLong(r, 6);
      Optional<String> pauseState = Optional.ofNullable(r.getString(7));
      String status = null;
      int receivedTli = 0;
      try (PreparedStatement s2 = c.prepareStatement("SELECT status, received_tli FROM pg_stat_wal_receiver");
          ResultSet w = s2.executeQuery()) {
        if (w.next()) {
          status = w.getString(1);
          receivedTli = w.getInt(2);
        }
      }
      // Read after the replay position above (see replicaTimeline).
      int timeline = replicaTimeline(c, startupPid, receivedTli, checkpointTimeline);
      long position = Math.max(received.orElse(0), replayed.orElse(0));
      String state = "streaming".equals(status) ? "streaming" : "in archive recovery";
      return new PgState(DataDirState.INITIALIZED, true, OptionalLong.of(pm.pid()), Optional.of(started),
          Role.REPLICA, timeline, position, received, replayed, replayedAt, Optional.of(state), upstream, List.of(),
          Optional.of(sysid), version, token, pendingRestart, false, Optional.empty(), pauseState)
          .withTimelineHistory(ownHistory(timeline)).withSlots(slots(c))
          .withRecoverySettings(recoverySettings(c, settings)).withArchiver(archiver(c, false));
    }
  }

  /**
   * WAL archiving's statistics where an archiver runs: a primary with archive_mode on or always, a replica with
   * always (with on, a standby's archiver does not run and its counters say nothing). Read apart from the rest of
   * the probe: they are for monitoring only, so a failure (pg_ls_archive_statusdir needs superuser or pg_monitor)
   * is logged and leaves them out rather than failing the probe the HA decision needs.
   */
  private Optional<ArchiverStats> archiver(Connection c, boolean primary) {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT current_setting('archive_mode'), archived_count, failed_count,"
            + " last_archived_time, last_failed_time,"
            + " (SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready') FROM pg_stat_archiver")) {
      if (!r.next()) {
        return Optional.empty();
      }
      String mode = r.getString(1);
      if (!("always".equals(mode) || (primary && "on".equals(mode)))) {
        return Optional.empty();
      }
      Timestamp archived = r.getTimestamp(4);
      Timestamp failed = r.getTimestamp(5);
      return Optional.of(new ArchiverStats(r.getLong(2), r.getLong(3),
          Optional.ofNullable(archived).map(Timestamp::toInstant),
          Optional.ofNullable(failed).map(Timestamp::toInstant), r.getLong(6)));
    } catch (SQLException e) {
      LOG.warn("probe: reading WAL archiving's statistics failed: {}", jdbc.describe(e));
      return Optional.empty();
    }
  }

  /** The recovery settings a standby_cluster section sets, as the server runs with them now ({@link PgState}). */
  static final List<String> RECOVERY_SETTINGS = List.of("restore_command",
      "archive_cleanup_command", "recovery_min_apply_delay", "primary_slot_name");

  /**
   * The memo for this session's configuration state ({@link SettingsMemo}): the last one when it holds for
   * {@code backendPid} at {@code confLoaded}, else a new read of the pending-restart flag, keyed by the load time
   * read in the same statement.
   */
  private SettingsMemo settings(Connection c, long backendPid, String confLoaded) throws SQLException {
    SettingsMemo memo = settingsMemo;
    if (memo != null && memo.holdsFor(backendPid, confLoaded)) {
      return memo;
    }
    try (PreparedStatement s = c.prepareStatement("SELECT pg_conf_load_time()::text, EXISTS (SELECT 1 FROM"
            + " pg_settings WHERE pending_restart AND " + countedSql("name") + ")");
        ResultSet r = s.executeQuery()) {
      r.next();
      memo = new SettingsMemo(backendPid, r.getString(1), r.getBoolean(2), Optional.empty());
    }
    settingsMemo = memo;
    return memo;
  }

  /**
   * A running replica's {@link #RECOVERY_SETTINGS} from pg_settings, whose {@code setting} is in the base unit
   * (milliseconds for recovery_min_apply_delay), so the decision compares a value, not a spelling: from
   * {@code memo} once read in its session state, else read, and kept in the memo when the load time read in the
   * same statement is the memo's (no reload processed since the memo's own read).
   */
  private Map<String, String> recoverySettings(Connection c, SettingsMemo memo) throws SQLException {
    if (memo.recovery().isPresent()) {
      return memo.recovery().get();
    }
    Map<String, String> out = new java.util.TreeMap<>();
    String loaded = null;
    try (PreparedStatement s = c.prepareStatement(
        "SELECT pg_conf_load_time()::text, name, setting FROM pg_settings WHERE name = ANY (?)")) {
      s.setArray(1, c.createArrayOf("text", RECOVERY_SETTINGS.toArray()));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          loaded = r.getString(1);
          out.put(r.getString(2), r.getString(3) == null ? "" : r.getString(3));
        }
      }
    }
    Map<String, String> read = java.util.Collections.unmodifiableMap(out);
    if (memo.confLoadTime().equals(loaded) && settingsMemo == memo) {
      settingsMemo = new SettingsMemo(memo.backendPid(), memo.confLoadTime(), memo.pendingRestart(),
          Optional.of(read));
    }
    return read;
  }

  /**
   * Parameters never counted as pending a restart, as Patroni leaves them out ({@code reload_config}'s
   * {@code params_skip_changes}): the recovery parameters and {@code hot_standby}. pgquorum writes them per role
   * itself (a standby's recovery targets empty, {@code recovery_target_timeline} latest; a start may need
   * {@code hot_standby} off), they take effect when the role changes anyway, and a flag for them would ask an
   * operator for a restart that changes nothing (a replica shown "Pending restart" after a recovery setting
   * changed). Here, not in the pure PendingRestartReason: the list is the configuration registry's
   * (RecoveryConf), which the decision types must not reach.
   */
  private static final java.util.Set<String> NOT_COUNTED = notCounted();

  private static java.util.Set<String> notCounted() {
    java.util.Set<String> names = new java.util.TreeSet<>(io.pgquorum.coordinator.config.RecoveryConf.PARAMETERS);
    names.add("hot_standby");
    return java.util.Collections.unmodifiableSet(names);
  }

  /**
   * The SQL condition on {@code column} (a pg_settings name column) that leaves {@link #NOT_COUNTED} out; the names
   * are constants, so they are written into the query.
   */
  private static String countedSql(String column) {
    return column + " <> ALL (ARRAY[" + String.join(", ", NOT_COUNTED.stream().map(n -> "'" + n + "'").toList())
        + "])";
  }

  /**
   * The pending rows of pg_settings with the value the configuration files now give each (pg_file_settings reads
   * the files at query time; the last entry wins, as when PostgreSQL reads them). A failure leaves the reasons out
   * (the flag stays): they are shown to operators, and the decision needs only the flag.
   */
  private Map<String, PendingRestartReason.Change> pendingRows(Connection c) {
    List<PendingRestartReason.Row> rows = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT s.name, current_setting(s.name), coalesce(s.unit, ''), s.vartype,"
            + " (SELECT f.setting FROM pg_file_settings f WHERE lower(f.name) = s.name"
            + " ORDER BY f.seqno DESC LIMIT 1) FROM pg_settings s WHERE s.pending_restart AND "
            + countedSql("s.name") + " ORDER BY s.name")) {
      while (r.next()) {
        rows.add(new PendingRestartReason.Row(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
            Optional.ofNullable(r.getString(5))));
      }
    } catch (SQLException e) {
      LOG.warn("probe: reading the parameters pending a restart failed: {}", jdbc.describe(e));
      return Map.of();
    }
    return PendingRestartReason.fromRows(rows);
  }

  /**
   * The server's replication slots by name with their positions (restart_lsn of a physical slot,
   * confirmed_flush_lsn of a logical one), those without a position left out. A replica's too: the slots it keeps
   * for members cascading from it, which it must drop once none does (see Decider's cascadeSlots).
   */
  private static Map<String, Long> slots(Connection c) throws SQLException {
    Map<String, Long> slots = new java.util.TreeMap<>();
    try (PreparedStatement s = c.prepareStatement("SELECT slot_name, pg_wal_lsn_diff(CASE WHEN slot_type ="
            + " 'logical' THEN confirmed_flush_lsn ELSE restart_lsn END, '0/0')::bigint FROM pg_replication_slots");
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        long at = r.getLong(2);
        if (!r.wasNull()) {
          slots.put(r.getString(1), at);
        }
      }
    }
    return slots;
  }

  /**
   * The switches of this replica's own history file for the timeline it replays, read from its pg_wal (the
   * daemon owns the data directory; no SQL function reads it without extra privileges). Empty when it cannot be
   * read: then the decision cannot tell forks of the same timeline number apart, as before, but nothing else
   * changes.
   */
  private List<TimelineSwitch> ownHistory(int timeline) {
    try {
      return HistoryFile.read(ctx.dataDir, timeline);
    } catch (PostgresException e) {
      LOG.debug("probe: {}", e.getMessage());
      return List.of();
    }
  }

  /** The startup process's replay timeline from its title, when it shows one (see {@link StartupTitle}). */
  private static OptionalInt replayTimeline(long startupPid) {
    try {
      byte[] cmdline = Files.readAllBytes(java.nio.file.Path.of("/proc", Long.toString(startupPid), "cmdline"));
      return StartupTitle.timeline(new String(cmdline, java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' '));
    } catch (java.io.IOException | SecurityException e) {
      return OptionalInt.empty(); // not Linux, or the process just ended: fall back to the other sources
    }
  }

  /**
   * A replica's timeline without its startup process's title: pg_stat_wal_receiver says it only while streaming,
   * and the checkpoint's timeline ({@code receiverOrCheckpoint} when no receiver runs) lags a switch until the
   * next restartpoint (a replica that followed a promotion and then lost its upstream still reads 1 there). With
   * recovery_target_timeline=latest a replica switches to the newest timeline whose history file it holds: its
   * upstream sends that file before the WAL of the new timeline, as Patroni's replica timeline check also relies
   * on; but so it does to a replica that cannot switch (see {@link StartupTitle}), hence only a fallback.
   */
  private static int historyFallbackTimeline(Connection c, int receiverOrCheckpoint) throws SQLException {
    int historyTimeline = 0;
    try (Statement s = c.createStatement();
        ResultSet h = s.executeQuery("SELECT name FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{8}[.]history$'")) {
      while (h.next()) {
        historyTimeline = Math.max(historyTimeline, Integer.parseInt(h.getString(1).substring(0, 8), 16));
      }
    }
    return Math.max(historyTimeline, receiverOrCheckpoint);
  }

  private static OptionalLong optionalLong(ResultSet r, int column) throws SQLException {
    long v = r.getLong(column);
    return r.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /** host:port from a primary_conninfo, when it names a host. */
  static Optional<String> upstreamOf(String conninfo) {
    if (conninfo == null || conninfo.isBlank()) {
      return Optional.empty();
    }
    Map<String, String> kv = ConnInfo.parse(conninfo);
    String host = kv.getOrDefault("host", kv.get("hostaddr"));
    if (host == null || host.isEmpty()) {
      return Optional.empty();
    }
    String port = kv.getOrDefault("port", "5432");
    return Optional.of(host.contains(":") ? "[" + host + "]:" + port : host + ":" + port);
  }
}
