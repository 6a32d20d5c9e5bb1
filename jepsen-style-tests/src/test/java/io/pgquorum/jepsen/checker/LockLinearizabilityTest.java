package io.pgquorum.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.history.Op;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The leader lock through the linearizability checker with {@link LockModel}. */
class LockLinearizabilityTest {

  private static final Set<String> LOCK_FS = Set.of("acquire", "release", "read");

  private static CheckResult check(TestHistory h) {
    return new LinearizabilityChecker("leader-lock", LockModel::free, op -> LOCK_FS.contains(op.f()))
        .check(h.build());
  }

  @Test
  void handOverThroughReleaseIsValid() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "acquire", "leader", "n1", null);
    h.okOp("c2", "read", "leader", null, "n1");
    h.okOp("c1", "release", "leader", "n1", null);
    h.okOp("c2", "read", "leader", null, null);
    h.okOp("c2", "acquire", "leader", "n2", null);
    h.okOp("c3", "read", "leader", null, "n2");
    assertThat(check(h).verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void twoHoldersWithoutAReleaseIsInvalid() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "acquire", "leader", "n1", null);
    h.okOp("c2", "acquire", "leader", "n2", null);
    CheckResult r = check(h);
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.anomalies()).singleElement().asString()
        .contains("c2 acquire n2 -> ok").contains("LockModel[owner=n1]");
  }

  @Test
  void concurrentAcquiresCannotBothSucceed() {
    TestHistory h = new TestHistory();
    Op a = h.invoke("c1", "acquire", "leader", "n1");
    Op b = h.invoke("c2", "acquire", "leader", "n2");
    h.ok(a, null);
    h.ok(b, null);
    assertThat(check(h).verdict()).isEqualTo(Verdict.INVALID);

    TestHistory oneWins = new TestHistory();
    Op a2 = oneWins.invoke("c1", "acquire", "leader", "n1");
    Op b2 = oneWins.invoke("c2", "acquire", "leader", "n2");
    oneWins.fail(a2);
    oneWins.ok(b2, null);
    oneWins.okOp("c1", "read", "leader", null, "n2");
    assertThat(check(oneWins).verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void reacquireByTheHolderIsNotASuccess() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "acquire", "leader", "n1", null);
    h.okOp("c1", "acquire", "leader", "n1", null);
    assertThat(check(h).verdict()).isEqualTo(Verdict.INVALID);
  }

  @Test
  void releaseByANonHolderIsInvalid() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "acquire", "leader", "n1", null);
    h.okOp("c2", "release", "leader", "n2", null);
    assertThat(check(h).verdict()).isEqualTo(Verdict.INVALID);
  }

  @Test
  void readsMustShowTheHolder() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "acquire", "leader", "n1", null);
    h.okOp("c2", "read", "leader", null, null);
    assertThat(check(h).verdict()).isEqualTo(Verdict.INVALID);
  }

  @Test
  void failedAcquiresAreDropped() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "acquire", "leader", "n1", null);
    h.fail(h.invoke("c2", "acquire", "leader", "n2"));
    h.fail(h.invoke("c2", "release", "leader", "n2"));
    CheckResult r = check(h);
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("dropped-fail", 2).containsEntry("ops", 1);
  }

  @Test
  void anUnknownAcquireThatWasSeenHoldsTheLock() {
    TestHistory seen = new TestHistory();
    seen.info(seen.invoke("c1", "acquire", "leader", "n1"));
    seen.okOp("c2", "read", "leader", null, "n1");
    seen.okOp("c3", "acquire", "leader", "n2", null);
    CheckResult r = check(seen);
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.anomalies()).singleElement().asString().contains("c3 acquire n2 -> ok");

    TestHistory unseen = new TestHistory();
    unseen.info(unseen.invoke("c1", "acquire", "leader", "n1"));
    unseen.okOp("c3", "acquire", "leader", "n2", null);
    unseen.okOp("c2", "read", "leader", null, "n2");
    assertThat(check(unseen).verdict()).isEqualTo(Verdict.VALID);
  }
}
