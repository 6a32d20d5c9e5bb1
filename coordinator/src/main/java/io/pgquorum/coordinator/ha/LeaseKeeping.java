package io.pgquorum.coordinator.ha;

import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The pure rules of the {@link LeaseKeeper}: which plans license it, for how long, and when a refresh is due. The
 * keeper only performs what these return.
 *
 * <p><b>Span.</b> A license granted at the cycle instant {@code c} (the instant the decision was made, after the
 * cycle's DCS read and PostgreSQL probe) runs until {@code c + 2 * ttl}. Why twice the ttl:
 * <ul>
 *   <li>liveness: a healthy loop renews the license every cycle, at most {@code loop_wait + 2 * retry_timeout}
 *       apart (a slow read and a slow refresh), which {@code loop_wait + 2 * retry_timeout <= ttl} keeps below the
 *       span; and a loop stalled for up to {@code 2 * ttl} (a GC pause, a hung probe, DCS retries) keeps its lease,
 *       since the keeper's last refresh before the span's end still counts for {@code ttl - retry_timeout};
 *   <li>safety of the stuck-loop case: nothing refreshes after {@code c + 2 * ttl}, so a loop that stopped for good
 *       loses the lease at most {@code 2 * ttl + (ttl - retry_timeout)} after it last looked at PostgreSQL; the
 *       {@link LeaseGuard} and the watchdog fence at that deadline as they always did. A primary is never kept
 *       alive indefinitely by a thread that does not probe PostgreSQL.
 * </ul>
 *
 * <p><b>Period.</b> A refresh is due when the last confirmed write of the lease was sent one period {@code p} ago or
 * more, where {@code p = max(ttl / 4, min(1.5 * loop_wait, V / 2 - TICK))} and {@code V = ttl - retry_timeout} is
 * how long a confirmed refresh keeps the lease ({@link LeaseTerms}). Why:
 * <ul>
 *   <li>at least two attempts within the lease's validity, so one refresh that goes unanswered does not cost the
 *       lease: at {@code p} and {@code 2p} after the last confirmed send, each up to a {@link #TICK} late.
 *       {@code ttl / 4} fits since {@code V > ttl / 2} ({@code loop_wait + 2 * retry_timeout <= ttl}); the other
 *       term is at most {@code V / 2 - TICK} by construction;
 *   <li>a healthy loop refreshes once per cycle, every {@code loop_wait} plus the cycle's own time, and then the
 *       keeper must send nothing (no extra DCS load, no "the loop is late" line a second). {@code ttl / 4} alone did
 *       that while the default was ttl 8 with loop_wait 1; at ttl 4 with loop_wait 1 it equals loop_wait, and the
 *       keeper refreshed ahead of the loop in nearly every cycle (the soak of 2026-12-06: 1,510 times in 30
 *       minutes). {@code 1.5 * loop_wait} leaves a cycle half a loop_wait of its own time, where the two-attempt
 *       bound allows it.
 * </ul>
 * A shorter period would only add writes; a longer one would leave one attempt per lease.
 *
 * <p><b>Retry.</b> An attempt that went unanswered (its outcome unknown: the DCS client already retried inside it
 * for up to retry_timeout) is repeated retry_timeout after its send ({@link #retryPause}), i.e. as soon as it has
 * ended, not a period after it, for as long as the lease and the license last. Why: losing the DCS's Raft leader
 * (a replica's node dies, and pgquorum keeps the Raft leader off the primary's node) leaves the DCS without a leader
 * for an election, 1 to 2.5 s measured on a loaded 2-core machine, and the lease survives only if a refresh lands
 * between the election's end and the deadline. Waiting a period after each unanswered attempt left gaps in which the
 * new leader was ready and nobody asked (bench's {@code replica-loss} suite, 2026-12-06: 3 of 10 such kills fenced
 * the primary at ttl 4). The DCS then sees one client retrying, as it does inside a single attempt.
 *
 * <p><b>Revocation.</b> Every plan that does not keep the lock with PostgreSQL left running revokes the license
 * before its first step (see {@link #license}): a demotion, a stop, a release (shutdown and switchover included),
 * a fatal stop, a blocked refresh (required watchdog missing), a failsafe round (which extends the lease on its own
 * terms and must not be mixed with DCS refreshes), any other plan that does not refresh the lock, and the shutdown
 * cycle. One exception ({@link #keepsLicense}): a cycle that could not read the DCS and plans nothing (the primary
 * rides its lease out) leaves the license in force as it was: the keeper's refreshes during a DCS outage are what
 * can still save the lease once the DCS answers again, and revoking them there left the lease to the loop's next
 * cycle, a loop_wait later. The span is not renewed by such a cycle, so the stuck-loop bound above stands: it counts
 * from the last cycle that read the DCS and decided to keep the lock. The keeper never refreshes a lock the loop
 * decided to give up; how a refresh in flight at the revocation is kept from moving the deadline afterwards is
 * {@link LeaseKeeper}'s ordering.
 */
public final class LeaseKeeping {
  /**
   * How often the {@link LeaseKeeper}'s thread looks: a due refresh is sent up to this late, which the period allows
   * for. Here rather than in the keeper so that these rules depend on nothing that does I/O.
   */
  static final Duration TICK = Duration.ofMillis(100);

  private LeaseKeeping() {}

  /**
   * The license a plan grants, decided at {@code decidedAtNanos}; empty revokes. Granted only by a plan that refreshes
   * or re-arms the lock ({@link Action.RefreshLock}, {@link Action.RearmLock}) and has no step that stops PostgreSQL,
   * gives up the lock or ends the loop.
   */
  public static Optional<KeeperLicense> license(Decision decision, boolean shutdown, long decidedAtNanos,
      Duration loopWait, PlantedBugs bugs) {
    if (shutdown) {
      return Optional.empty();
    }
    Optional<Action> keep = decision.actions().stream()
        .filter(a -> a instanceof Action.RefreshLock || a instanceof Action.RearmLock).findFirst();
    boolean givesUp = decision.actions().stream().anyMatch(LeaseKeeping::revokes);
    if (keep.isEmpty() || givesUp) {
      return Optional.empty();
    }
    long token = keep.get() instanceof Action.RefreshLock r ? r.fencingToken()
        : ((Action.RearmLock) keep.get()).fencingToken();
    LeaseTerms terms = keep.get() instanceof Action.RefreshLock r ? r.terms() : ((Action.RearmLock) keep.get()).terms();
    long ttl = terms.configuredTtl().toNanos();
    long span = 2 * ttl;
    if (bugs.active(HaBug.KEEPER_IGNORES_LICENSE)) {
      // PLANTED BUG (test harness only): a license that never runs out, so a stuck loop's lease lives for ever.
      span = Long.MAX_VALUE / 4;
    }
    return Optional.of(new KeeperLicense(token, terms, decidedAtNanos + span, period(terms, loopWait)));
  }

  /**
   * Whether the cycle's plan leaves the license in force unchanged instead of replacing it with {@link #license}'s:
   * a cycle that could not read the DCS ({@code dcsRead} false), is not the shutdown cycle, and plans no step at all
   * (the holder riding its lease out; a secondary, which holds no lease for the keeper to refresh). See "Revocation".
   */
  public static boolean keepsLicense(Decision decision, boolean dcsRead, boolean shutdown) {
    return !dcsRead && !shutdown && decision.actions().isEmpty();
  }

  /**
   * How long after an unanswered attempt's send the next is due: {@code min(period, retry_timeout)} (the terms'
   * margin is retry_timeout). An attempt the DCS does not answer lasts retry_timeout (the DCS client retries inside
   * it until then), so the next one follows it at the next tick and one attempt is in flight all through an
   * outage; the period caps it where the period is shorter.
   */
  static long retryPause(KeeperLicense l) {
    return Math.max(1, Math.min(l.periodNanos(), l.terms().margin().toNanos()));
  }

  /** The keeper's period under {@code terms} with {@code loopWait} (see the class comment): at least 1 ns. */
  static long period(LeaseTerms terms, Duration loopWait) {
    long ttl = terms.configuredTtl().toNanos();
    long twoAttempts = terms.validForNanos(terms.configuredTtl()) / 2 - TICK.toNanos();
    long quietWhileOnTime = Math.min(loopWait.toNanos() + loopWait.toNanos() / 2, twoAttempts);
    return Math.max(1, Math.max(ttl / 4, quietWhileOnTime));
  }

  /** A step after which the keeper must not refresh: it stops PostgreSQL, lets the lock go or ends the loop. */
  static boolean revokes(Action a) {
    return a instanceof Action.Demote || a instanceof Action.SkippedDemote || a instanceof Action.StopPostgres
        || a instanceof Action.ReleaseLock || a instanceof Action.Fatal || a instanceof Action.LeaseBlocked
        || a instanceof Action.FailsafeRound;
  }

  /**
   * What the keeper knows of the lease when it looks: the held lease's token, deadline and the send instant of its
   * last confirmed write (all empty when none is held), and the send instant of its own last attempt.
   */
  public record LeaseView(OptionalLong heldToken, OptionalLong deadlineNanos, OptionalLong lastConfirmedSendNanos,
      OptionalLong lastAttemptNanos) {}

  /**
   * The earliest instant at or after {@code nowNanos} at which a refresh is due, or empty when none will be under
   * this license and this lease: no license, another token held (or none), or the due instant not before the
   * license's end or the lease's deadline (a refresh sent after our own deadline could only resurrect a lease the
   * guard is fencing). A refresh is sent exactly when this returns {@code nowNanos}.
   */
  public static OptionalLong nextRefresh(Optional<KeeperLicense> license, LeaseView lease, long nowNanos) {
    if (license.isEmpty() || lease.heldToken().isEmpty() || lease.heldToken().getAsLong() != license.get().token()
        || lease.deadlineNanos().isEmpty() || lease.lastConfirmedSendNanos().isEmpty()) {
      return OptionalLong.empty();
    }
    KeeperLicense l = license.get();
    long due = lease.lastConfirmedSendNanos().getAsLong() + l.periodNanos();
    if (lease.lastAttemptNanos().isPresent()
        && lease.lastAttemptNanos().getAsLong() - lease.lastConfirmedSendNanos().getAsLong() > 0) {
      // The keeper's last attempt went unanswered (a confirmed one would have moved the confirmed send to it):
      // again once it has ended ("Retry").
      long retry = lease.lastAttemptNanos().getAsLong() + retryPause(l);
      due = retry - due > 0 ? retry : due;
    }
    long at = due - nowNanos > 0 ? due : nowNanos;
    if (at - l.untilNanos() >= 0 || at - lease.deadlineNanos().getAsLong() >= 0) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(at);
  }
}
