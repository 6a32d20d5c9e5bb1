package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The lease keeper's pure rules: which plans license it, for how long, and when a refresh is due. */
class LeaseKeepingTest {
  static final DynamicConfig DYN = new DynamicConfig(8, 1, 2, 1_048_576, 300, true, true, Map.of(), List.of(),
      Map.of());
  static final long S = 1_000_000_000L;
  static final long NOW = 100 * S;
  static final LeaseTerms TERMS = LeaseTerms.of(DYN, PlantedBugs.NONE);

  private static Optional<KeeperLicense> license(Action... plan) {
    return LeaseKeeping.license(new Decision(List.of(plan), "test"), false, NOW, DYN.loopWait(), PlantedBugs.NONE);
  }

  @Test
  void aPlanThatRefreshesTheLockLicensesItsTokenForTwoTtlsFromTheCycle() {
    assertThat(license(Plans.refresh(7, DYN), new Action.PublishStatus(5)))
        .hasValue(new KeeperLicense(7, TERMS, NOW + 16 * S, 2 * S));
  }

  @Test
  void aReArmLicensesWithItsOwnTermsAndToken() {
    DynamicConfig shorter = new DynamicConfig(4, 1, 1, 1_048_576, 300, true, true, Map.of(), List.of(), Map.of());
    Optional<KeeperLicense> l = license(Plans.rearm(9, Duration.ofSeconds(4), shorter));
    // The period from the new terms: 1.4 s at ttl 4, loop_wait 1, retry_timeout 1 (see the period's test below).
    assertThat(l).hasValue(new KeeperLicense(9, LeaseTerms.of(shorter, PlantedBugs.NONE), NOW + 8 * S,
        1_400_000_000L));
  }

  @Test
  void everyStepThatGivesTheLockUpOrStopsPostgresRevokes() {
    List<Action> givingUp = List.of(new Action.Demote(StopMode.FAST), new Action.SkippedDemote(StopMode.FAST),
        new Action.StopPostgres(StopMode.FAST), new Action.ReleaseLock(), new Action.Fatal("gone"),
        new Action.LeaseBlocked("no watchdog"),
        new Action.FailsafeRound(Map.of(), Duration.ofSeconds(8), TERMS, Map.of()));
    for (Action a : givingUp) {
      assertThat(license(Plans.refresh(7, DYN), a)).as(a.toString()).isEmpty();
      assertThat(license(a, Plans.refresh(7, DYN))).as(a.toString()).isEmpty();
    }
  }

  @Test
  void aPlanWithoutARefreshRevokes() {
    // A plan with no step (a cycle without the DCS keeps the license instead: keepsLicense), a failsafe round, an
    // acquire (its token is not known yet).
    assertThat(license()).isEmpty();
    assertThat(license(new Action.FailsafeRound(Map.of("n2", "u"), Duration.ofSeconds(8), TERMS, Map.of()))).isEmpty();
    assertThat(license(Plans.acquire(DYN))).isEmpty();
  }

  @Test
  void theShutdownCycleRevokesEvenIfItKeepsTheLock() {
    // A paused cluster's shutdown leaves PostgreSQL running and may refresh: the loop ends right after it.
    assertThat(LeaseKeeping.license(new Decision(List.of(Plans.refresh(7, DYN)), "t"), true, NOW,
        DYN.loopWait(), PlantedBugs.NONE)).isEmpty();
  }

  @Test
  void plantedKeeperIgnoresLicenseNeverRunsOut() {
    Optional<KeeperLicense> l = LeaseKeeping.license(new Decision(List.of(Plans.refresh(7, DYN)), "t"), false, NOW,
        DYN.loopWait(), PlantedBugs.of(HaBug.KEEPER_IGNORES_LICENSE));
    assertThat(l.orElseThrow().untilNanos() - NOW).isGreaterThan(1_000_000 * S);
  }

  private static LeaseKeeping.LeaseView held(long token, long deadline, long confirmedSent) {
    return new LeaseKeeping.LeaseView(OptionalLong.of(token), OptionalLong.of(deadline), OptionalLong.of(confirmedSent),
        OptionalLong.empty());
  }

  @Test
  void aRefreshIsDueAPeriodAfterTheLastConfirmedSend() {
    Optional<KeeperLicense> l = license(Plans.refresh(7, DYN));
    LeaseKeeping.LeaseView v = held(7, NOW + 6 * S, NOW);
    assertThat(LeaseKeeping.nextRefresh(l, v, NOW + S)).hasValue(NOW + 2 * S);
    assertThat(LeaseKeeping.nextRefresh(l, v, NOW + 2 * S)).hasValue(NOW + 2 * S);
    // Overdue (the keeper's thread was late): due now.
    assertThat(LeaseKeeping.nextRefresh(l, v, NOW + 3 * S)).hasValue(NOW + 3 * S);
  }

  /**
   * The period stays clear of a healthy loop and still leaves two attempts (LeaseKeeping's "Period"): ttl 8 with
   * loop_wait 1 keeps ttl / 4; at ttl 4, loop_wait 1, retry_timeout 1 (the defaults for an afternoon of 2026-12-06),
   * ttl / 4 would equal loop_wait and pre-empt every cycle, so the period is 1.4 s (two attempts by 2.8 s + a tick,
   * inside the 3 s).
   */
  @Test
  void thePeriodLeavesAHealthyLoopAloneAndTwoAttemptsPerLease() {
    assertThat(LeaseKeeping.period(TERMS, DYN.loopWait())).isEqualTo(2 * S);
    DynamicConfig defaults = DYN.withTiming(Duration.ofSeconds(4), Duration.ofSeconds(1), Duration.ofSeconds(1));
    LeaseTerms terms = LeaseTerms.of(defaults, PlantedBugs.NONE);
    long p = LeaseKeeping.period(terms, defaults.loopWait());
    assertThat(p).isEqualTo(1_400_000_000L).isGreaterThan(defaults.loopWait().toNanos());
    assertThat(2 * p + LeaseKeeping.TICK.toNanos()).isLessThan(terms.validForNanos(defaults.ttl()));
    // A loop_wait far below ttl / 4 leaves ttl / 4 in force.
    assertThat(LeaseKeeping.period(terms, Duration.ofMillis(200))).isEqualTo(S);
  }

  /**
   * An unanswered attempt is repeated retry_timeout after its send, when it has ended, not a period later ("Retry":
   * an outage of the DCS's Raft leader ends at an unknown instant before or after our deadline); a later confirmed
   * send, the loop's, puts the next refresh a period after it again. At 8/1/2 the period and retry_timeout are both
   * 2 s, so only shorter settings (4/1/1: 1 s against 1.4 s; the defaults, 5/1/1: 1 s against 1.5 s) see it.
   */
  @Test
  void anAttemptWithoutAnswerIsRepeatedWhenItHasEnded() {
    DynamicConfig defaults = DYN.withTiming(Duration.ofSeconds(4), Duration.ofSeconds(1), Duration.ofSeconds(1));
    Optional<KeeperLicense> l = LeaseKeeping.license(new Decision(List.of(Plans.refresh(7, defaults)), "t"), false,
        NOW, defaults.loopWait(), PlantedBugs.NONE);
    assertThat(LeaseKeeping.retryPause(l.orElseThrow())).isEqualTo(S);
    LeaseKeeping.LeaseView unanswered = new LeaseKeeping.LeaseView(OptionalLong.of(7), OptionalLong.of(NOW + 3 * S),
        OptionalLong.of(NOW), OptionalLong.of(NOW + 1_400_000_000L));
    assertThat(LeaseKeeping.nextRefresh(l, unanswered, NOW + 1_400_000_001L)).hasValue(NOW + 2_400_000_000L);
    // The attempt took the DCS client's whole timeout: due at once when it returns.
    assertThat(LeaseKeeping.nextRefresh(l, unanswered, NOW + 2_450_000_000L)).hasValue(NOW + 2_450_000_000L);
    LeaseKeeping.LeaseView loopConfirmedLater = new LeaseKeeping.LeaseView(OptionalLong.of(7),
        OptionalLong.of(NOW + 4 * S), OptionalLong.of(NOW + S + S / 2), OptionalLong.of(NOW + S));
    assertThat(LeaseKeeping.nextRefresh(l, loopConfirmedLater, NOW + 2 * S)).hasValue(NOW + 2_900_000_000L);
    // At 8/1/2 both are 2 s: as before.
    assertThat(LeaseKeeping.retryPause(license(Plans.refresh(7, DYN)).orElseThrow())).isEqualTo(2 * S);
  }

  /**
   * A cycle that could not read the DCS and plans nothing (the holder rides its lease out) leaves the license as it
   * was, so the keeper keeps trying through the outage; every other plan replaces it (LeaseKeeping's "Revocation").
   */
  @Test
  void aCycleWithoutTheDcsThatPlansNothingKeepsTheLicense() {
    Decision rideOut = new Decision(List.of(), "DCS is not accessible; I am (n1), the leader, and my lease stays "
        + "valid for 967 ms");
    assertThat(LeaseKeeping.keepsLicense(rideOut, false, false)).isTrue();
    assertThat(LeaseKeeping.keepsLicense(rideOut, true, false)).as("the DCS was read").isFalse();
    assertThat(LeaseKeeping.keepsLicense(rideOut, false, true)).as("the shutdown cycle").isFalse();
    Decision round = new Decision(List.of(new Action.FailsafeRound(Map.of("n2", "u"), Duration.ofSeconds(8), TERMS,
        Map.of())), "failsafe");
    assertThat(LeaseKeeping.keepsLicense(round, false, false)).as("a failsafe round").isFalse();
    Decision fenced = new Decision(List.of(new Action.Demote(StopMode.IMMEDIATE)), "lease ran out");
    assertThat(LeaseKeeping.keepsLicense(fenced, false, false)).as("a demotion").isFalse();
  }

  @Test
  void nothingIsDueWithoutALicenseForTheHeldToken() {
    Optional<KeeperLicense> l = license(Plans.refresh(7, DYN));
    assertThat(LeaseKeeping.nextRefresh(Optional.empty(), held(7, NOW + 6 * S, NOW), NOW + 3 * S)).isEmpty();
    assertThat(LeaseKeeping.nextRefresh(l, held(8, NOW + 6 * S, NOW), NOW + 3 * S)).isEmpty();
    assertThat(LeaseKeeping.nextRefresh(l, new LeaseKeeping.LeaseView(OptionalLong.empty(), OptionalLong.empty(),
        OptionalLong.empty(), OptionalLong.empty()), NOW + 3 * S)).isEmpty();
  }

  @Test
  void nothingIsSentAtOrAfterTheLicensesEnd() {
    Optional<KeeperLicense> l = license(Plans.refresh(7, DYN)); // until NOW + 16 s
    assertThat(LeaseKeeping.nextRefresh(l, held(7, NOW + 20 * S, NOW + 14 * S), NOW + 15 * S)).isEmpty();
    assertThat(LeaseKeeping.nextRefresh(l, held(7, NOW + 20 * S, NOW + 13 * S), NOW + 15 * S))
        .hasValue(NOW + 15 * S);
  }

  @Test
  void nothingIsSentOnceOurOwnDeadlinePassed() {
    // The guard is fencing then: a refresh confirmed now could only resurrect the lease.
    Optional<KeeperLicense> l = license(Plans.refresh(7, DYN));
    assertThat(LeaseKeeping.nextRefresh(l, held(7, NOW + 6 * S, NOW), NOW + 6 * S)).isEmpty();
    assertThat(LeaseKeeping.nextRefresh(l, held(7, NOW - S, NOW - 7 * S), NOW)).isEmpty();
  }
}
