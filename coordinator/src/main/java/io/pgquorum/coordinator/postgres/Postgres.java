package io.pgquorum.coordinator.postgres;

import java.util.Set;

/**
 * Control of the local PostgreSQL: the only place that runs PostgreSQL tools, touches PGDATA, or opens JDBC
 * connections. The HA loop calls these from its executor; long operations (bootstrap, clone, rewind) are called
 * from a background thread, never from the REST API.
 *
 * <p>PostgreSQL always runs detached from the JVM (its own session, started through pg_ctl), so a crash or
 * restart of pgquorum leaves it running, and {@link #probe()} re-adopts it.
 *
 * <p>All methods throw {@link PostgresException} on failure, with a message naming the operation.
 */
public interface Postgres {
  /** Probes the server and data directory. Bounded by the configured timeout; never throws for "not running". */
  PgState probe();

  /**
   * Creates a new cluster and finishes it while no client can connect, leaving it stopped: runs initdb with the
   * bootstrap options (or the custom bootstrap method), writes postgresql.conf settings and pg_hba; starts the
   * server reachable only by pgquorum (no TCP, a private socket), waits for the end of a restore's recovery, sets
   * the configured passwords, creates the replication (and rewind) role, runs post_bootstrap; stops it. On
   * failure nothing it started runs any more. The data directory must be empty or missing.
   */
  void bootstrap();

  /**
   * {@link #bootstrap()} restoring from the pgBackRest repository with {@code fromBackup}'s target instead of the
   * configured method (a cluster-wide restore, {@code pgctl restore}).
   */
  default void bootstrap(io.pgquorum.coordinator.config.BackrestBootstrap fromBackup) {
    bootstrap();
  }

  /**
   * Starts the server as a primary (no standby.signal) with the given fencing token in
   * {@code pgquorum.fencing_token}, waiting until it accepts connections. Writes configuration first.
   */
  void startPrimary(long fencingToken);

  /**
   * Starts the server as a replica of {@code upstream} (standby.signal, primary_conninfo with this node's name as
   * application_name and slot, recovery_target_timeline=latest), waiting until it accepts connections.
   */
  void startReplica(Upstream upstream);

  /**
   * As {@link #startPrimary(long)}, waiting at most {@code wait} for the server to accept connections (an
   * operator's restart {@code timeout}) instead of {@code pg_ctl_timeout}. When that runs out this throws, and a
   * postmaster that is still starting up is left to start: the HA decision deals with it (Patroni's restart).
   */
  default void startPrimary(long fencingToken, java.time.Duration wait) {
    startPrimary(fencingToken);
  }

  /**
   * As {@link #startReplica(Upstream)}, waiting at most {@code wait} (see
   * {@link #startPrimary(long, java.time.Duration)}).
   */
  default void startReplica(Upstream upstream, java.time.Duration wait) {
    startReplica(upstream);
  }

  /** Stops the server (no-op when it is not running), waiting for it to exit. */
  void stop(StopMode mode);

  /**
   * A {@code CHECKPOINT} on the running primary, before a planned stop: the shutdown checkpoint that follows then
   * has little left to write, so the stop (the time writes are refused during a switchover) is short. Best effort:
   * failing here only makes the stop slower. The default does nothing (test doubles).
   */
  default void checkpoint() {}

  /**
   * Sets {@code pgquorum.fencing_token} to {@code token} and reloads, returning once the server shows it; then
   * promotes ({@code pg_promote()}, waiting until recovery has ended). The token is therefore readable by SQL before
   * the first write. A server that is already primary only gets the token (a primary that took a new lock runs with
   * its token).
   */
  void promote(long fencingToken);

  /**
   * Points a running replica at {@code upstream}: rewrites primary_conninfo/primary_slot_name and reloads
   * (PostgreSQL 13+ picks primary_conninfo up on reload).
   */
  void follow(Upstream upstream);

  /**
   * Re-points the running replica at {@code upstream} without a replication slot, to fetch WAL it lacks before a
   * promotion. Implementations without slots follow as usual.
   */
  default void catchUpFrom(Upstream upstream) {
    follow(upstream);
  }

  /**
   * Creates this node's data directory from {@code upstream} with the configured create_replica_methods (in
   * order; {@code basebackup} built in), leaving a stopped replica configured to follow it. {@code upstream}
   * null: the cluster has no leader; only the methods marked {@code no_leader} run, and the replica follows nothing.
   */
  void cloneReplica(Upstream upstream);

  /**
   * As {@link #cloneReplica(Upstream)}; {@code basebackupOnly}: with pg_basebackup from {@code upstream} whatever
   * create_replica_methods says (Patroni's reinitialize {@code from_leader}).
   */
  default void cloneReplica(Upstream upstream, boolean basebackupOnly) {
    cloneReplica(upstream);
  }

  /**
   * Moves the copy PostgreSQL refused aside (never deleting it) and clones again from {@code upstream} without the
   * methods in {@code skip} ({@link RefusedCopy}); the default ignores {@code skip}.
   */
  default void cloneAgainWithout(Upstream upstream, java.util.List<String> skip, String reason) {
    recloneReplica(upstream, false, reason);
  }

  /**
   * Creates this stopped replica's data directory again from {@code upstream} (a reinitialize, a rejoin that must
   * re-clone). The directory is moved aside first ({@code reason} says why), except where a method can reuse it: the
   * built-in {@code backrest} method restores over a copy of the same database system with {@code --delta}.
   */
  default void recloneReplica(Upstream upstream, boolean basebackupOnly, String reason) {
    moveDataDirectoryAside(reason);
    cloneReplica(upstream, basebackupOnly);
  }

  /**
   * The last replica creation on this node (operation, method that worked, result, each attempt with its
   * method, result, time and error), for {@code pgquorum.replica_creation} in {@code /patroni}; empty before one.
   */
  default java.util.Map<String, Object> lastReplicaCreation() {
    return java.util.Map.of();
  }

  /**
   * Rewrites the configuration files pgquorum owns from the configuration in force (same role, same fencing token)
   * and reloads the running server. A changed parameter that needs a restart then shows in
   * {@code pg_settings.pending_restart}.
   */
  void reload();

  /**
   * Sets {@code synchronous_standby_names} on the running server to {@code value} (pgquorum owns the setting while
   * {@code synchronous_mode} is on; empty gives it back to the configured parameters), and reloads, returning once
   * the server shows it. The value is kept through restarts of the primary, and dropped when the node starts as a
   * standby (it means nothing there, and a later promotion must not wait for the former primary's standbys).
   */
  default void setSynchronousStandbyNames(java.util.Optional<String> value) {
    throw new PostgresException("setting synchronous_standby_names is not supported by " + getClass().getSimpleName());
  }

  /**
   * Makes {@code value} the {@code synchronous_standby_names} pgquorum sets, without touching the running server:
   * the next write of the configuration (the start as primary that follows) carries it.
   */
  default void ownSynchronousStandbyNames(java.util.Optional<String> value) {
    throw new PostgresException("setting synchronous_standby_names is not supported by " + getClass().getSimpleName());
  }

  /**
   * Rewinds a stopped, diverged former primary to follow {@code upstream} (pg_rewind). Returns false when rewind
   * is impossible or failed (the caller then re-clones, when allowed).
   */
  boolean rewind(Upstream upstream);

  /** Whether this stopped data directory's timeline history diverged from the upstream's (needs rewind). */
  boolean needsRewind(Upstream upstream);

  /** Moves the data directory aside (never deletes user data): {@code <data_dir>.failed-<timestamp>}. */
  void moveDataDirectoryAside(String reason);

  /** Moves the data directory aside for the restore {@code restoreId}: {@code <data_dir>.restore-<id>}. */
  default void moveDataDirectoryAsideForRestore(String restoreId) {
    moveDataDirectoryAside("restore " + restoreId);
  }

  /**
   * Makes this node's physical replication slot on {@code upstream} unless it exists already, before a fresh copy
   * first streams from it with that slot (with use_slots on; nothing for no upstream or a standby cluster's
   * remote). The upstream keeps its members' slots itself, but only on its next cycle: a copy that started
   * earlier failed its first connection on the missing slot. A failure here is logged, not fatal: PostgreSQL's
   * walreceiver retries until the upstream has made the slot, as it did before.
   */
  default void createSlotOn(Upstream upstream) {}

  /**
   * Ensures exactly these physical replication slots exist (creates missing, drops the others pgquorum owns and
   * that are inactive), then moves the inactive ones in {@code advanceTo} forward to that position (bytes), capped
   * at this server's replay (or current) position; a slot is never moved back.
   */
  void syncReplicationSlots(Set<String> slotNames, java.util.Map<String, Long> advanceTo);

  /**
   * Moves the inactive physical slots in {@code advanceTo} forward to those positions (bytes), capped at this
   * server's replay (or current) position, never back; creates and drops nothing.
   */
  void advanceReplicationSlots(java.util.Map<String, Long> advanceTo);

  /** {@link #syncReplicationSlots(Set, java.util.Map)} moving none. */
  default void syncReplicationSlots(Set<String> slotNames) {
    syncReplicationSlots(slotNames, java.util.Map.of());
  }

  /**
   * Ensures these permanent logical slots exist on a primary (made in their database with their plugin), moves a
   * standby's copies in {@code advanceTo} forward (capped at its replay position, never back), and drops the
   * logical slots pgquorum made or copied that are no longer listed, once inactive. A standby makes none.
   */
  default void syncLogicalSlots(java.util.List<io.pgquorum.coordinator.config.PermanentSlots.Slot> keep,
      java.util.Map<String, Long> advanceTo) {}

  /**
   * On a running standby: copies the state of these logical slots from the primary {@code from} into this data
   * directory (where PostgreSQL finds them at its next start). Does not restart.
   */
  default void copyLogicalSlots(Upstream from,
      java.util.List<io.pgquorum.coordinator.config.PermanentSlots.Slot> slots) {}

  /**
   * The timeline switches that led to {@code timeline}, from this data directory's timeline history file,
   * oldest first (empty for timeline 1). Reads a file; does not need the server to run.
   */
  java.util.List<TimelineSwitch> timelineHistory(int timeline);

  /**
   * The epochs of the timelines of this data directory's line ({@link PgState#epochLine}): for each, the fencing
   * token of the promotion that started the fork of it this data descends from, when recorded
   * (docs/findings/same-timeline-forks.md). The default knows none, so every rule that compares epochs stays silent
   * (test doubles).
   */
  default TimelineEpochLine epochLine() {
    return TimelineEpochLine.NONE;
  }

  /**
   * Records {@code line} as the forks of the timelines this stopped or running data directory's line passes through
   * (the decision chose it: a copy's source's line, or the data's own extended by the upstream's epoch for a
   * timeline streamed onto); empty forgets any record, leaving every epoch unknown. Only I/O: which epochs is the
   * decision's ({@code TimelineEpochs}).
   */
  default void recordEpochLine(TimelineEpochLine line) {}

  /**
   * Starts the {@code postgresql.callbacks} script for {@code action} with {@code role}, in the background (a new
   * one replaces one still running); returns at once and never throws. No-op when none is configured.
   */
  default void runCallback(io.pgquorum.coordinator.config.CallbackAction action, String role) {}

  /**
   * Runs {@code pre_promote} and waits for it (bounded): true when none is configured or it exited 0, false when
   * the promotion must not happen.
   */
  default boolean prePromote() {
    return true;
  }

  /** Runs {@code before_stop} and waits for it (bounded); its outcome is only logged. */
  default void beforeStop() {}
}
