package io.pgquorum.coordinator.postgres;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One probe of the local PostgreSQL: what the HA decision needs to know, as plain values (no JDBC types).
 *
 * @param dataDir whether the data directory is missing, empty, or holds a cluster
 * @param running a postmaster for this data directory is alive and accepting connections
 * @param pid the postmaster's pid, when one is running (even if not yet accepting connections)
 * @param postmasterStartTime when the postmaster started
 * @param role PRIMARY (not in recovery), REPLICA (in recovery), UNKNOWN when not running
 * @param timeline current timeline (when running: from the WAL position; when stopped: pg_controldata)
 * @param walPosition primary: pg_current_wal_lsn; replica: the greater of received and replayed; stopped: the
 *     latest checkpoint's redo location — all as bytes
 * @param receivedLsn replica: last WAL received from the upstream
 * @param replayedLsn replica: last WAL replayed
 * @param replayedTimestamp replica: commit time of the last replayed transaction
 * @param replicationState replica: {@code streaming} when a WAL receiver is streaming, {@code in archive
 *     recovery} otherwise
 * @param upstream replica: host:port in its primary_conninfo, when set
 * @param replication primary: one entry per connected standby (pg_stat_replication)
 * @param systemIdentifier the cluster's database system identifier, when a cluster exists
 * @param serverVersion server_version_num, e.g. 150010
 * @param fencingToken the {@code pgquorum.fencing_token} setting the server currently runs with
 * @param pendingRestart a changed parameter waits for a restart
 * @param cleanShutdown stopped: pg_controldata says "shut down" (primary) or "shut down in recovery"
 * @param unknown why this probe cannot tell whether a postmaster runs (an unreadable postmaster.pid, a probe
 *     that failed unexpectedly); empty when it can. A state that is unknown is never "stopped": a primary
 *     may be running, so nothing may be started next to it and fences must not be disarmed
 * @param replayPauseState replica: {@code pg_get_wal_replay_pause_state()}, {@code not paused},
 *     {@code pause requested} or {@code paused} (see {@link #replayPaused()})
 * @param timelineHistory running replica: the switches its own history file for {@code timeline} records, oldest
 *     first (where each ancestor timeline ended); empty on timeline 1, when the file cannot be read, and for
 *     every other state. Why: two forks can carry the same timeline number, and only the switch points tell
 *     whether a replica's timeline is the leader's
 * @param slots running primary or replica: its replication slots (pg_replication_slots) by name, with restart_lsn
 *     (a physical slot) or confirmed_flush_lsn (a logical one) in bytes; slots without a position yet are left out.
 *     Empty otherwise
 * @param pendingRestartReason running: the parameters waiting for a restart, each with the value the server runs
 *     with and the one a restart brings ({@link PendingRestartReason}), by name; Patroni's
 *     {@code pending_restart_reason}. Empty otherwise, and whenever {@code pendingRestart} is false
 * @param recoverySettings running replica: the recovery settings it runs with now, from pg_settings, by name
 *     ({@code restore_command}, {@code archive_cleanup_command}, {@code primary_slot_name} as set,
 *     {@code recovery_min_apply_delay} in milliseconds); what a change of {@code standby_cluster} is checked
 *     against ({@code StandbyRules}). Empty otherwise, and for keys not probed
 * @param archiver running with an archiver (a primary with archive_mode on or always, a replica with always): WAL
 *     archiving's statistics ({@link ArchiverStats}); empty otherwise, and when they could not be read. Shown to
 *     monitoring only, never read by the decision
 * @param synchronousStandbyNames running primary: the {@code synchronous_standby_names} it runs with now ("" when
 *     none), what the synchronous replication rules compare against ({@code SyncDuty}); empty otherwise
 * @param timelineEpoch the fencing token of the promotion that started the fork of {@code timeline} this data
 *     directory holds (its "epoch"), when recorded; empty when unknown. Why: two promotions that do not know of
 *     each other both make "timeline T + 1", possibly at the same switch point, so neither the number nor the
 *     history file tells the forks apart, but their fencing tokens differ (the DCS hands out each token once).
 *     Compared with the token the cluster's {@code history} key records for the switch into {@code timeline}
 *     ({@code LeaderTimeline.otherEpoch})
 * @param earlierEpochs the epochs recorded for the data's earlier timelines (below {@code timeline}), oldest first;
 *     with {@code timelineEpoch} the data's line ({@link #epochLine()}). Why: a primary recording an older switch
 *     in {@code history} names that switch's fork (docs/findings/sim-seed-74489957632632.md)
 * @param synchronousCommit running primary: its {@code synchronous_commit} ({@code current_setting}), which decides
 *     whether a standby's write, flush or replay position counts for synchronous replication; empty otherwise
 */
public record PgState(
    DataDirState dataDir,
    boolean running,
    OptionalLong pid,
    Optional<Instant> postmasterStartTime,
    Role role,
    int timeline,
    long walPosition,
    OptionalLong receivedLsn,
    OptionalLong replayedLsn,
    Optional<Instant> replayedTimestamp,
    Optional<String> replicationState,
    Optional<String> upstream,
    List<Standby> replication,
    Optional<String> systemIdentifier,
    int serverVersion,
    OptionalLong fencingToken,
    boolean pendingRestart,
    boolean cleanShutdown,
    Optional<String> unknown,
    Optional<String> replayPauseState,
    List<TimelineSwitch> timelineHistory,
    Map<String, Long> slots,
    Map<String, PendingRestartReason.Change> pendingRestartReason,
    Map<String, String> recoverySettings,
    Optional<ArchiverStats> archiver,
    Optional<String> synchronousStandbyNames,
    OptionalLong timelineEpoch,
    List<TimelineEpoch> earlierEpochs,
    Optional<String> synchronousCommit) {
  public PgState {
    earlierEpochs = List.copyOf(earlierEpochs);
    recoverySettings = Map.copyOf(recoverySettings);
    replication = List.copyOf(replication);
    timelineHistory = List.copyOf(timelineHistory);
    slots = Map.copyOf(slots);
    pendingRestartReason = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(pendingRestartReason));
  }

  /** A probe without the primary's synchronous_commit (not a running primary, or not probed). */
  public PgState(DataDirState dataDir, boolean running, OptionalLong pid, Optional<Instant> postmasterStartTime,
      Role role, int timeline, long walPosition, OptionalLong receivedLsn, OptionalLong replayedLsn,
      Optional<Instant> replayedTimestamp, Optional<String> replicationState, Optional<String> upstream,
      List<Standby> replication, Optional<String> systemIdentifier, int serverVersion, OptionalLong fencingToken,
      boolean pendingRestart, boolean cleanShutdown, Optional<String> unknown, Optional<String> replayPauseState,
      List<TimelineSwitch> timelineHistory, Map<String, Long> slots,
      Map<String, PendingRestartReason.Change> pendingRestartReason, Map<String, String> recoverySettings,
      Optional<ArchiverStats> archiver, Optional<String> synchronousStandbyNames, OptionalLong timelineEpoch,
      List<TimelineEpoch> earlierEpochs) {
    this(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn, replayedLsn,
        replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion, fencingToken,
        pendingRestart, cleanShutdown, unknown, replayPauseState, timelineHistory, slots, pendingRestartReason,
        recoverySettings, archiver, synchronousStandbyNames, timelineEpoch, earlierEpochs, Optional.empty());
  }

  /** A probe without the epochs of earlier timelines. */
  public PgState(DataDirState dataDir, boolean running, OptionalLong pid, Optional<Instant> postmasterStartTime,
      Role role, int timeline, long walPosition, OptionalLong receivedLsn, OptionalLong replayedLsn,
      Optional<Instant> replayedTimestamp, Optional<String> replicationState, Optional<String> upstream,
      List<Standby> replication, Optional<String> systemIdentifier, int serverVersion, OptionalLong fencingToken,
      boolean pendingRestart, boolean cleanShutdown, Optional<String> unknown, Optional<String> replayPauseState,
      List<TimelineSwitch> timelineHistory, Map<String, Long> slots,
      Map<String, PendingRestartReason.Change> pendingRestartReason, Map<String, String> recoverySettings,
      Optional<ArchiverStats> archiver, Optional<String> synchronousStandbyNames, OptionalLong timelineEpoch) {
    this(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn, replayedLsn,
        replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion, fencingToken,
        pendingRestart, cleanShutdown, unknown, replayPauseState, timelineHistory, slots, pendingRestartReason,
        recoverySettings, archiver, synchronousStandbyNames, timelineEpoch, List.of());
  }

  /** A probe without archiver statistics. */
  public PgState(DataDirState dataDir, boolean running, OptionalLong pid, Optional<Instant> postmasterStartTime,
      Role role, int timeline, long walPosition, OptionalLong receivedLsn, OptionalLong replayedLsn,
      Optional<Instant> replayedTimestamp, Optional<String> replicationState, Optional<String> upstream,
      List<Standby> replication, Optional<String> systemIdentifier, int serverVersion, OptionalLong fencingToken,
      boolean pendingRestart, boolean cleanShutdown, Optional<String> unknown, Optional<String> replayPauseState,
      List<TimelineSwitch> timelineHistory, Map<String, Long> slots,
      Map<String, PendingRestartReason.Change> pendingRestartReason, Map<String, String> recoverySettings) {
    this(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn, replayedLsn,
        replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion, fencingToken,
        pendingRestart, cleanShutdown, unknown, replayPauseState, timelineHistory, slots, pendingRestartReason,
        recoverySettings, Optional.empty(), Optional.empty(), OptionalLong.empty(), List.of());
  }

  /** A probe without a timeline epoch (not recorded, or not known: every probe before the fork epoch existed). */
  public PgState(DataDirState dataDir, boolean running, OptionalLong pid, Optional<Instant> postmasterStartTime,
      Role role, int timeline, long walPosition, OptionalLong receivedLsn, OptionalLong replayedLsn,
      Optional<Instant> replayedTimestamp, Optional<String> replicationState, Optional<String> upstream,
      List<Standby> replication, Optional<String> systemIdentifier, int serverVersion, OptionalLong fencingToken,
      boolean pendingRestart, boolean cleanShutdown, Optional<String> unknown, Optional<String> replayPauseState,
      List<TimelineSwitch> timelineHistory, Map<String, Long> slots,
      Map<String, PendingRestartReason.Change> pendingRestartReason, Map<String, String> recoverySettings,
      Optional<ArchiverStats> archiver, Optional<String> synchronousStandbyNames) {
    this(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn, replayedLsn,
        replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion, fencingToken,
        pendingRestart, cleanShutdown, unknown, replayPauseState, timelineHistory, slots, pendingRestartReason,
        recoverySettings, archiver, synchronousStandbyNames, OptionalLong.empty(), List.of());
  }

  /**
   * This probe with {@code epoch} as the fencing token of the promotion that started the data's current timeline
   * (see {@code timelineEpoch} above and docs/findings/same-timeline-forks.md).
   */
  public PgState withTimelineEpoch(OptionalLong epoch) {
    return new PgState(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn,
        replayedLsn, replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion,
        fencingToken, pendingRestart, cleanShutdown, unknown, replayPauseState, timelineHistory, slots,
        pendingRestartReason, recoverySettings, archiver, synchronousStandbyNames, epoch, earlierEpochs,
        synchronousCommit);
  }

  /**
   * This probe with {@code line}'s entries as its timelines' epochs: the one for {@code timeline} as
   * {@code timelineEpoch}, the earlier ones as {@code earlierEpochs}; later ones (a record of a promotion that did
   * not happen) are dropped.
   */
  public PgState withEpochLine(TimelineEpochLine line) {
    return withTimelineEpoch(line.epochOf(timeline)).withEarlierEpochs(line.before(timeline).epochs());
  }

  private PgState withEarlierEpochs(List<TimelineEpoch> earlier) {
    return new PgState(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn,
        replayedLsn, replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion,
        fencingToken, pendingRestart, cleanShutdown, unknown, replayPauseState, timelineHistory, slots,
        pendingRestartReason, recoverySettings, archiver, synchronousStandbyNames, timelineEpoch, earlier,
        synchronousCommit);
  }

  /** The data's line: the earlier timelines' epochs, then the current one's when known. */
  public TimelineEpochLine epochLine() {
    List<TimelineEpoch> all = new java.util.ArrayList<>(earlierEpochs);
    timelineEpoch.ifPresent(e -> all.add(new TimelineEpoch(timeline, e)));
    return new TimelineEpochLine(all);
  }

  /** This probe with {@code stats} as WAL archiving's statistics (empty: no archiver, or unreadable). */
  public PgState withArchiver(Optional<ArchiverStats> stats) {
    return new PgState(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn,
        replayedLsn, replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion,
        fencingToken, pendingRestart, cleanShutdown, unknown, replayPauseState, timelineHistory, slots,
        pendingRestartReason, recoverySettings, stats, synchronousStandbyNames, timelineEpoch, earlierEpochs,
        synchronousCommit);
  }

  /**
   * This probe with {@code names} as the {@code synchronous_standby_names} the running primary has now ({@code SHOW}:
   * "" when unset); empty on a replica or a stopped server, where it is not probed.
   */
  public PgState withSynchronousStandbyNames(Optional<String> names) {
    return new PgState(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn,
        replayedLsn, replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion,
        fencingToken, pendingRestart, cleanShutdown, unknown, replayPauseState, timelineHistory, slots,
        pendingRestartReason, recoverySettings, archiver, names, timelineEpoch, earlierEpochs, synchronousCommit);
  }

  /**
   * This probe with {@code value} as the running primary's {@code synchronous_commit} (what its sessions get by
   * default), which decides the {@code pg_stat_replication} column that counts as a standby's position
   * ({@code ha.sync.AckColumn}); empty on a replica or a stopped server, where it is not probed.
   */
  public PgState withSynchronousCommit(Optional<String> value) {
    return new PgState(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn,
        replayedLsn, replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion,
        fencingToken, pendingRestart, cleanShutdown, unknown, replayPauseState, timelineHistory, slots,
        pendingRestartReason, recoverySettings, archiver, synchronousStandbyNames, timelineEpoch, earlierEpochs,
        value);
  }

  /** Whether this server archives WAL and the last attempt failed ({@link ArchiverStats#failing()}). */
  public boolean archiveFailing() {
    return archiver.map(ArchiverStats::failing).orElse(false);
  }

  /** A probe without a pending restart reason. */
  public PgState(DataDirState dataDir, boolean running, OptionalLong pid, Optional<Instant> postmasterStartTime,
      Role role, int timeline, long walPosition, OptionalLong receivedLsn, OptionalLong replayedLsn,
      Optional<Instant> replayedTimestamp, Optional<String> replicationState, Optional<String> upstream,
      List<Standby> replication, Optional<String> systemIdentifier, int serverVersion, OptionalLong fencingToken,
      boolean pendingRestart, boolean cleanShutdown, Optional<String> unknown, Optional<String> replayPauseState,
      List<TimelineSwitch> timelineHistory, Map<String, Long> slots) {
    this(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn, replayedLsn,
        replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion, fencingToken,
        pendingRestart, cleanShutdown, unknown, replayPauseState, timelineHistory, slots, Map.of(), Map.of());
  }

  /** A probe without a timeline history or slots (every state but a running replica's or primary's). */
  public PgState(DataDirState dataDir, boolean running, OptionalLong pid, Optional<Instant> postmasterStartTime,
      Role role, int timeline, long walPosition, OptionalLong receivedLsn, OptionalLong replayedLsn,
      Optional<Instant> replayedTimestamp, Optional<String> replicationState, Optional<String> upstream,
      List<Standby> replication, Optional<String> systemIdentifier, int serverVersion, OptionalLong fencingToken,
      boolean pendingRestart, boolean cleanShutdown, Optional<String> unknown, Optional<String> replayPauseState) {
    this(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn, replayedLsn,
        replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion, fencingToken,
        pendingRestart, cleanShutdown, unknown, replayPauseState, List.of(), Map.of());
  }

  /** Without a replay pause state (not a replica, or not probed). */
  public PgState(DataDirState dataDir, boolean running, OptionalLong pid, Optional<Instant> postmasterStartTime,
      Role role, int timeline, long walPosition, OptionalLong receivedLsn, OptionalLong replayedLsn,
      Optional<Instant> replayedTimestamp, Optional<String> replicationState, Optional<String> upstream,
      List<Standby> replication, Optional<String> systemIdentifier, int serverVersion, OptionalLong fencingToken,
      boolean pendingRestart, boolean cleanShutdown, Optional<String> unknown) {
    this(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn, replayedLsn,
        replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion, fencingToken,
        pendingRestart, cleanShutdown, unknown, Optional.empty());
  }

  /** This probe with {@code history} as the replica's own timeline history. */
  public PgState withTimelineHistory(List<TimelineSwitch> history) {
    return new PgState(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn,
        replayedLsn, replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion,
        fencingToken, pendingRestart, cleanShutdown, unknown, replayPauseState, history, slots,
        pendingRestartReason, recoverySettings, archiver, synchronousStandbyNames, timelineEpoch, earlierEpochs,
        synchronousCommit);
  }

  /** This probe with {@code primarySlots} as the server's replication slots (a primary's or a replica's). */
  public PgState withSlots(Map<String, Long> primarySlots) {
    return new PgState(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn,
        replayedLsn, replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion,
        fencingToken, pendingRestart, cleanShutdown, unknown, replayPauseState, timelineHistory, primarySlots,
        pendingRestartReason, recoverySettings, archiver, synchronousStandbyNames, timelineEpoch, earlierEpochs,
        synchronousCommit);
  }

  /**
   * This probe with {@code reason} as the parameters waiting for a restart; pending_restart is set exactly when
   * there is one (a start with pg_control's values is pending although no pg_settings row says so).
   */
  public PgState withPendingRestartReason(Map<String, PendingRestartReason.Change> reason) {
    return new PgState(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn,
        replayedLsn, replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion,
        fencingToken, pendingRestart || !reason.isEmpty(), cleanShutdown, unknown, replayPauseState, timelineHistory,
        slots, reason, recoverySettings, archiver, synchronousStandbyNames, timelineEpoch, earlierEpochs,
        synchronousCommit);
  }

  /** This probe with {@code settings} as the recovery settings the running replica has now. */
  public PgState withRecoverySettings(Map<String, String> settings) {
    return new PgState(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn,
        replayedLsn, replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion,
        fencingToken, pendingRestart, cleanShutdown, unknown, replayPauseState, timelineHistory, slots,
        pendingRestartReason, settings, archiver, synchronousStandbyNames, timelineEpoch, earlierEpochs,
        synchronousCommit);
  }

  /** A probe that could tell whether a postmaster runs (the usual case). */
  public PgState(DataDirState dataDir, boolean running, OptionalLong pid, Optional<Instant> postmasterStartTime,
      Role role, int timeline, long walPosition, OptionalLong receivedLsn, OptionalLong replayedLsn,
      Optional<Instant> replayedTimestamp, Optional<String> replicationState, Optional<String> upstream,
      List<Standby> replication, Optional<String> systemIdentifier, int serverVersion, OptionalLong fencingToken,
      boolean pendingRestart, boolean cleanShutdown) {
    this(dataDir, running, pid, postmasterStartTime, role, timeline, walPosition, receivedLsn, replayedLsn,
        replayedTimestamp, replicationState, upstream, replication, systemIdentifier, serverVersion, fencingToken,
        pendingRestart, cleanShutdown, Optional.empty());
  }

  /**
   * State of the data directory, by PostgreSQL's own rules (initdb and pg_basebackup accept only a missing or an
   * empty directory; a directory with {@code PG_VERSION} is a data directory).
   */
  public enum DataDirState {
    /** Does not exist: pgquorum may create it. */
    MISSING,
    /** An empty directory: pgquorum may bootstrap or clone into it. */
    EMPTY,
    /** Holds a PostgreSQL cluster ({@code PG_VERSION}). */
    INITIALIZED,
    /**
     * Holds a cluster that a bootstrap of pgquorum's created but did not finish (its roles, passwords or
     * post_bootstrap may be missing): the bootstrap was cut short (the daemon was killed) or its cleanup failed.
     * Never started for clients; the bootstrap's owner moves it aside (see {@code Decider}).
     */
    BOOTSTRAP_INCOMPLETE,
    /**
     * Exists but holds no cluster and is not empty (dot files, {@code lost+found}, anything), or is not a
     * directory at all: files pgquorum did not create, e.g. a mistyped {@code data_dir} naming a home directory.
     * Never written into, deleted or moved aside; bootstrap and clone refuse it with an error naming
     * {@code postgresql.data_dir}.
     */
    NOT_EMPTY
  }

  /** Server role. */
  public enum Role {
    PRIMARY,
    REPLICA,
    UNKNOWN
  }

  /**
   * A connected standby as the primary sees it ({@code pg_stat_replication}), with its three positions: written,
   * flushed and replayed (which one counts for synchronous replication follows {@code synchronous_commit}).
   */
  public record Standby(String applicationName, String clientAddr, String state, String syncState, long flushLsn,
      long writeLsn, long replayLsn) {
    /** A row with the write and replay positions equal to the flush position. */
    public Standby(String applicationName, String clientAddr, String state, String syncState, long flushLsn) {
      this(applicationName, clientAddr, state, syncState, flushLsn, flushLsn, flushLsn);
    }
  }

  /** A stopped (or absent) server with the given data directory state. */
  public static PgState stopped(DataDirState dataDir) {
    return new PgState(dataDir, false, OptionalLong.empty(), Optional.empty(), Role.UNKNOWN, 0, 0,
        OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
        Optional.empty(), 0, OptionalLong.empty(), false, false);
  }

  /** A probe that cannot tell whether a postmaster runs in this (initialized) data directory. */
  public static PgState unknown(String reason) {
    return new PgState(DataDirState.INITIALIZED, false, OptionalLong.empty(), Optional.empty(), Role.UNKNOWN, 0, 0,
        OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
        Optional.empty(), 0, OptionalLong.empty(), false, false, Optional.of(reason));
  }

  /** Whether this probe could not tell if a postmaster runs (see {@link #unknown()}). */
  public boolean isUnknown() {
    return unknown.isPresent();
  }

  public boolean isPrimary() {
    return running && role == Role.PRIMARY;
  }

  public boolean isReplica() {
    return running && role == Role.REPLICA;
  }

  /**
   * Whether this replica's WAL replay is paused or a pause was requested (pg_wal_replay_pause(), or a recovery
   * target reached with recovery_target_action = pause): what PostgreSQL's pg_is_wal_replay_paused() says, and
   * what Patroni reports as {@code xlog.paused}. Either way, replay does not advance.
   */
  public boolean replayPaused() {
    return isReplica() && replayPauseState.filter(st -> !st.equals("not paused")).isPresent();
  }
}
