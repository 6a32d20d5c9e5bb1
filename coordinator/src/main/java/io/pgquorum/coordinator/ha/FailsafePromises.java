package io.pgquorum.coordinator.ha;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * This node's side of failsafe mode ({@link FailsafeRules}), shared by the REST API (which records the promises a
 * primary asks for), the HA loop (which samples them into each cycle's {@link LocalState}) and the executor (which
 * takes the lock only through {@link #beginRace}).
 *
 * <p>Why one lock for the promise and the race: the decision to race is made from a sample, and a promise may
 * arrive between that sample and the acquire. Were both allowed, the primary would extend its lease on a promise
 * while this node takes the lock it promised not to take. Under this object's monitor a promise is refused once a
 * race has begun (or while this node holds the lease), and a race does not begin while a promise is in force; so
 * either the acquire waits out the promise, or the primary's round fails and its deadline stays where it was.
 */
public final class FailsafePromises {
  /** What {@link #promise} answered. */
  public enum Answer {
    /** Promised: no race for the lock until the promise ends. */
    ACCEPTED,
    /** Refused: this node holds the leader lease or is racing for it (Patroni's "Running as a leader"). */
    LEADER
  }

  private final HeldLease lease;
  private final LongSupplier nanoClock;
  private final long startedNanos;
  private Optional<FailsafePromise> promise = Optional.empty();
  private boolean racing;
  /** PLANTED BUG {@link HaBug#FAILSAFE_IGNORES_PROMISE} (test harness only): the gate lets every race through. */
  private volatile boolean ignorePromises;
  /** This daemon has held the leader lease (seen at a sample or at the end of a race): see FailsafePromise.Local. */
  private boolean heldLease;
  /** The last failsafe round of this node (as the leader, without a DCS) was accepted by every member. */
  private volatile boolean active;

  /** @param startedNanos when this daemon started, on {@code nanoClock} */
  public FailsafePromises(HeldLease lease, LongSupplier nanoClock, long startedNanos) {
    this.lease = lease;
    this.nanoClock = nanoClock;
    this.startedNanos = startedNanos;
  }

  /**
   * A primary on failsafe asks this node not to race for {@code ttl} (stretched by {@link
   * FailsafeRules#promiseNanos}), from now. A later end replaces an earlier one, never the reverse. The positions
   * of the primary's slots it sent ({@code slots}) are kept with the promise: the latest request's (they only move
   * forward on the primary).
   */
  public synchronized Answer promise(String leader, Duration ttl, java.util.Map<String, Long> slots) {
    if (racing || lease.deadlineNanos().isPresent()) {
      return Answer.LEADER;
    }
    long until = nanoClock.getAsLong() + FailsafeRules.promiseNanos(ttl);
    if (promise.isEmpty() || until - promise.get().untilNanos() > 0) {
      promise = Optional.of(new FailsafePromise(leader, until, slots));
    } else if (promise.get().leader().equals(leader)) {
      promise = Optional.of(new FailsafePromise(leader, promise.get().untilNanos(), slots)); // newer positions
    }
    return Answer.ACCEPTED;
  }

  /**
   * The gate in front of every acquire of the leader lock: false while a promise is in force; otherwise promises are
   * refused until {@link #endRace}. Call {@link #endRace} after the acquire, whatever its outcome (a won race leaves
   * the lease held, which refuses promises by itself).
   */
  public synchronized boolean beginRace() {
    if (!ignorePromises && promise.isPresent() && nanoClock.getAsLong() - promise.get().untilNanos() < 0) {
      return false;
    }
    racing = true;
    return true;
  }

  /** The acquire that {@link #beginRace} let through is over. */
  public synchronized void endRace() {
    racing = false;
    heldLease |= lease.deadlineNanos().isPresent();
  }

  /** Turns on the planted bug's half in this gate (the rule's half is in {@link FailsafeRules#whyNoRace}). */
  void ignorePromises(boolean on) {
    this.ignorePromises = on;
  }

  /** What the loop samples each cycle. */
  public synchronized FailsafePromise.Local sample() {
    heldLease |= lease.deadlineNanos().isPresent();
    return new FailsafePromise.Local(promise, startedNanos, heldLease);
  }

  /** Whether this node runs as the primary on failsafe now (its last round, without a DCS, was accepted by all). */
  public boolean active() {
    return active;
  }

  /** Records the outcome of a round (true: every member accepted) or, with false, that the DCS is back. */
  void active(boolean accepted) {
    this.active = accepted;
  }
}
