package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.RefusedCopy;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What this node knows locally at decision time, besides the cluster snapshot.
 *
 * @param pg the cycle's PostgreSQL probe
 * @param runningTask the long task in progress, if any
 * @param failedTask a task that failed since the last cycle, with its error (reported once)
 * @param leaseDeadlineNanos when we believe we hold the lock: the {@link System#nanoTime()} by which PostgreSQL
 *     must have stopped accepting writes (send time of the last successful acquire/refresh + ttl - margin)
 * @param shutdownRequested SIGTERM or {@code stop()}: hand over and stop
 * @param memory what the previous cycle's decision remembered ({@link Decision#memory()})
 * @param mayHoldLease false while the lock must not be raced for, taken or kept ({@code watchdog.mode: required}
 *     and the watchdog process is not running); sampled when the cycle starts
 * @param request an operator's request the loop took this cycle ({@link OperatorRequests}), if any
 * @param refusedCopy PostgreSQL refused the copy in the data directory at its start (it cannot reach the timeline
 *     to follow); kept until the next task starts ({@link TaskRunner#refusal()})
 * @param failsafe the promise this node gave a primary on failsafe, and when its daemon started
 *     ({@link FailsafeRules#whyNoRace})
 * @param dcsLeadership whether this node's DCS member leads the Raft group, and to whom it could hand that over
 *     ({@link DcsLeadershipRules})
 */
public record LocalState(
    PgState pg,
    Optional<Task> runningTask,
    Optional<String> failedTask,
    OptionalLong leaseDeadlineNanos,
    boolean shutdownRequested,
    HaMemory memory,
    boolean mayHoldLease,
    Optional<LocalRequest> request,
    BackrestView backrest,
    Optional<RefusedCopy> refusedCopy,
    FailsafePromise.Local failsafe,
    DcsLeadership dcsLeadership) {

  /** A state without failsafe promises. */
  public LocalState(PgState pg, Optional<Task> runningTask, Optional<String> failedTask,
      OptionalLong leaseDeadlineNanos, boolean shutdownRequested, HaMemory memory, boolean mayHoldLease,
      Optional<LocalRequest> request, BackrestView backrest, Optional<RefusedCopy> refusedCopy) {
    this(pg, runningTask, failedTask, leaseDeadlineNanos, shutdownRequested, memory, mayHoldLease, request, backrest,
        refusedCopy, FailsafePromise.Local.NONE, DcsLeadership.UNKNOWN);
  }

  /** This state with {@code next} as what the loop sampled of failsafe mode. */
  public LocalState withFailsafe(FailsafePromise.Local next) {
    return new LocalState(pg, runningTask, failedTask, leaseDeadlineNanos, shutdownRequested, memory, mayHoldLease,
        request, backrest, refusedCopy, next, dcsLeadership);
  }

  /** This state with {@code next} as what the loop sampled of its DCS member's leadership. */
  public LocalState withDcsLeadership(DcsLeadership next) {
    return new LocalState(pg, runningTask, failedTask, leaseDeadlineNanos, shutdownRequested, memory, mayHoldLease,
        request, backrest, refusedCopy, failsafe, next);
  }

  /** A state without a refused copy. */
  public LocalState(PgState pg, Optional<Task> runningTask, Optional<String> failedTask,
      OptionalLong leaseDeadlineNanos, boolean shutdownRequested, HaMemory memory, boolean mayHoldLease,
      Optional<LocalRequest> request, BackrestView backrest) {
    this(pg, runningTask, failedTask, leaseDeadlineNanos, shutdownRequested, memory, mayHoldLease, request, backrest,
        Optional.empty());
  }

  /** A state without pgBackRest (no backrest section). */
  public LocalState(PgState pg, Optional<Task> runningTask, Optional<String> failedTask,
      OptionalLong leaseDeadlineNanos, boolean shutdownRequested, HaMemory memory, boolean mayHoldLease,
      Optional<LocalRequest> request) {
    this(pg, runningTask, failedTask, leaseDeadlineNanos, shutdownRequested, memory, mayHoldLease, request,
        BackrestView.OFF);
  }

  /** A state without an operator's request. */
  public LocalState(PgState pg, Optional<Task> runningTask, Optional<String> failedTask,
      OptionalLong leaseDeadlineNanos, boolean shutdownRequested, HaMemory memory, boolean mayHoldLease) {
    this(pg, runningTask, failedTask, leaseDeadlineNanos, shutdownRequested, memory, mayHoldLease, Optional.empty());
  }

  /** A state in which the lock may be held (no required watchdog is down). */
  public LocalState(PgState pg, Optional<Task> runningTask, Optional<String> failedTask,
      OptionalLong leaseDeadlineNanos, boolean shutdownRequested, HaMemory memory) {
    this(pg, runningTask, failedTask, leaseDeadlineNanos, shutdownRequested, memory, true);
  }

  /** A state with nothing remembered from earlier cycles. */
  public LocalState(PgState pg, Optional<Task> runningTask, Optional<String> failedTask,
      OptionalLong leaseDeadlineNanos, boolean shutdownRequested) {
    this(pg, runningTask, failedTask, leaseDeadlineNanos, shutdownRequested, HaMemory.NONE);
  }

  public static LocalState of(PgState pg) {
    return new LocalState(pg, Optional.empty(), Optional.empty(), OptionalLong.empty(), false);
  }
}
