package io.pgquorum.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.pgquorum.jepsen.history.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lease guarantee on hand-made histories: a lease never disappears earlier than {@code ttl * factor} after the
 * invocation of its last acknowledged refresh, unless released. Times are on the history's clock; ttl 1 s and
 * factor 1.1 (bound 1100 ms) unless a test says otherwise.
 */
class LeaseExpiryCheckerTest {
  private static final long MS = TestHistory.MS;
  private static final long TTL = 1_000 * MS;

  private static CheckResult check(TestHistory h) {
    return new LeaseExpiryChecker("dcs-lease", op -> true, TTL, 1.1).check(h.build());
  }

  private static List<Object> inc(String owner, long revision) {
    return List.of(owner, revision);
  }

  /** a acquires [a, 5] invoked at 0 ms, completed at 10 ms. */
  private static TestHistory acquired() {
    TestHistory h = new TestHistory();
    Op acq = h.at(0).invoke("c1", "acquire", "l", "a");
    h.at(10 * MS).ok(acq, inc("a", 5));
    return h;
  }

  private static void readAt(TestHistory h, long invokeMs, long completeMs, Object seen) {
    Op r = h.at(invokeMs * MS).invoke("c2", "read", "l", null);
    h.at(completeMs * MS).ok(r, seen);
  }

  @Test
  void theGuaranteedFactorFollowsTheDriftBoundAndTheFastestClock() {
    // rho 5 %: 21/19 at real time; a member clock at 1.05 shortens the real wait to 1/(1 - rho) = 20/19.
    assertThat(LeaseExpiryChecker.guaranteedFactor(0.05, 1.0)).isCloseTo(21.0 / 19, within(1e-12));
    assertThat(LeaseExpiryChecker.guaranteedFactor(0.05, 1.05)).isCloseTo(20.0 / 19, within(1e-12));
    // Slow clocks only lengthen the wait; members without a fault run at real time, so 1.0 is the floor.
    assertThat(LeaseExpiryChecker.guaranteedFactor(0.05, 0.5)).isCloseTo(21.0 / 19, within(1e-12));
    assertThatThrownBy(() -> LeaseExpiryChecker.guaranteedFactor(0.5, 1.0)).hasMessageContaining("rho");
    assertThatThrownBy(() -> new LeaseExpiryChecker("x", op -> true, 0, 1.1)).hasMessageContaining("ttl");
  }

  @Test
  void expiryAfterTheBoundIsValidAndReported() {
    TestHistory h = acquired();
    readAt(h, 900, 905, inc("a", 5));
    readAt(h, 1_095, 1_120, null); // gone, 1120 ms after the acquire's invocation: after the 1100 ms bound
    CheckResult r = check(h);
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("expiries-observed", 1).containsEntry("earliest-expiry-ms", 1120L)
        .containsEntry("bound-ms", 1100L).containsEntry("violations", 0);
    assertThat(r.summary()).contains("1 expiries observed").contains("1120 ms");
  }

  @Test
  void anAbsentReadBeforeTheBoundIsAViolation() {
    TestHistory h = acquired();
    readAt(h, 1_000, 1_090, null); // completed 1090 ms after the acquire was invoked: 10 ms early
    CheckResult r = check(h);
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.anomalies()).singleElement().asString()
        .contains("key l: incarnation [a, 5]").contains("saw the key absent").contains("1.090 s after")
        .contains("before the guaranteed 1.100 s");
  }

  @Test
  void theDeadlineRunsFromTheLastAcknowledgedRefreshsInvocation() {
    TestHistory h = acquired();
    Op ref = h.at(600 * MS).invoke("c1", "refresh", "l", inc("a", 5));
    h.at(700 * MS).ok(ref, inc("a", 5));
    readAt(h, 1_600, 1_650, null); // 1650 ms after the acquire, but only 1050 ms after the refresh was invoked
    assertThat(check(h).verdict()).isEqualTo(Verdict.INVALID);

    TestHistory late = acquired();
    Op ref2 = late.at(600 * MS).invoke("c1", "refresh", "l", inc("a", 5));
    late.at(700 * MS).ok(ref2, inc("a", 5));
    readAt(late, 1_650, 1_710, null); // 1110 ms after the refresh's invocation
    assertThat(check(late).verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void anUnknownRefreshCanOnlyExtendSoItNeverMakesAValidHistoryInvalid() {
    // The refresh at 900 ms timed out: perhaps applied, perhaps not. The lease may have expired at 1100 ms
    // (refresh lost) or later (refresh applied); an absence seen at 1150 ms is fine either way.
    TestHistory h = acquired();
    h.info(h.at(900 * MS).invoke("c1", "refresh", "l", inc("a", 5)));
    readAt(h, 1_120, 1_150, null);
    assertThat(check(h).verdict()).isEqualTo(Verdict.VALID);

    // ... and it does not excuse an early absence either: the acknowledged acquire alone guarantees 1100 ms.
    TestHistory early = acquired();
    early.info(early.at(100 * MS).invoke("c1", "refresh", "l", inc("a", 5)));
    readAt(early, 800, 850, null);
    assertThat(check(early).verdict()).isEqualTo(Verdict.INVALID);
  }

  @Test
  void anArmingOpStillRunningWhenTheObservationBeganProvesNothing() {
    // The refresh overlaps the read: the read may have been linearized first, so only the acquire counts.
    TestHistory h = acquired();
    Op ref = h.at(1_000 * MS).invoke("c1", "refresh", "l", inc("a", 5));
    readAt(h, 1_050, 1_130, null);
    h.at(1_140 * MS).ok(ref, inc("a", 5));
    assertThat(check(h).verdict()).as("1130 ms after the acquire: valid").isEqualTo(Verdict.VALID);

    // An absent read that began before the acquire completed may precede the key's creation: no evidence.
    TestHistory before = new TestHistory();
    Op acq = before.at(0).invoke("c1", "acquire", "l", "a");
    readAt(before, 5, 20, null);
    before.at(30 * MS).ok(acq, inc("a", 5));
    assertThat(check(before).verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void aReleaseExcusesTheAbsenceFromItsInvocationOnEvenWithAnUnknownOutcome() {
    TestHistory released = acquired();
    Op rel = released.at(200 * MS).invoke("c1", "release", "l", inc("a", 5));
    released.at(210 * MS).ok(rel, inc("a", 5));
    readAt(released, 300, 310, null);
    CheckResult r = check(released);
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("released", 1).containsEntry("expiries-observed", 0);

    TestHistory unknown = acquired();
    unknown.info(unknown.at(200 * MS).invoke("c1", "release", "l", inc("a", 5)));
    readAt(unknown, 300, 310, null);
    assertThat(check(unknown).verdict()).isEqualTo(Verdict.VALID);

    // A release invoked after the absence was seen excuses nothing, and a failed one never does.
    TestHistory after = acquired();
    readAt(after, 300, 310, null);
    Op rel2 = after.at(320 * MS).invoke("c1", "release", "l", inc("a", 5));
    after.at(330 * MS).ok(rel2, inc("a", 5));
    assertThat(check(after).verdict()).isEqualTo(Verdict.INVALID);

    TestHistory failed = acquired();
    Op rel3 = failed.at(200 * MS).invoke("c1", "release", "l", inc("a", 5));
    failed.at(210 * MS).fail(rel3);
    readAt(failed, 300, 310, null);
    assertThat(check(failed).verdict()).isEqualTo(Verdict.INVALID);
  }

  @Test
  void aNewerIncarnationOrAFailedRefreshIsEvidenceOfExpiryTooButAnOlderOneIsNot() {
    TestHistory taken = acquired();
    Op acq = taken.at(500 * MS).invoke("c3", "acquire", "l", "b");
    taken.at(520 * MS).ok(acq, inc("b", 9));
    assertThat(check(taken).verdict()).as("b created a newer incarnation 520 ms in").isEqualTo(Verdict.INVALID);

    TestHistory refused = acquired();
    Op acq2 = refused.at(500 * MS).invoke("c3", "acquire", "l", "b");
    refused.at(520 * MS).failWith(acq2, inc("b", 9), "held by b");
    assertThat(check(refused).verdict()).as("a failed acquire that saw [b, 9]").isEqualTo(Verdict.INVALID);

    TestHistory notFound = acquired();
    Op ref = notFound.at(500 * MS).invoke("c1", "refresh", "l", inc("a", 5));
    notFound.at(520 * MS).failWith(ref, null, "NOT_FOUND");
    assertThat(check(notFound).verdict()).as("a refresh that found no key").isEqualTo(Verdict.INVALID);

    // A rejected refresh carries its own argument: the key was still [a, 5], no evidence.
    TestHistory rejected = acquired();
    Op ref2 = rejected.at(500 * MS).invoke("c1", "refresh", "l", inc("a", 5));
    rejected.at(520 * MS).failWith(ref2, inc("a", 5), "rejected");
    assertThat(check(rejected).verdict()).isEqualTo(Verdict.VALID);

    // An older incarnation (a stale read) is LeaseModel's business, not evidence of expiry.
    TestHistory older = acquired();
    readAt(older, 500, 520, inc("z", 2));
    assertThat(check(older).verdict()).isEqualTo(Verdict.VALID);

    // A read that failed (timed out) observed nothing.
    TestHistory timedOut = acquired();
    Op r = timedOut.at(500 * MS).invoke("c2", "read", "l", null);
    timedOut.at(520 * MS).fail(r);
    assertThat(check(timedOut).verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void keysAreIndependent() {
    TestHistory h = acquired();
    Op r = h.at(500 * MS).invoke("c2", "read", "other", null);
    h.at(510 * MS).ok(r, null);
    assertThat(check(h).verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void aHistoryWithoutAcknowledgedLeasesIsUnknownNotValid() {
    TestHistory h = new TestHistory();
    h.info(h.invoke("c1", "acquire", "l", "a"));
    CheckResult r = check(h);
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.summary()).contains("nothing to check");
  }

  @Test
  void aMalformedHistoryIsUnknown() {
    TestHistory h = new TestHistory();
    h.invoke("c1", "acquire", "l", "a");
    h.invoke("c1", "read", "l", null);
    assertThat(check(h).verdict()).isEqualTo(Verdict.UNKNOWN);
  }
}
