package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.ha.sync.SyncMark;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the decision remembers from one cycle to the next: its own state, handed back by the loop as an input
 * ({@link LocalState#memory()}) and returned, updated, with every {@link Decision}. Keeping it a value that only
 * {@link Decider} computes keeps the rules that depend on time or on repetition pure and table-testable.
 *
 * @param primaryStartSinceNanos when (on the loop's nano clock) this holder began bringing PostgreSQL up as primary
 *     without it having come up since (the first start attempt after a crash, or the first cycle that saw the
 *     postmaster alive but not yet accepting connections): what {@code primary_start_timeout} is counted from
 * @param unprobeableCycles consecutive cycles (outside long tasks) whose probe could not tell PostgreSQL's state:
 *     see {@link Decider#UNPROBEABLE_CYCLES}
 * @param retry the failures in a row of the task that brings this node up as a replica, while it keeps failing:
 *     see {@link Decider#backoff}
 * @param scheduledRestart an operator's restart scheduled for later ({@link LocalOperations}): kept in memory and
 *     published in the member key as Patroni does, so it is lost when the daemon restarts
 * @param callbacks what the callback rules remember ({@link CallbackRules}): always empty without scripts
 * @param handedOver while paused: this node stopped its own primary to hand the lock to a named candidate and has
 *     not run PostgreSQL since ({@link PausedHandover}); the one stopped server a paused loop starts again
 * @param syncMark the primary in synchronous mode: the synchronous_standby_names it last saw and its position then
 *     ({@link SyncMark}, {@link SyncDuty}); empty otherwise
 * @param epochUpstream a running replica: the upstream (host:port) it streamed from on the last cycle its timeline's
 *     epoch was known, as long as it has streamed from no other since ({@link TimelineEpochs#streamed})
 * @param leavingSync a synchronous standby asked to restart: it leaves synchronous duty first ({@link LeavingSync})
 * @param goneSlots the leader: the slots it keeps for members that are gone ({@code member_slots_ttl}), each with
 *     when (on the loop's nano clock) this leader first saw its member gone ({@link SlotRetention}); empty otherwise
 * @param catchUp the lock holder, still a replica: the catch-up from a more advanced peer it runs before promoting
 *     ({@link CatchUp}); empty otherwise
 * @param failsafe the lock holder with failsafe mode on: whom to ask, and on what lease terms, when the DCS cannot
 *     be read ({@link FailsafeRules}); empty otherwise
 */
public record HaMemory(OptionalLong primaryStartSinceNanos, int unprobeableCycles, Optional<TaskRetry> retry,
    Optional<LocalRequest.ScheduledRestart> scheduledRestart, CallbackMemory callbacks, boolean handedOver,
    Optional<SyncMark> syncMark, Optional<String> epochUpstream, Optional<LeavingSync> leavingSync,
    Map<String, Long> goneSlots, Optional<CatchUp.Progress> catchUp, Optional<FailsafeRules.Peers> failsafe) {
  /** Nothing remembered (the first cycle, or nothing in progress). */
  public static final HaMemory NONE = new HaMemory(OptionalLong.empty(), 0);

  public HaMemory {
    goneSlots = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(goneSlots));
  }

  /** Nothing remembered for failsafe mode. */
  public HaMemory(OptionalLong primaryStartSinceNanos, int unprobeableCycles, Optional<TaskRetry> retry,
      Optional<LocalRequest.ScheduledRestart> scheduledRestart, CallbackMemory callbacks, boolean handedOver,
      Optional<SyncMark> syncMark, Optional<String> epochUpstream, Optional<LeavingSync> leavingSync,
      Map<String, Long> goneSlots, Optional<CatchUp.Progress> catchUp) {
    this(primaryStartSinceNanos, unprobeableCycles, retry, scheduledRestart, callbacks, handedOver, syncMark,
        epochUpstream, leavingSync, goneSlots, catchUp, Optional.empty());
  }

  /** No catch-up before a promotion in progress. */
  public HaMemory(OptionalLong primaryStartSinceNanos, int unprobeableCycles, Optional<TaskRetry> retry,
      Optional<LocalRequest.ScheduledRestart> scheduledRestart, CallbackMemory callbacks, boolean handedOver,
      Optional<SyncMark> syncMark, Optional<String> epochUpstream, Optional<LeavingSync> leavingSync,
      Map<String, Long> goneSlots) {
    this(primaryStartSinceNanos, unprobeableCycles, retry, scheduledRestart, callbacks, handedOver, syncMark,
        epochUpstream, leavingSync, goneSlots, Optional.empty());
  }

  /** No slot kept for a gone member. */
  public HaMemory(OptionalLong primaryStartSinceNanos, int unprobeableCycles, Optional<TaskRetry> retry,
      Optional<LocalRequest.ScheduledRestart> scheduledRestart, CallbackMemory callbacks, boolean handedOver,
      Optional<SyncMark> syncMark, Optional<String> epochUpstream, Optional<LeavingSync> leavingSync) {
    this(primaryStartSinceNanos, unprobeableCycles, retry, scheduledRestart, callbacks, handedOver, syncMark,
        epochUpstream, leavingSync, Map.of());
  }

  /** Nothing remembered about failed tasks. */
  public HaMemory(OptionalLong primaryStartSinceNanos, int unprobeableCycles) {
    this(primaryStartSinceNanos, unprobeableCycles, Optional.empty());
  }

  /** Nothing remembered about a scheduled restart. */
  public HaMemory(OptionalLong primaryStartSinceNanos, int unprobeableCycles, Optional<TaskRetry> retry) {
    this(primaryStartSinceNanos, unprobeableCycles, retry, Optional.empty());
  }

  /** Nothing remembered for the callback rules. */
  public HaMemory(OptionalLong primaryStartSinceNanos, int unprobeableCycles, Optional<TaskRetry> retry,
      Optional<LocalRequest.ScheduledRestart> scheduledRestart) {
    this(primaryStartSinceNanos, unprobeableCycles, retry, scheduledRestart, CallbackMemory.NONE);
  }

  /** Nothing remembered about a replica's upstream, and not leaving synchronous duty. */
  public HaMemory(OptionalLong primaryStartSinceNanos, int unprobeableCycles, Optional<TaskRetry> retry,
      Optional<LocalRequest.ScheduledRestart> scheduledRestart, CallbackMemory callbacks, boolean handedOver,
      Optional<SyncMark> syncMark) {
    this(primaryStartSinceNanos, unprobeableCycles, retry, scheduledRestart, callbacks, handedOver, syncMark,
        Optional.empty(), Optional.empty());
  }

  /** Nothing remembered about synchronous replication. */
  public HaMemory(OptionalLong primaryStartSinceNanos, int unprobeableCycles, Optional<TaskRetry> retry,
      Optional<LocalRequest.ScheduledRestart> scheduledRestart, CallbackMemory callbacks, boolean handedOver) {
    this(primaryStartSinceNanos, unprobeableCycles, retry, scheduledRestart, callbacks, handedOver, Optional.empty());
  }

  /** Nothing remembered about a paused handover. */
  public HaMemory(OptionalLong primaryStartSinceNanos, int unprobeableCycles, Optional<TaskRetry> retry,
      Optional<LocalRequest.ScheduledRestart> scheduledRestart, CallbackMemory callbacks) {
    this(primaryStartSinceNanos, unprobeableCycles, retry, scheduledRestart, callbacks, false);
  }

  /** This memory with {@code next} as what is remembered about failed tasks. */
  HaMemory withRetry(Optional<TaskRetry> next) {
    return new HaMemory(primaryStartSinceNanos, unprobeableCycles, next, scheduledRestart, callbacks, handedOver,
        syncMark, epochUpstream, leavingSync, goneSlots, catchUp, failsafe);
  }

  /** This memory with {@code next} as the scheduled restart. */
  HaMemory withScheduledRestart(Optional<LocalRequest.ScheduledRestart> next) {
    return new HaMemory(primaryStartSinceNanos, unprobeableCycles, retry, next, callbacks, handedOver, syncMark,
        epochUpstream, leavingSync, goneSlots, catchUp, failsafe);
  }

  /** This memory with {@code next} as what the callback rules remember. */
  HaMemory withCallbacks(CallbackMemory next) {
    return new HaMemory(primaryStartSinceNanos, unprobeableCycles, retry, scheduledRestart, next, handedOver, syncMark,
        epochUpstream, leavingSync, goneSlots, catchUp, failsafe);
  }

  /** This memory with {@code next} as whether a paused handover stopped this node's primary. */
  HaMemory withHandedOver(boolean next) {
    return new HaMemory(primaryStartSinceNanos, unprobeableCycles, retry, scheduledRestart, callbacks, next, syncMark,
        epochUpstream, leavingSync, goneSlots, catchUp, failsafe);
  }

  /** This memory with {@code next} as the synchronous replication mark. */
  HaMemory withSyncMark(Optional<SyncMark> next) {
    return new HaMemory(primaryStartSinceNanos, unprobeableCycles, retry, scheduledRestart, callbacks, handedOver,
        next, epochUpstream, leavingSync, goneSlots, catchUp, failsafe);
  }

  /** This memory with {@code next} as the synchronous standby's pending departure. */
  HaMemory withLeavingSync(Optional<LeavingSync> next) {
    return new HaMemory(primaryStartSinceNanos, unprobeableCycles, retry, scheduledRestart, callbacks, handedOver,
        syncMark, epochUpstream, next, goneSlots, catchUp, failsafe);
  }

  /** This memory with {@code next} as the upstream a replica has streamed from since its epoch was last known. */
  HaMemory withEpochUpstream(Optional<String> next) {
    return new HaMemory(primaryStartSinceNanos, unprobeableCycles, retry, scheduledRestart, callbacks, handedOver,
        syncMark, next, leavingSync, goneSlots, catchUp, failsafe);
  }

  /** This memory with {@code next} as the slots kept for gone members. */
  HaMemory withGoneSlots(Map<String, Long> next) {
    return new HaMemory(primaryStartSinceNanos, unprobeableCycles, retry, scheduledRestart, callbacks, handedOver,
        syncMark, epochUpstream, leavingSync, next, catchUp, failsafe);
  }

  /** This memory with {@code next} as the catch-up before a promotion. */
  HaMemory withCatchUp(Optional<CatchUp.Progress> next) {
    return new HaMemory(primaryStartSinceNanos, unprobeableCycles, retry, scheduledRestart, callbacks, handedOver,
        syncMark, epochUpstream, leavingSync, goneSlots, next, failsafe);
  }

  /** This memory with {@code next} as what failsafe mode asks without a DCS. */
  HaMemory withFailsafe(Optional<FailsafeRules.Peers> next) {
    return new HaMemory(primaryStartSinceNanos, unprobeableCycles, retry, scheduledRestart, callbacks, handedOver,
        syncMark, epochUpstream, leavingSync, goneSlots, catchUp, next);
  }

  /**
   * A restart of a replica the {@code sync} key lists, held back while it leaves synchronous duty
   * ({@link LocalOperations}): meanwhile its member key carries the {@code nosync} tag, so the primary drops it
   * from the key and then from synchronous_standby_names (the rules' order) before its PostgreSQL stops, and commits
   * in non-strict mode do not wait for a standby that is restarting. Patroni's replica does the same
   * ({@code nosync}, then waits up to 2 loop_waits). Kept in memory only, as the request it holds.
   *
   * @param id the request's answer id (0: a scheduled restart, nobody waits)
   * @param conditions the restart's filters, evaluated again when it proceeds
   * @param sinceNanos when (on the loop's nano clock) the departure began
   * @param seenNanos when this node first read its own member key saying {@code nosync} back from the DCS: the
   *     2 loop_waits count from there (Patroni starts its wait once the member key is written), since before it
   *     the primary cannot have seen the tag; empty until then
   */
  public record LeavingSync(long id, LocalRequest.RestartConditions conditions, long sinceNanos,
      OptionalLong seenNanos) {
    /** How long the primary is given to drop this node, in loop_waits, once it can see {@code nosync}. */
    static final int BOUND_LOOP_WAITS = 2;
    /**
     * The bound from the start while {@code nosync} has not been read back (a member key write that keeps failing
     * must not hold the restart forever): twice the normal one.
     */
    static final int UNSEEN_BOUND_LOOP_WAITS = 2 * BOUND_LOOP_WAITS;

    public LeavingSync(long id, LocalRequest.RestartConditions conditions, long sinceNanos) {
      this(id, conditions, sinceNanos, OptionalLong.empty());
    }

    /**
     * The departure in this cycle: {@code previous} continued (or a new one from {@code nowNanos}), noting the first
     * cycle whose snapshot shows this node's member key with {@code nosync} ({@code nosyncSeen}).
     */
    static LeavingSync next(Optional<LeavingSync> previous, long id, LocalRequest.RestartConditions conditions,
        boolean nosyncSeen, long nowNanos) {
      long since = previous.map(LeavingSync::sinceNanos).orElse(nowNanos);
      OptionalLong seen = previous.map(LeavingSync::seenNanos).orElse(OptionalLong.empty());
      if (seen.isEmpty() && nosyncSeen) {
        seen = OptionalLong.of(nowNanos);
      }
      return new LeavingSync(id, conditions, since, seen);
    }

    /** Whether the primary has had its time to drop this node ({@link #BOUND_LOOP_WAITS} once it could see it). */
    boolean waitOver(long loopWaitNanos, long nowNanos) {
      return seenNanos.isPresent() ? nowNanos - seenNanos.getAsLong() >= BOUND_LOOP_WAITS * loopWaitNanos
          : nowNanos - sinceNanos >= UNSEEN_BOUND_LOOP_WAITS * loopWaitNanos;
    }
  }

  /**
   * A task that keeps failing: how many times in a row, the earliest time it may run again, and its last error (a
   * failure with the same error as the one before is reported in one short line).
   *
   * @param failures consecutive failures (1 after the first)
   * @param notBeforeNanos when (on the loop's nano clock) the next attempt may start
   * @param lastFailure the last failure's text, as the task runner reported it
   * @param leader the leader the snapshot showed at the last failure ("" for none): failures against one leader say
   *     nothing about the next, so a change of leader forgets them
   */
  public record TaskRetry(int failures, long notBeforeNanos, String lastFailure, String leader) {
    /** {@link #leader} when the snapshot showed none. */
    public static final String NO_LEADER = "";
  }
}
