package io.pgquorum.coordinator.ha;

import java.util.OptionalLong;

/**
 * This node's mutable record of the leader lease it holds (its belief about it), shared by the HA loop (which
 * extends it), the {@link LeaseKeeper} (which extends a held one between the loop's cycles) and {@link LeaseGuard}
 * (which fences PostgreSQL when it runs out).
 *
 * <p>Timing assumption (the one PostgreSQL's safety rests on): the DCS expires a lease no earlier than
 * {@code ttl * (1+rho)/(1-rho)} after the member applying the write saw it, and applying happens after we sent
 * it. Our deadline is measured on our own monotonic clock from <em>before</em> we sent the acquire/refresh, and
 * is {@code ttl - margin}: even if our clock runs rho slow and the others' rho fast, our deadline comes before
 * the majority can expire the lease, and the margin covers the time an immediate stop takes. Only successful
 * writes move the deadline; a write whose outcome is unknown (timeout) does not.
 *
 * <p>A {@link LeaseListener} (the watchdog process) is armed with every new deadline. Losing the lease does not
 * disarm it: PostgreSQL may still be running as primary until the loop demotes it, and if this JVM freezes in
 * between, the watchdog's deadline is what still fences it. Only {@link #postgresStopped()} with no lease held
 * disarms it.
 */
public final class HeldLease {
  private long token;
  private long deadlineNanos;
  /** When the latest confirmed write of the held lease was sent (what the {@link LeaseKeeper} paces itself by). */
  private long confirmedSentNanos;
  private boolean held;
  private LeaseListener listener = LeaseListener.NONE;

  /** Sets the observer of deadlines (one; replaces the previous). */
  public synchronized void setListener(LeaseListener listener) {
    this.listener = listener;
  }

  /** Records a successful acquire/refresh that was sent at {@code sentNanos}. */
  public synchronized void extend(long token, long sentNanos, long validForNanos) {
    long deadline = sentNanos + validForNanos;
    boolean same = held && this.token == token;
    if (!same || deadline - this.deadlineNanos > 0) {
      this.deadlineNanos = deadline;
    }
    if (!same || sentNanos - this.confirmedSentNanos > 0) {
      this.confirmedSentNanos = sentNanos;
    }
    this.token = token;
    this.held = true;
    listener.armed(token, this.deadlineNanos);
    notifyAll(); // a guard idling in awaitHeld starts checking this deadline
  }

  /**
   * Extends the held lease {@code token} after a failsafe round sent at {@code sentNanos} that every member accepted
   * ({@link FailsafeRules}), or after a {@link LeaseKeeper} refresh sent then that the DCS confirmed; false (nothing
   * changes) when the lease is no longer held with that token, or when its deadline had passed by the send. Why the
   * second condition: the round (or refresh) covers only the time from its send on, so it may continue a lease that
   * was still valid then, never resurrect one that ran out before it (between the two, PostgreSQL would have been
   * writable with nothing granting it).
   */
  public synchronized boolean extendHeld(long token, long sentNanos, long validForNanos) {
    if (!held || this.token != token || sentNanos - deadlineNanos >= 0) {
      return false;
    }
    long deadline = sentNanos + validForNanos;
    if (sentNanos - confirmedSentNanos > 0) {
      confirmedSentNanos = sentNanos;
    }
    if (deadline - this.deadlineNanos > 0) {
      this.deadlineNanos = deadline;
      listener.armed(token, deadline);
    }
    return true;
  }

  /**
   * Lowers the deadline of the held lease with {@code token} to {@code latestNanos} if it is later (never raises
   * it), and tells the listener. Called before a write that may shorten the lease in the DCS (a re-arm with a
   * lower ttl): once sent, the shorter lease may be in force before any reply arrives, or without one.
   */
  public synchronized void cap(long token, long latestNanos) {
    if (held && this.token == token && this.deadlineNanos - latestNanos > 0) {
      this.deadlineNanos = latestNanos;
      listener.armed(token, latestNanos);
    }
  }

  /**
   * Forgets the lease (released, lost, or fenced). The listener stays armed: see {@link #postgresStopped()}.
   */
  public synchronized void clear() {
    held = false;
  }

  /**
   * PostgreSQL was just stopped (or is known not to run). When no lease is held, nothing is left to fence and
   * the listener is disarmed; while a lease is held it stays armed (fencing a stopped server is harmless).
   */
  public synchronized void postgresStopped() {
    if (!held) {
      listener.disarmed();
    }
  }

  public synchronized OptionalLong deadlineNanos() {
    return held ? OptionalLong.of(deadlineNanos) : OptionalLong.empty();
  }

  public synchronized OptionalLong token() {
    return held ? OptionalLong.of(token) : OptionalLong.empty();
  }

  /** When the latest confirmed write of the held lease was sent (empty when none is held). */
  public synchronized OptionalLong confirmedSentNanos() {
    return held ? OptionalLong.of(confirmedSentNanos) : OptionalLong.empty();
  }

  /**
   * How long the held lease {@code token} has left at {@code nowNanos} before its deadline (negative once past);
   * empty when that lease is not held. What a refresh confirmed at {@code nowNanos} still had in hand: the lease
   * headroom metric ({@code NodeMetrics#leaseHeadroom}).
   */
  public synchronized OptionalLong headroomAt(long token, long nowNanos) {
    return held && this.token == token ? OptionalLong.of(deadlineNanos - nowNanos) : OptionalLong.empty();
  }

  /**
   * The published status {@code s} with this lease's current deadline, when {@code s} holds this very lease and
   * a confirmed refresh has moved the deadline since it was published ({@link NodeStatus#withLaterLeaseDeadline});
   * what the REST API judges health checks by. Takes this object's monitor only for two reads.
   */
  public NodeStatus current(NodeStatus s) {
    if (s == null || s.leaseToken().isEmpty()) {
      return s;
    }
    long t;
    long d;
    synchronized (this) {
      if (!held) {
        return s;
      }
      t = token;
      d = deadlineNanos;
    }
    return s.withLaterLeaseDeadline(t, d);
  }

  /** True while a lease is held and its deadline has not passed at {@code nowNanos}. */
  public synchronized boolean validAt(long nowNanos) {
    return held && nowNanos - deadlineNanos < 0;
  }

  /**
   * Returns once a lease is held (at once when one is), or after {@code maxMillis}: how {@link LeaseGuard} idles on a
   * node that holds no lease. {@link #extend} (the only way a lease becomes held) wakes it.
   */
  synchronized void awaitHeld(long maxMillis) throws InterruptedException {
    if (!held) {
      wait(maxMillis);
    }
  }

  /** Clears and returns true if a held lease's deadline has passed at {@code nowNanos}. */
  synchronized boolean expireIfDue(long nowNanos) {
    if (held && nowNanos - deadlineNanos >= 0) {
      held = false;
      return true;
    }
    return false;
  }
}
