package io.pgquorum.dcs.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgquorum.dcs.proto.Entry;
import io.pgquorum.dcs.proto.Expire;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tests of the leader-side expiry decision, on a fake monotonic clock (no sleeps).
 *
 * <p>The safety property under test: a lease is never proposed for expiry before {@code ttl * (1+rho)/(1-rho)}
 * has elapsed on this member's clock since it applied the write that armed the lease, and it is always
 * proposed once that has elapsed (liveness: a dead primary's leader key must go away).
 */
class LeaseTrackerTest {

  private static final long MS = 1_000_000L;

  private final AtomicLong clock = new AtomicLong(7_000 * MS);

  private static Entry lease(String key, long leaseRevision, long ttlMillis) {
    return Entry.newBuilder().setKey(key).setValue(com.google.protobuf.ByteString.copyFromUtf8("v"))
        .setTtlMillis(ttlMillis).setLeaseRevision(leaseRevision).setCreateRevision(1).setModRevision(1)
        .setOwner("o").build();
  }

  private static Expire expire(String key, long leaseRevision) {
    return Expire.newBuilder().setKey(key).setLeaseRevision(leaseRevision).build();
  }

  private LeaseTracker tracker(double rho) {
    return new LeaseTracker(clock::get, rho);
  }

  // ---------------------------------------------------------------------------------------------------------
  // The expiry boundary
  //
  // WHY: one nanosecond early breaks the proof that expiry never precedes the owner's own view of its lease
  // (two primaries); never firing leaves a dead primary's leader key in place (no failover). The expected waits
  // are computed from the exact rational ttl*(1+rho)/(1-rho), rounded up, independently of the code.
  // ---------------------------------------------------------------------------------------------------------

  static Stream<Arguments> boundaries() {
    return Stream.of(
        arguments(named("rho 0, ttl 1000 ms: exactly the ttl", 0.0), 1_000L, 0L, 1_000_000_000L),
        arguments(named("rho 0, ttl 1 ms", 0.0), 1L, 0L, 1_000_000L),
        // 21/19 * 1e9 = 1105263157.89... -> 1105263158
        arguments(named("rho 0.05, ttl 1000 ms: 21/19 of the ttl, rounded up", 0.05), 1_000L, 0L, 1_105_263_158L),
        // 21/19 * 1e6 = 1105263.157... -> 1105264
        arguments(named("rho 0.05, ttl 1 ms", 0.05), 1L, 0L, 1_105_264L),
        // 21/19 * 1e10 = 11052631578.947... -> 11052631579
        arguments(named("rho 0.05, ttl 10 s", 0.05), 10_000L, 0L, 11_052_631_579L),
        // nanoTime may be negative or wrap around: only differences are meaningful.
        arguments(named("rho 0, clock wraps past Long.MAX_VALUE", 0.0), 1_000L, Long.MAX_VALUE - 300 * MS,
            1_000_000_000L),
        arguments(named("rho 0.05, negative clock origin", 0.05), 1_000L, -5_000 * MS, 1_105_263_158L));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("boundaries")
  void notDueBeforeTtlTimesFactorAndDueExactlyAtIt(double rho, long ttlMillis, long armedAt, long waitNanos) {
    clock.set(armedAt);
    LeaseTracker atBoundary = tracker(rho);
    LeaseTracker wayLater = tracker(rho);
    atBoundary.onWritten(lease("/leader", 42, ttlMillis));
    wayLater.onWritten(lease("/leader", 42, ttlMillis));

    assertThat(atBoundary.due()).as("just armed").isEmpty();
    clock.set(armedAt + waitNanos - 1);
    assertThat(atBoundary.due()).as("1 ns before ttl*factor").isEmpty();
    clock.set(armedAt + waitNanos);
    assertThat(atBoundary.due()).as("exactly at ttl*factor").containsExactly(expire("/leader", 42));

    clock.set(armedAt + waitNanos + 3_600_000 * MS);
    assertThat(wayLater.due()).as("an hour after ttl*factor").containsExactly(expire("/leader", 42));
  }

  static Stream<Arguments> factors() {
    return Stream.of(
        arguments(named("rho 0 -> exactly 1", 0.0), 1.0),
        arguments(named("rho 0.05 -> 21/19", 0.05), 21.0 / 19.0),
        arguments(named("rho 0.25 -> 5/3", 0.25), 5.0 / 3.0),
        arguments(named("default drift -> 21/19", LeaseTracker.DEFAULT_MAX_CLOCK_RATE_DRIFT), 21.0 / 19.0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("factors")
  void expiryFactorIsOnePlusRhoOverOneMinusRho(double rho, double expected) {
    assertThat(tracker(rho).expiryFactor()).isCloseTo(expected, within(1e-12));
  }

  // WHY: the planted early-expiry bug (fault-injection harness only) must really expire early, or the harness's
  // proof that its lease checker can fail proves nothing; and without it the wait is the proven one.
  @Test
  void thePlantedEarlyExpiryBugExpiresAtHalfTheTtlAndOnlyWhenPlanted() {
    LeaseTracker buggy = new LeaseTracker(clock::get, 0.05,
        io.pgquorum.dcs.planted.PlantedBugs.of(io.pgquorum.dcs.planted.DcsBug.EARLY_EXPIRY));
    LeaseTracker normal = new LeaseTracker(clock::get, 0.05, io.pgquorum.dcs.planted.PlantedBugs.NONE);
    long start = clock.get();
    buggy.onWritten(lease("/leader", 42, 1_000));
    normal.onWritten(lease("/leader", 42, 1_000));
    clock.set(start + 500 * MS - 1);
    assertThat(buggy.due()).isEmpty();
    clock.set(start + 500 * MS);
    assertThat(buggy.due()).containsExactly(expire("/leader", 42));
    assertThat(normal.due()).as("no bug: still 21/19 of the ttl").isEmpty();
    assertThat(normal.expiryFactor()).isCloseTo(21.0 / 19.0, within(1e-12));
  }

  // WHY: rho >= 0.5 makes (1-rho) tiny or negative (expiry immediately or never); a negative rho or NaN would
  // shorten the wait below the TTL. Configuration errors must fail at start-up, naming the setting.
  @ParameterizedTest(name = "rho {0} is rejected")
  @ValueSource(doubles = {-0.01, -1.0, 0.5, 0.75, 1.0, 2.0, Double.NaN, Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY})
  void constructorRejectsDriftOutsideZeroToHalf(double rho) {
    assertThatThrownBy(() -> new LeaseTracker(clock::get, rho))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxClockRateDrift")
        .hasMessageContaining(String.valueOf(rho));
  }

  @ParameterizedTest(name = "rho {0} is accepted")
  @ValueSource(doubles = {0.0, 0.0005, 0.05, 0.49})
  void constructorAcceptsDriftInZeroToHalf(double rho) {
    assertThat(tracker(rho).expiryFactor()).isGreaterThanOrEqualTo(1.0);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Re-arming and forgetting
  //
  // WHY: a refresh must restart the wait from the moment it was applied, and the proposal must name the new
  // lease revision (the old one would be a no-op in the log, leaving a dead owner's key forever). A removed or
  // de-leased key must never be proposed.
  // ---------------------------------------------------------------------------------------------------------

  @Test
  void refreshReArmsFromItsApplyTimeWithTheNewLeaseRevision() {
    LeaseTracker tracker = tracker(0.0);
    long t0 = clock.get();
    tracker.onWritten(lease("/leader", 5, 1_000));

    clock.set(t0 + 900 * MS);
    tracker.onWritten(lease("/leader", 9, 1_000));  // the refresh applied at index 9

    clock.set(t0 + 1_000 * MS);
    assertThat(tracker.due()).as("the original deadline no longer applies").isEmpty();
    clock.set(t0 + 1_899 * MS);
    assertThat(tracker.due()).isEmpty();
    clock.set(t0 + 1_900 * MS);
    assertThat(tracker.due()).containsExactly(expire("/leader", 9));
    assertThat(tracker.size()).isEqualTo(1);
  }

  @Test
  void rewriteWithAnotherTtlUsesTheNewTtl() {
    LeaseTracker tracker = tracker(0.0);
    long t0 = clock.get();
    tracker.onWritten(lease("/k", 3, 10_000));
    tracker.onWritten(lease("/k", 4, 1_000));

    clock.set(t0 + 1_000 * MS);
    assertThat(tracker.due()).containsExactly(expire("/k", 4));
  }

  @Test
  void onRemovedStopsTracking() {
    LeaseTracker tracker = tracker(0.0);
    long t0 = clock.get();
    tracker.onWritten(lease("/a", 1, 1_000));
    tracker.onWritten(lease("/b", 2, 1_000));

    tracker.onRemoved("/a");

    assertThat(tracker.size()).isEqualTo(1);
    clock.set(t0 + 10_000 * MS);
    assertThat(tracker.due()).containsExactly(expire("/b", 2));
    tracker.onRemoved("/never-tracked");  // harmless
    assertThat(tracker.size()).isEqualTo(1);
  }

  @Test
  void overwriteWithoutTtlStopsTracking() {
    LeaseTracker tracker = tracker(0.0);
    long t0 = clock.get();
    tracker.onWritten(lease("/k", 1, 1_000));

    tracker.onWritten(lease("/k", 0, 0));  // plain put over the lease

    assertThat(tracker.size()).isZero();
    clock.set(t0 + 10_000 * MS);
    assertThat(tracker.due()).isEmpty();
  }

  @Test
  void onlyLeasesThatRanOutAreDue() {
    LeaseTracker tracker = tracker(0.0);
    long t0 = clock.get();
    tracker.onWritten(lease("/short", 1, 1_000));
    tracker.onWritten(lease("/long", 2, 5_000));
    tracker.onWritten(lease("/medium", 3, 2_000));

    clock.set(t0 + 2_000 * MS);

    assertThat(tracker.due()).containsExactlyInAnyOrder(expire("/short", 1), expire("/medium", 3));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Pending proposals
  //
  // WHY: the leader calls due() on every tick; re-proposing a pending expiry floods the log. But a proposal
  // that was lost (leader change, timeout) must be retried once settled, or the key never expires.
  // ---------------------------------------------------------------------------------------------------------

  @Test
  void dueDoesNotRepeatAPendingProposalUntilItIsSettled() {
    LeaseTracker tracker = tracker(0.05);
    long t0 = clock.get();
    tracker.onWritten(lease("/leader", 7, 1_000));
    clock.set(t0 + 2_000 * MS);

    List<Expire> first = tracker.due();
    assertThat(first).containsExactly(expire("/leader", 7));
    assertThat(tracker.due()).as("still pending").isEmpty();
    clock.addAndGet(60_000 * MS);
    assertThat(tracker.due()).as("still pending, however long").isEmpty();

    tracker.proposalSettled(first.get(0));

    assertThat(tracker.due()).as("retried after settling").containsExactly(expire("/leader", 7));
  }

  @Test
  void clearProposalsAllowsRetries() {
    LeaseTracker tracker = tracker(0.0);
    long t0 = clock.get();
    tracker.onWritten(lease("/a", 1, 1_000));
    clock.set(t0 + 1_000 * MS);
    assertThat(tracker.due()).hasSize(1);

    tracker.clearProposals();

    assertThat(tracker.due()).containsExactly(expire("/a", 1));
  }

  @Test
  void pendingProposalForAnOldRevisionDoesNotBlockTheNewRevision() {
    LeaseTracker tracker = tracker(0.0);
    long t0 = clock.get();
    tracker.onWritten(lease("/leader", 5, 1_000));
    clock.set(t0 + 1_000 * MS);
    assertThat(tracker.due()).containsExactly(expire("/leader", 5));  // pending; the refresh wins the race

    tracker.onWritten(lease("/leader", 8, 1_000));  // refresh applied at t0+1000ms
    clock.set(t0 + 1_999 * MS);
    assertThat(tracker.due()).isEmpty();
    clock.set(t0 + 2_000 * MS);
    assertThat(tracker.due()).containsExactly(expire("/leader", 8));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Restore
  //
  // WHY: after a restart or snapshot install the member cannot know when the leases were armed; arming them
  // all at restore time is the earliest moment it can vouch for, and only ever delays expiry (safe).
  // ---------------------------------------------------------------------------------------------------------

  @Test
  void onRestoredArmsAllLeasesAtRestoreTimeAndForgetsEverythingElse() {
    LeaseTracker tracker = tracker(0.0);
    long t0 = clock.get();
    tracker.onWritten(lease("/gone", 1, 1_000));
    tracker.onWritten(lease("/a", 2, 1_000));
    clock.set(t0 + 1_000 * MS);
    assertThat(tracker.due()).hasSize(2);  // both pending now

    clock.set(t0 + 5_000 * MS);
    long restoredAt = clock.get();
    tracker.onRestored(List.of(lease("/a", 2, 1_000), lease("/b", 30, 3_000)));

    assertThat(tracker.size()).isEqualTo(2);
    clock.set(restoredAt + 999 * MS);
    assertThat(tracker.due()).as("restored leases are armed at restore time, not earlier").isEmpty();
    clock.set(restoredAt + 1_000 * MS);
    assertThat(tracker.due()).as("pending proposals were cleared by the restore")
        .containsExactly(expire("/a", 2));
    clock.set(restoredAt + 3_000 * MS);
    assertThat(tracker.due()).containsExactly(expire("/b", 30));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Leader-local refresh (LeaseTracker class comment, "Leader-local refresh")
  //
  // WHY: a refresh the old leader confirmed without a log entry is unknown to every other member; a new leader
  // that timed leases from its follower-era apply moments would expire such a lease early. And a local refresh
  // must never re-arm a lease revision whose expiry is already on its way through the log, or the owner would
  // hear "refreshed" for a lease the log is about to delete.
  // ---------------------------------------------------------------------------------------------------------

  @Test
  void aNewLeaderTermReArmsEveryLeaseAtThatMomentAndTheSameTermDoesNot() {
    LeaseTracker t = tracker(0.0);
    t.onWritten(lease("a", 5, 1_000));
    clock.addAndGet(900 * MS); // as a follower, 900 ms after applying the write
    assertThat(t.onLeaderTerm(3)).isTrue();
    assertThat(t.leaderTerm()).isEqualTo(3);
    clock.addAndGet(999 * MS);
    assertThat(t.due()).as("timed from the new term's start, not from the apply").isEmpty();
    assertThat(t.onLeaderTerm(3)).as("the same term again re-arms nothing").isFalse();
    clock.addAndGet(1 * MS);
    assertThat(t.due()).containsExactly(expire("a", 5));
  }

  @Test
  void aNewLeaderTermForgetsPendingProposalsSoTheyAreProposedAgainInTheNewTerm() {
    LeaseTracker t = tracker(0.0);
    t.onWritten(lease("a", 5, 1_000));
    clock.addAndGet(1_000 * MS);
    assertThat(t.due()).hasSize(1);
    t.onLeaderTerm(4);
    clock.addAndGet(1_000 * MS);
    assertThat(t.due()).containsExactly(expire("a", 5));
  }

  @Test
  void aLocalRefreshReArmsTheTimedRevisionNow() {
    LeaseTracker t = tracker(0.0);
    t.onWritten(lease("a", 5, 1_000));
    clock.addAndGet(800 * MS);
    assertThat(t.refreshedLocally("a", 5)).isTrue();
    clock.addAndGet(999 * MS);
    assertThat(t.due()).isEmpty();
    clock.addAndGet(1 * MS);
    assertThat(t.due()).containsExactly(expire("a", 5));
  }

  @Test
  void aLocalRefreshOfAnotherRevisionOrAnUntimedKeyIsRefusedAndChangesNothing() {
    LeaseTracker t = tracker(0.0);
    t.onWritten(lease("a", 5, 1_000));
    clock.addAndGet(1_000 * MS);
    assertThat(t.refreshedLocally("a", 4)).as("a stale lease revision").isFalse();
    assertThat(t.refreshedLocally("b", 5)).as("a key without a timer").isFalse();
    assertThat(t.due()).as("the refused refreshes did not re-arm").containsExactly(expire("a", 5));
  }

  @Test
  void aLocalRefreshOfALeaseWhoseExpiryIsProposedIsRefusedUntilTheProposalSettles() {
    LeaseTracker t = tracker(0.0);
    t.onWritten(lease("a", 5, 1_000));
    clock.addAndGet(1_000 * MS);
    assertThat(t.due()).containsExactly(expire("a", 5));
    assertThat(t.refreshedLocally("a", 5)).isFalse();
    t.proposalSettled(expire("a", 5)); // the proposal failed (say, lost leadership): nothing is in flight
    assertThat(t.refreshedLocally("a", 5)).isTrue();
  }

  @Test
  void restoringFromASnapshotForgetsTheLeaderTerm() {
    LeaseTracker t = tracker(0.0);
    t.onLeaderTerm(2);
    t.onRestored(List.of(lease("a", 5, 1_000)));
    assertThat(t.leaderTerm()).isZero();
    assertThat(t.onLeaderTerm(2)).isTrue();
  }

  // ---------------------------------------------------------------------------------------------------------
  // When to look next
  //
  // WHY: the leader sleeps until nanosToNextDue() says a lease can run out (DcsServer's expiry tick). A value
  // later than the true run-out delays failover by the difference; one that is empty or too late while a proposal
  // is pending would leave a lost proposal unretried for a whole idle pause.
  // ---------------------------------------------------------------------------------------------------------

  @Test
  void nextDueIsTheEarliestRunOutAndNothingIsDueBeforeIt() {
    LeaseTracker tracker = tracker(0.05);
    assertThat(tracker.nanosToNextDue()).as("nothing timed").isEmpty();
    long t0 = clock.get();
    tracker.onWritten(lease("/long", 1, 5_000));
    tracker.onWritten(lease("/short", 2, 1_000));
    clock.set(t0 + 400 * MS);

    long left = tracker.nanosToNextDue().orElseThrow();

    assertThat(left).isEqualTo(1_105_263_158L - 400 * MS); // /short's 21/19 of 1 s, less the 400 ms gone
    clock.addAndGet(left - 1);
    assertThat(tracker.due()).as("one nanosecond before").isEmpty();
    assertThat(tracker.nanosToNextDue()).hasValue(1);
    clock.addAndGet(1);
    assertThat(tracker.due()).containsExactly(expire("/short", 2));
  }

  @Test
  void nextDueIsZeroWhileAProposalIsPendingAndForALeaseAlreadyRunOut() {
    LeaseTracker tracker = tracker(0.0);
    long t0 = clock.get();
    tracker.onWritten(lease("/a", 1, 1_000));
    tracker.onWritten(lease("/b", 2, 9_000));
    clock.set(t0 + 3_000 * MS);
    assertThat(tracker.nanosToNextDue()).as("/a ran out 2 s ago").hasValue(0);

    List<Expire> due = tracker.due();
    assertThat(tracker.nanosToNextDue()).as("/a's proposal pending").hasValue(0);

    tracker.proposalSettled(due.get(0)); // lost: must be proposed again
    assertThat(tracker.nanosToNextDue()).hasValue(0);
    tracker.onRemoved("/a"); // applied this time
    assertThat(tracker.nanosToNextDue()).hasValue(6_000 * MS);
  }

  @Test
  void aNewLeaderTermPutsTheNextRunOutAFullTtlAway() {
    LeaseTracker tracker = tracker(0.0);
    long t0 = clock.get();
    tracker.onWritten(lease("/a", 1, 1_000));
    clock.set(t0 + 900 * MS);
    tracker.onLeaderTerm(3);
    assertThat(tracker.nanosToNextDue()).hasValue(1_000 * MS);
  }
}
