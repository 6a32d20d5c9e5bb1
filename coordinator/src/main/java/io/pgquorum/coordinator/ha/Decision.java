package io.pgquorum.coordinator.ha;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The outcome of one HA cycle's decision: actions in order, the one-line message the cycle logs (Patroni's
 * phrasing where one exists, so operators' log searches keep working), and what the next cycle's decision must
 * remember ({@link HaMemory}; the loop hands it back unchanged).
 *
 * @param ifGateFails the message instead of {@code message} when one of the plan's gates fails (a lost race):
 *     for plans whose message claims what only a passed gate makes true ("promoted self to leader by acquiring
 *     session lock"). When present the loop logs after the plan ran, choosing by the executor's outcome; the
 *     choice itself is made here, so the loop only picks one of two decided texts
 * @param logged whether the loop logs the message (it is published either way): false for the repeated cycles
 *     of a wait that the log has already explained (see {@link Decider#backoff})
 */
public record Decision(List<Action> actions, String message, HaMemory memory, Optional<String> ifGateFails,
    boolean logged) {
  public Decision {
    actions = List.copyOf(actions);
  }

  /** A decision that remembers nothing. */
  public Decision(List<Action> actions, String message) {
    this(actions, message, HaMemory.NONE);
  }

  /** A logged decision whose message does not depend on a gate's outcome. */
  public Decision(List<Action> actions, String message, HaMemory memory) {
    this(actions, message, memory, Optional.empty(), true);
  }

  static Decision of(String message, Action... actions) {
    return new Decision(List.of(actions), message);
  }

  /** The message the cycle reports once the plan ran: {@link #ifGateFails} when a gate failed. */
  public String messageAfter(boolean gateFailed) {
    return gateFailed ? ifGateFails.orElse(message) : message;
  }

  /** This decision, remembering when the current attempt to bring the primary up began. */
  Decision startedAt(long sinceNanos) {
    return withMemory(new HaMemory(OptionalLong.of(sinceNanos), memory.unprobeableCycles(), memory.retry(),
        memory.scheduledRestart(), memory.callbacks(), memory.handedOver(), memory.syncMark(),
        memory.epochUpstream(), memory.leavingSync(), memory.goneSlots(), memory.catchUp(), memory.failsafe()));
  }

  /** This decision with {@code actions} instead (same message and memory). */
  Decision withActions(List<Action> replaced) {
    return new Decision(replaced, message, memory, ifGateFails, logged);
  }

  /** This decision with {@code remembered} instead. */
  Decision withMemory(HaMemory remembered) {
    return new Decision(actions, message, remembered, ifGateFails, logged);
  }

  /** This decision, reporting {@code alternative} instead of its message when a gate of the plan fails. */
  Decision ifGateFails(String alternative) {
    return new Decision(actions, message, memory, Optional.of(alternative), logged);
  }

  /**
   * Whether this plan keeps the lock (refreshes it) and otherwise leaves PostgreSQL and the lock alone: no step that
   * may change PostgreSQL, starts a task or releases the lock. The plans to which the lock holder's side work (a
   * backup, a Raft leadership hand-off) may be added.
   */
  boolean keepsLockQuietly() {
    return actions.stream().anyMatch(a -> a instanceof Action.RefreshLock)
        && actions.stream().noneMatch(a -> a instanceof Action.ChangesPostgres || a instanceof Action.TaskAction
            || a instanceof Action.ReleaseLock);
  }

  /** Whether a step of this plan may change PostgreSQL's state (the loop then probes it again). */
  public boolean changesPostgres() {
    return actions.stream().anyMatch(a -> a instanceof Action.ChangesPostgres);
  }

  /**
   * Whether the loop probes PostgreSQL again after this plan, before the member key is written: a plan that may
   * change its state ({@link #changesPostgres}), or one that moves synchronous_standby_names. Why the latter, though
   * it is no {@link Action.ChangesPostgres} (a paused cluster still moves it, and those steps are suppressed in a
   * pause): the primary's member key publishes the setting, and a synchronous standby leaving its duty waits for it
   * to stop naming it (LocalOperations.onSyncDuty); published from the cycle's earlier probe, it would lag a cycle.
   */
  public boolean probesAgain() {
    return changesPostgres() || actions.stream().anyMatch(a -> a instanceof Action.SetSynchronousStandbyNames);
  }

  /**
   * Whether this plan gives up the leader lock (a demotion, or a release): health checks then stop naming this node
   * primary right before the plan stops PostgreSQL (see {@code HaLoop#withdrawBeforeStop}).
   */
  public boolean givesUpLock() {
    return actions.stream().anyMatch(a -> a instanceof Action.Demote || a instanceof Action.ReleaseLock);
  }

  /** This decision with the count of consecutive unprobeable cycles. */
  Decision unprobeableFor(int cycles) {
    return withMemory(new HaMemory(memory.primaryStartSinceNanos(), cycles, memory.retry(),
        memory.scheduledRestart(), memory.callbacks(), memory.handedOver(), memory.syncMark(),
        memory.epochUpstream(), memory.leavingSync(), memory.goneSlots(), memory.catchUp(), memory.failsafe()));
  }
}
