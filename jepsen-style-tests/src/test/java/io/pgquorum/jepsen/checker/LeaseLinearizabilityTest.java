package io.pgquorum.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.history.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Lease keys through the linearizability checker with {@link LeaseModel}: known-good and known-bad histories.
 * Incarnations are {@code [owner, createRevision]}; expiry may happen at any moment (its timing is
 * {@link LeaseExpiryChecker}'s), but an incarnation that is gone never comes back.
 */
class LeaseLinearizabilityTest {

  private static CheckResult check(TestHistory h) {
    return new LinearizabilityChecker("dcs-lease", LeaseModel::free, op -> true).check(h.build());
  }

  private static List<Object> inc(String owner, long revision) {
    return List.of(owner, revision);
  }

  @Test
  void acquireRefreshReleaseAndExpiryAreValid() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "acquire", "l", "a", inc("a", 5));
    h.okOp("c2", "read", "l", null, inc("a", 5));
    h.okOp("c1", "refresh", "l", inc("a", 5), inc("a", 5));
    h.okOp("c1", "release", "l", inc("a", 5), inc("a", 5));
    h.okOp("c2", "read", "l", null, null);
    h.okOp("c2", "acquire", "l", "b", inc("b", 9));
    // b stops refreshing: the key expires, then c gets it
    h.okOp("c3", "read", "l", null, null);
    h.okOp("c3", "acquire", "l", "c", inc("c", 12));
    h.okOp("c1", "read", "l", null, inc("c", 12));
    assertThat(check(h).verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void anAcquireOverAnExpiredHolderIsValidButNotOverAStillShownOne() {
    TestHistory expired = new TestHistory();
    expired.okOp("c1", "acquire", "l", "a", inc("a", 5));
    expired.okOp("c2", "acquire", "l", "b", inc("b", 7)); // a expired in between (lazily)
    expired.okOp("c3", "read", "l", null, inc("b", 7));
    assertThat(check(expired).verdict()).isEqualTo(Verdict.VALID);

    TestHistory resurrected = new TestHistory();
    resurrected.okOp("c1", "acquire", "l", "a", inc("a", 5));
    resurrected.okOp("c2", "acquire", "l", "b", inc("b", 7));
    resurrected.okOp("c3", "read", "l", null, inc("a", 5)); // a stale read: a is gone
    CheckResult r = check(resurrected);
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.anomalies()).singleElement().asString().contains("c3 read -> ok [a, 5]");
  }

  @Test
  void aGoneIncarnationCannotBeRefreshedOrReleased() {
    TestHistory refreshed = new TestHistory();
    refreshed.okOp("c1", "acquire", "l", "a", inc("a", 5));
    refreshed.okOp("c2", "read", "l", null, null);
    refreshed.okOp("c1", "refresh", "l", inc("a", 5), inc("a", 5));
    assertThat(check(refreshed).verdict()).isEqualTo(Verdict.INVALID);

    TestHistory released = new TestHistory();
    released.okOp("c1", "acquire", "l", "a", inc("a", 5));
    released.okOp("c2", "read", "l", null, null);
    released.okOp("c1", "release", "l", inc("a", 5), inc("a", 5));
    assertThat(check(released).verdict()).isEqualTo(Verdict.INVALID);
  }

  @Test
  void onlyTheHolderRefreshesOrReleasesTheRightIncarnation() {
    TestHistory otherOwner = new TestHistory();
    otherOwner.okOp("c1", "acquire", "l", "a", inc("a", 5));
    otherOwner.okOp("c2", "refresh", "l", inc("b", 5), inc("b", 5));
    assertThat(check(otherOwner).verdict()).isEqualTo(Verdict.INVALID);

    TestHistory otherIncarnation = new TestHistory();
    otherIncarnation.okOp("c1", "acquire", "l", "a", inc("a", 5));
    otherIncarnation.okOp("c1", "release", "l", inc("a", 4), inc("a", 4));
    assertThat(check(otherIncarnation).verdict()).isEqualTo(Verdict.INVALID);
  }

  @Test
  void twoHoldersAtOnceAndShrinkingRevisionsAreInvalid() {
    TestHistory twoHolders = new TestHistory();
    twoHolders.okOp("c1", "acquire", "l", "a", inc("a", 5));
    twoHolders.okOp("c2", "acquire", "l", "b", inc("b", 7));
    twoHolders.okOp("c1", "refresh", "l", inc("a", 5), inc("a", 5)); // a still held after b got it
    assertThat(check(twoHolders).verdict()).isEqualTo(Verdict.INVALID);

    TestHistory backwards = new TestHistory();
    backwards.okOp("c1", "acquire", "l", "a", inc("a", 9));
    backwards.okOp("c1", "release", "l", inc("a", 9), inc("a", 9));
    backwards.okOp("c2", "acquire", "l", "b", inc("b", 7)); // a fencing token going back
    assertThat(check(backwards).verdict()).isEqualTo(Verdict.INVALID);
  }

  @Test
  void concurrentAcquiresMayBothSucceedOnlyOneAfterTheOther() {
    TestHistory h = new TestHistory();
    Op a = h.invoke("c1", "acquire", "l", "a");
    Op b = h.invoke("c2", "acquire", "l", "b");
    h.ok(a, inc("a", 5));
    h.ok(b, inc("b", 6)); // a expired at once, then b: legal for the model (timing is the other checker's)
    h.okOp("c3", "read", "l", null, inc("b", 6));
    assertThat(check(h).verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void anUnknownAcquireBindsItsRevisionWhenSeen() {
    TestHistory seen = new TestHistory();
    seen.info(seen.invoke("c1", "acquire", "l", "a"));
    seen.okOp("c2", "read", "l", null, inc("a", 5));
    seen.okOp("c4", "refresh", "l", inc("a", 5), inc("a", 5));
    assertThat(check(seen).verdict()).isEqualTo(Verdict.VALID);

    TestHistory notAnUnknownOne = new TestHistory();
    notAnUnknownOne.okOp("c1", "acquire", "l", "a", inc("a", 5));
    notAnUnknownOne.okOp("c1", "release", "l", inc("a", 5), inc("a", 5));
    notAnUnknownOne.info(notAnUnknownOne.invoke("c3", "acquire", "l", "b"));
    // b's create revision must be above 5: a read of [b, 3] cannot be b's unknown acquire
    notAnUnknownOne.okOp("c2", "read", "l", null, inc("b", 3));
    assertThat(check(notAnUnknownOne).verdict()).isEqualTo(Verdict.INVALID);
  }

  @Test
  void unknownRefreshesAreDroppedAndUnknownReleasesMayOrMayNotHaveHappened() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "acquire", "l", "a", inc("a", 5));
    h.info(h.invoke("c1", "refresh", "l", inc("a", 5)));
    h.info(h.invoke("c2", "release", "l", inc("a", 5)));
    h.okOp("c3", "read", "l", null, inc("a", 5)); // the release had not happened yet
    h.okOp("c3", "read", "l", null, null); // now it has (or a expired)
    CheckResult r = check(h);
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("dropped-unknown-reads", 1);
  }

  @Test
  void failedOperationsAreDropped() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "acquire", "l", "a", inc("a", 5));
    h.fail(h.invoke("c2", "acquire", "l", "b"));
    h.fail(h.invoke("c2", "refresh", "l", inc("b", 4)));
    CheckResult r = check(h);
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("dropped-fail", 2).containsEntry("ops", 1);
  }

  @Test
  void malformedValuesMakeTheKeyUndecidedNamingTheOp() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "acquire", "l", "a", List.of("a"));
    CheckResult r = check(h);
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.anomalies()).singleElement().asString().contains("acquire result must be [owner, createRevision]");
  }
}
