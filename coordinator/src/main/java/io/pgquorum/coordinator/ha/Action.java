package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.PermanentSlots;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.coordinator.postgres.Upstream;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One step of a decision: a verb as data, performed by {@link ActionExecutor} in list order. Everything the
 * executor needs to know is in the step (the plan is total, as in etcd-io/raft's Ready: the driver has no policy);
 * what a step is, is its type:
 * <ul>
 *   <li>{@link Gate}: ends the plan when it fails (a lost race, a lost lock): everything after a gate depends on it.
 *   <li>{@link TaskAction}: starts a long operation ({@link Task}) in the background and returns at once; the next
 *       cycles see it in {@link LocalState#runningTask()}.
 *   <li>{@link ChangesPostgres}: may change PostgreSQL's state, so the loop probes it again after the plan and
 *       publishes what it is now, not what it was.
 *   <li>{@link MemberKeyAction}: the second, publishing step of a cycle ({@link Publication}), planned after the
 *       first step's actions ran.
 * </ul>
 */
public sealed interface Action {

  /** A step whose failure ends the plan. */
  sealed interface Gate extends Action {}

  /** A step that starts {@link #task()} in the background. */
  sealed interface TaskAction extends Action {
    Task task();
  }

  /**
   * A step after which PostgreSQL may be in another state than the cycle's probe says. Why these and not every
   * task: Promote and StartPrimary act on a server that exists, in this cycle's terms; the other tasks build one
   * first (a clone, a rewind), and their state shows in the next cycle's probe and in the task's status string.
   */
  sealed interface ChangesPostgres extends Action {}

  /** A write or deletion of this member's {@code members/<name>} key (never part of the first step's plan). */
  sealed interface MemberKeyAction extends Action {}

  /** Write this member's key with {@code fields} (in this order) and {@code ttl}. */
  record WriteMemberKey(Map<String, Object> fields, Duration ttl) implements MemberKeyAction {
    public WriteMemberKey {
      // Not Map.copyOf: a tag's value may be null, and the order is the key's JSON order.
      fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }
  }

  /**
   * Re-arm the lease of this member's key, unchanged since it was written with {@code fields} and {@code ttl}
   * (kept here so the loop remembers them as written: see {@link MemberKeyRefresh}).
   */
  record RefreshMemberKey(Map<String, Object> fields, Duration ttl) implements MemberKeyAction {
    public RefreshMemberKey {
      fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }
  }

  /** Delete this member's key (a clean shutdown: the member leaves the cluster's view at once). */
  record DeleteMemberKey() implements MemberKeyAction {}

  /** Gate: create {@code initialize} = "" if absent (the bootstrap race). */
  record RaceInitialize() implements Gate {}

  /**
   * Gate: create the leader key with {@code ttl} if absent. Its create revision becomes the fencing token
   * ({@link FencingToken.Acquired}); {@code terms} say how long the confirmed lease may be used.
   */
  record AcquireLock(Duration ttl, LeaseTerms terms) implements Gate {}

  /** Gate: re-arm our leader lease (only the incarnation with this token). Failure = lock lost. */
  record RefreshLock(long fencingToken, LeaseTerms terms) implements Gate {}

  /**
   * Gate: the leader key's stored ttl differs from the configured one. Refresh the lease (confirming it is still
   * ours), then re-put the key with {@code ttl} under a compare-and-set on that refresh's revision: same value,
   * owner and create revision, so the fencing token stays. Failure = lock lost. The local deadline follows the
   * ttl the DCS confirms (see {@link LeaseTerms}); before a re-arm that shortens the lease it is lowered first.
   */
  record RearmLock(long fencingToken, Duration ttl, LeaseTerms terms) implements Gate {}

  /** Delete the leader key if it names us. */
  record ReleaseLock() implements Action {}

  /**
   * Tell the watchdog there is nothing left to fence: disarm it, which also ends the guarding it keeps up after a
   * fence (it stops every PostgreSQL that appears until it is armed or disarmed). Planned only when the cycle's
   * probe shows PostgreSQL verifiably stopped and, at this step, no lease is held: after a {@link ReleaseLock}, or
   * before a stopped node starts as a replica. The executor disarms only if no lease is held when it performs it
   * ({@link HeldLease#postgresStopped()}).
   */
  record DisarmWatchdog() implements Action {}

  /** Write the system identifier into {@code initialize} (replacing the "" placeholder). */
  record RecordInitialize(String systemIdentifier) implements Action {}

  /** Give up a failed bootstrap: delete {@code initialize} so the race can run again. */
  record CancelInitialize() implements Action {}

  /**
   * Move the data directory aside ({@code <data_dir>.failed-<timestamp>}, never deleted) because of
   * {@code reason}; planned after a stop of whatever may run in it. Nothing to do when it is missing or empty.
   */
  record MoveDataDirectoryAside(String reason) implements Action {}

  /** Write {@code config} (bootstrap.dcs) if absent. */
  record SeedConfig(DynamicConfig config) implements Action {}

  /**
   * Write {@code status} with the primary's WAL position, its slots' positions and the member slots it keeps
   * (Patroni 4's {@code slots} and {@code retain_slots}). Planned only when the snapshot does not already show
   * exactly that: the key has no TTL, and rewriting an idle primary's status would be a Raft write per cycle for
   * nothing.
   */
  record PublishStatus(long position, Map<String, Long> slots, List<String> retainSlots) implements Action {
    public PublishStatus {
      slots = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(slots)); // by name: a stable value
      retainSlots = List.copyOf(retainSlots);
    }

    /** A status without slots. */
    public PublishStatus(long position) {
      this(position, Map.of(), List.of());
    }
  }

  /**
   * After a clean stop of the primary (a handover): write {@code status} with the stopped server's last position
   * (its shutdown checkpoint), read again after the stop, if it is still on {@code timeline}. Patroni writes this
   * "last_lsn" when it deletes the leader key: the replicas racing next compare against where the primary really
   * ended, not against the last cycle's position, so one that did not receive the last writes stays out
   * (maximum_lag_on_failover). Nothing is written when the stop left no readable position.
   *
   * <p>Written only if {@code status} is still at {@code statusRevision} (its mod revision in the cycle's snapshot,
   * 0: absent): a stop that outlasted the lease (another member took the lock and wrote its own {@code status}
   * meanwhile) must not overwrite the new primary's position with this older one. A handover to a named candidate
   * has no such step (ManualFailover says why).
   */
  record PublishLastPosition(int timeline, long statusRevision) implements Action {}

  /**
   * Task: initdb (or the custom method), then roles, passwords and post_bootstrap with PostgreSQL reachable only
   * by pgquorum, leaving it stopped; then seed {@code config} with {@code seedConfig} (bootstrap.dcs) if absent.
   * Planned under the {@code initialize} key alone: the leader lock is taken afterwards, to start the new primary
   * (Patroni's order), so no client is served while the bootstrap still runs. A failed bootstrap stops what it
   * started and moves the data directory aside.
   */
  record Bootstrap(DynamicConfig seedConfig) implements TaskAction {
    @Override
    public Task task() {
      return Task.BOOTSTRAP;
    }
  }

  /**
   * Task: create this node's data directory from {@code from} (the leader, or a {@code clonefrom} member), then start
   * it as a replica streaming from {@code follow} (the leader, or the {@code replicatefrom} member), with its slot
   * there made first; {@code from} null: the cluster has no leader, and only the replica methods marked no_leader
   * run (a restore from a backup). Why two upstreams: Patroni clones from the clonefrom member but then follows
   * its own upstream, where its slot is kept; a clonefrom member keeps no slot for a node that does not cascade
   * from it, so streaming from it after the copy failed on the missing slot until the node was re-pointed.
   */
  record CloneReplica(Upstream from, Upstream follow) implements TaskAction {
    /** A clone that streams from where it was copied from. */
    CloneReplica(Upstream from) {
      this(from, from);
    }

    @Override
    public Task task() {
      return Task.CLONE;
    }
  }

  /**
   * Task: PostgreSQL refused this node's copy at its start (it cannot reach the leader's timeline): move it aside
   * (never deleted) and clone again from {@code from} without the methods in {@code skip}, whose copies were
   * refused, then start streaming from {@code follow}.
   */
  record CloneAgain(Upstream from, Upstream follow, List<String> skip) implements TaskAction {
    public CloneAgain {
      skip = List.copyOf(skip);
    }

    @Override
    public Task task() {
      return Task.CLONE;
    }
  }

  /**
   * Task: start a stopped node as a replica of {@code upstream} (none: a read-only standby with nothing to follow),
   * first handling a timeline that diverged from the upstream's as {@code onDivergence} says.
   */
  record Rejoin(Optional<Upstream> upstream, Divergence onDivergence) implements TaskAction {
    @Override
    public Task task() {
      return Task.REJOIN;
    }
  }

  /**
   * Task: start a stopped node as primary with {@code token} (we hold the lock). A crash recovery may take
   * longer than a lease: the loop keeps refreshing the lock while it runs, and {@code primary_start_timeout}
   * bounds how long (see {@link Decider}). The lease is checked inside the task right before the start.
   */
  record StartPrimary(FencingToken token) implements TaskAction, ChangesPostgres {
    @Override
    public Task task() {
      return Task.START_PRIMARY;
    }
  }

  /**
   * Task: promote the running replica with {@code token}. Runs in the background (replaying the WAL left may
   * take longer than a lease); the lease is checked inside the task right before the promote request. The
   * timeline switch reaches {@code history} through {@link RecordHistory} on the next cycles.
   */
  record Promote(FencingToken token) implements TaskAction, ChangesPostgres {
    @Override
    public Task task() {
      return Task.PROMOTE;
    }
  }

  /**
   * Gate, on the primary holding the lock: make the {@code history} key record every timeline switch up to
   * {@code timeline} (the primary's current one), from PostgreSQL's own timeline history file. Idempotent; planned
   * on every cycle the key lacks the switch into {@code timeline}, so a lost write is retried, and before
   * {@link PublishStatus}, so {@code status} never shows a position on a timeline {@code history} does not know.
   * Fails (ends the plan) when the compare-and-set keeps losing; a missing or unreadable history file (a damaged
   * data directory) is reported once and skipped, as Patroni does, rather than stop the leader's other duties.
   */
  record RecordHistory(int timeline) implements Gate {}

  /**
   * Write the {@code failsafe} key with {@code members} (name to api_url); empty: delete it. Planned by the lock
   * holder ({@link FailsafeRules#holderUpkeep}).
   */
  record WriteFailsafe(Map<String, String> members) implements Action {
    public WriteFailsafe {
      members = Collections.unmodifiableMap(new java.util.TreeMap<>(members));
    }
  }

  /**
   * A handover's last step before {@link ReleaseLock}, with PostgreSQL already stopped: delete the {@code failsafe}
   * key, performed only while this node's lease is still valid (so no other node holds the lock, and only a holder
   * writes the key); a DCS error leaves the key and the plan goes on to the release. Planned by
   * {@link FailsafeRules#beforeHandover}, which says why.
   */
  record ClearFailsafe() implements Action {}

  /**
   * Failsafe mode without a DCS: {@code POST /failsafe} to every one of {@code peers} at once; if all accept, the
   * held lease is extended as a confirmed refresh would ({@code terms} applied to {@code storedTtl}, from before the
   * send), otherwise nothing changes and the lease guard fences at the deadline. See {@link FailsafeRules}.
   */
  record FailsafeRound(Map<String, String> peers, Duration storedTtl, LeaseTerms terms, Map<String, Long> slots)
      implements Action {
    public FailsafeRound {
      peers = Collections.unmodifiableMap(new java.util.TreeMap<>(peers));
      slots = Collections.unmodifiableMap(new java.util.TreeMap<>(slots));
    }
  }

  /**
   * Move these physical slots forward to the given positions (bytes), never back and never past this server's replay
   * position, without creating or dropping any: a replica cut off from the DCS moving its copies of the leader's
   * slots to the positions the leader sent with its failsafe request ({@link FailsafeRules#slotAdvance}).
   */
  record AdvanceSlots(Map<String, Long> advanceTo) implements Action {
    public AdvanceSlots {
      advanceTo = Collections.unmodifiableMap(new java.util.TreeMap<>(advanceTo));
    }
  }

  /**
   * Record {@code line} as the forks of the timelines this replica's data passes through: its own line continued by
   * the epoch of a later timeline it streamed (or will stream) onto from an upstream that publishes it
   * ({@link TimelineEpochs#streamed}). Only a file next to the data directory.
   */
  /**
   * Ask this node's DCS member, which leads the Raft group, to hand leadership to {@code target}
   * ({@link DcsLeadershipRules}). Performed in the background with a bound: the plan does not wait for it, and a
   * transfer that fails changes nothing (the next cycle sees who leads and asks again).
   */
  record HandOffDcsLeadership(String target) implements Action {}

  record RecordTimelineEpoch(io.pgquorum.coordinator.postgres.TimelineEpochLine line) implements Action {}

  /** Stop PostgreSQL; forget our lease (we do not or may not hold the lock any more). */
  record Demote(StopMode mode) implements ChangesPostgres {}

  /**
   * PLANTED BUG {@link HaBug#SKIP_DEMOTE_ON_LOST_LEASE} (fault-injection harness only), planned in place of a
   * {@link Demote}: forgets the lease but leaves PostgreSQL running. Marked as changing PostgreSQL so the cycle
   * probes again as it would after the real demotion.
   */
  record SkippedDemote(StopMode mode) implements ChangesPostgres {}

  /**
   * Gate that always fails: the lock may not be taken or kept now ({@code watchdog.mode: required} and the
   * watchdog process is not running). Planted in place of the lock step and everything after it; the executor
   * logs {@code warning} and ends the plan. The lease then runs out on its own (the guard fences); another member
   * takes over unless the watchdog comes back first.
   */
  record LeaseBlocked(String warning) implements Gate {}

  /** Stop PostgreSQL (shutdown, or no lock to run under). */
  record StopPostgres(StopMode mode) implements ChangesPostgres {}

  /** Re-point a running replica at another upstream. */
  record Follow(Upstream upstream) implements ChangesPostgres {}

  /**
   * Re-point the lock holder's running replica at a more advanced peer replica to fetch the WAL it lacks before it
   * promotes ({@link CatchUp}). As {@link Follow}, but without {@code primary_slot_name}: the peer need not hold
   * a slot for this node (it is not this node's upstream in the cluster's layout), and the WAL wanted is what the
   * peer received moments ago, still in its pg_wal.
   */
  record CatchUpFrom(Upstream upstream) implements ChangesPostgres {}

  /**
   * Keep exactly these physical slots (those pgquorum owns and no longer wanted are dropped) and move some of them
   * forward ({@link SlotWants}): on the primary one per member that streams from it; on a replica also copies of
   * the leader's slots, moved to the positions the leader publishes.
   */
  record SyncSlots(Set<String> slotNames, Map<String, Long> advanceTo) implements Action {
    public SyncSlots {
      slotNames = java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(slotNames));
      advanceTo = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(advanceTo));
    }

    /** Slots to keep, none to move (the primary's). */
    public SyncSlots(Set<String> slotNames) {
      this(slotNames, Map.of());
    }

    static SyncSlots of(SlotWants w) {
      return new SyncSlots(w.names(), w.advanceTo());
    }
  }

  /**
   * Keep exactly these permanent logical slots ({@link LogicalSlotWants}): on the primary make the missing ones in
   * their database; on a replica move its copies forward to {@code advanceTo} (never back, never past its replay
   * position). Those pgquorum made or copied and no longer listed are dropped once inactive; a slot it did not make
   * is never touched.
   */
  record SyncLogicalSlots(List<PermanentSlots.Slot> keep,
      Map<String, Long> advanceTo) implements Action {
    public SyncLogicalSlots {
      keep = List.copyOf(keep);
      advanceTo = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(advanceTo));
    }

    static SyncLogicalSlots of(LogicalSlotWants w) {
      return new SyncLogicalSlots(List.copyOf(w.keep().values()), w.advanceTo());
    }
  }

  /**
   * Task, on a running replica that may be promoted: copy the state of these logical slots from the primary
   * {@code from} into this data directory, then restart PostgreSQL as a standby of {@code follow} so that it
   * loads them (PostgreSQL 15 cannot make a logical slot on a standby; {@link LogicalSlotWants}). Never planned
   * while paused (a restart PostgreSQL did not ask for).
   */
  record CopyLogicalSlots(Upstream from, Upstream follow, List<PermanentSlots.Slot> slots)
      implements TaskAction {
    public CopyLogicalSlots {
      slots = List.copyOf(slots);
    }

    @Override
    public Task task() {
      return Task.COPY_SLOTS;
    }
  }

  /**
   * On the primary holding the lock, synchronous replication ({@link SyncDuty}): write the {@code sync} key as
   * {@code next} by compare-and-set, at {@code readRevision} (the revision the snapshot showed, 0: absent) or, after
   * an earlier sync step of this plan wrote it, at the revision that step got. A lost compare-and-set skips the
   * plan's later sync steps (someone else changed the key: the next cycle starts again from what is there), not its
   * other steps.
   */
  record PublishSync(io.pgquorum.coordinator.cluster.SyncState next, long readRevision) implements Action {}

  /** As {@link PublishSync}, deleting the key (synchronous mode turned off). */
  record DeleteSync(long readRevision) implements Action {}

  /**
   * Set {@code synchronous_standby_names} to {@code names} (pgquorum owns the setting while synchronous mode is on;
   * {@code owned} false gives it back to the configured parameters) and reload, waiting until the server shows it.
   * Skipped when an earlier sync step of the plan lost its compare-and-set: the order of the steps is what keeps the
   * {@code sync} key truthful.
   */
  record SetSynchronousStandbyNames(io.pgquorum.coordinator.ha.sync.SyncStandbyNames names, boolean owned)
      implements Action {}

  /**
   * The {@code synchronous_standby_names} the next start of PostgreSQL as primary writes into its configuration
   * (no reload: the server is stopped, or about to be restarted by the task this action precedes). Planned before a
   * start as primary in {@code synchronous_mode_strict}
   * ({@link io.pgquorum.coordinator.ha.sync.SyncRules#namesAtStart}), so that no commit is acknowledged by the
   * primary alone between its start and its first cycle.
   */
  record StartWithStandbyNames(io.pgquorum.coordinator.ha.sync.SyncStandbyNames names) implements Action {}

  /**
   * Gate, before a promotion in synchronous mode: write the {@code sync} key as {@code next} (this node the leader,
   * no synchronous standby yet) by compare-and-set at {@code readRevision}. Lost: someone changed the key since it
   * was read, and the promotion is postponed (Patroni's order: the key first, so that it never names a standby of a
   * former primary as promotable once this node writes).
   */
  record ClaimSync(io.pgquorum.coordinator.cluster.SyncState next, long readRevision) implements Gate {}

  /** Unrecoverable: the node stops its loop and exits with this message. */
  record Fatal(String reason) implements Action {}

  /**
   * Task: an operator's restart of PostgreSQL in the role it has ({@link LocalOperations}): a fast stop, then a
   * start as primary with {@code token} (the holder keeps its lock meanwhile: the loop refreshes it while the task
   * runs, and the start checks the lease right before it, as every primary start does), or, without a token, as a
   * standby of {@code upstream} (none: read-only, nothing to follow). The outcome answers request
   * {@code requestId} (0: a scheduled restart, nobody waits). {@code startTimeoutSeconds}: how long the start
   * waits for PostgreSQL to accept connections (the caller's {@code timeout}, else {@code primary_start_timeout},
   * as Patroni's; none or 0: {@code pg_ctl_timeout}); when it runs out the restart fails ("restart failed") with
   * the postmaster left starting, and the decision takes it from there (a holder: {@link LocalOperations}).
   */
  record RestartPostgres(Optional<FencingToken> token, Optional<Upstream> upstream, long requestId,
      java.util.OptionalInt startTimeoutSeconds) implements TaskAction {
    @Override
    public Task task() {
      return Task.RESTART;
    }
  }

  /**
   * Task: an operator's reinitialize of this replica: an immediate stop, the data directory moved aside (never
   * deleted: {@code <data_dir>.failed-<timestamp>}), a new copy from {@code from} with the configured replica
   * methods ({@code basebackupOnly}: pg_basebackup only, Patroni's {@code from_leader}), then a start as a standby
   * of {@code from}.
   */
  record Reinitialize(Upstream from, boolean basebackupOnly) implements TaskAction {
    @Override
    public Task task() {
      return Task.REINITIALIZE;
    }
  }

  /**
   * Gate: cancel the running {@code task} (an operator's reinitialize with {@code force}, Patroni's): the executor
   * interrupts it and waits at most {@code waitSeconds} for it to end. A task that has not ended by then fails the
   * gate, which ends the plan, and request {@code requestId} gets {@code status} and {@code text} instead (the task
   * is still in progress).
   */
  record CancelTask(Task task, long waitSeconds, long requestId, int status, String text) implements Gate {}

  /**
   * Rewrite PostgreSQL's configuration files from the configuration now in force (the node's YAML as last
   * re-read, the dynamic configuration) and reload the running server. A changed server-start parameter then shows
   * in {@code pg_settings.pending_restart}.
   */
  record ReloadPostgres() implements ChangesPostgres {}

  /** Answer the operator's request {@code requestId} with Patroni's {@code status} and {@code text}. */
  record AnswerRequest(long requestId, int status, String text) implements Action {}

  /**
   * Start this node's {@code postgresql.callbacks} script for {@code action} as {@code <cmd> <action> <role>
   * <scope>}, in the background: the executor returns at once (a new callback kills one still running), and a
   * failing script is only logged. Planned by {@link CallbackRules} only when such a script is configured.
   */
  record RunCallback(io.pgquorum.coordinator.config.CallbackAction action, String role) implements Action {}

  /**
   * The promotion that follows in this plan ({@link Promote}) runs the {@code pre_promote} script first, inside its
   * task, and does not promote unless the script exits 0 (the task then fails with {@link #REFUSED}, and the next
   * cycle gives the lock back). Planned only when the script is configured and PostgreSQL is not primary already.
   */
  record PrePromote() implements Action {
    /** The error a promote task fails with when the script refused (how the next decision recognises it). */
    public static final String REFUSED = "the pre_promote script refused the promotion";
  }

  /**
   * Run the {@code before_stop} script and wait for it (at most pg_ctl_timeout) before the stop that follows; its
   * exit code is ignored. Planned only while a primary may still run that long (see {@link CallbackRules}).
   */
  record BeforeStop() implements Action {}

  /**
   * Clear the {@code failover} key (write {@code {}}) if it is still at {@code modRevision}: the request was handled
   * (the new leader took the lock) or refused. A newer request written meanwhile is kept.
   */
  record ClearFailover(long modRevision) implements Action {}

  /**
   * On the primary, before a planned stop (a switchover): a {@code CHECKPOINT} while clients still write, so the
   * shutdown checkpoint after it, during which writes are refused, is short. Best effort: a failure is logged.
   * It runs in the cycle, after the plan's refresh: a checkpoint that outlasts the lease (more than ttl minus the
   * margin, on a huge dirty buffer pool) gets PostgreSQL fenced by the lease guard and the lock expires rather
   * than being released; safe, but a slower handover than a switchover at a quiet moment.
   */
  record Checkpoint() implements Action {}

  /**
   * On the primary holding the lock, with pgBackRest on: create the stanza and check that WAL archiving works
   * ({@code stanza-create}, then {@code check}), in the background ({@link BackrestRules}): it may take up to
   * {@code backrest.command_timeout} twice, far longer than loop_wait.
   */
  record CreateStanza() implements Action {}

  /**
   * On the primary holding the lock, with a backup schedule: claim {@code record} in the {@code backups} key (a
   * compare-and-set at its revision) and, if the claim wins, start a {@code type} backup in the background
   * ({@link BackupRules}). A lost claim starts nothing: another holder took the slot.
   */
  record StartBackup(String type, String slot, io.pgquorum.coordinator.cluster.BackupRecord record) implements Action {}

  /**
   * A slot that passed while no node held the lock, found later than {@code backrest.schedule.catch_up}: record it
   * as skipped (same compare-and-set), so it is said once and never run late.
   */
  record SkipBackupSlot(String type, String slot, io.pgquorum.coordinator.cluster.BackupRecord record)
      implements Action {}

  /**
   * On a newly promoted primary (its timeline is past the one recorded in {@code backups}): claim the timeline and
   * run {@code pgbackrest check} ({@code check}) and a {@code backup} of that type (empty: none) in the background.
   */
  record AfterPromotion(long timeline, boolean check, Optional<String> backup,
      io.pgquorum.coordinator.cluster.BackupRecord record) implements Action {}

  /** Restore (phase stopping): move the stopped data directory aside to {@code <data_dir>.restore-<id>}. */
  record MoveAsideForRestore(String restoreId) implements Action {}

  /**
   * Restore (phase stopping): write {@code record} (this member added to {@code ready}) at the revision it was
   * read at; a lost compare-and-set is retried next cycle from the key as it is then.
   */
  record MarkRestoreReady(io.pgquorum.coordinator.cluster.RestoreRecord record) implements Action {}

  /**
   * Restore: every member is ready. Removes the leader lock, {@code initialize}, {@code status}, {@code failover} and
   * {@code sync}, then writes {@code record} (phase bootstrapping) at its revision.
   */
  record ResetForRestore(io.pgquorum.coordinator.cluster.RestoreRecord record) implements Action {}

  /**
   * Task: {@link Bootstrap} restoring from the pgBackRest repository to the restore's {@code target} (promoted
   * there), whatever bootstrap method the configuration names.
   */
  record BootstrapFromBackup(io.pgquorum.coordinator.config.BackrestBootstrap target, DynamicConfig seedConfig)
      implements TaskAction {
    @Override
    public Task task() {
      return Task.BOOTSTRAP;
    }
  }

  /** Restore: write its outcome, {@code record} in phase done (with the new timeline) or failed (with why). */
  record FinishRestore(io.pgquorum.coordinator.cluster.RestoreRecord record) implements Action {}
}
