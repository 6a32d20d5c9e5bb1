package io.pgquorum.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.history.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

class SetCheckerTest {

  @Test
  void everyAcknowledgedAddPresentIsValid() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "add", null, 1L, null);
    h.okOp("c2", "add", null, 2L, null);
    h.okOp("c1", "read", null, null, List.of(1L, 2L));
    CheckResult r = new SetChecker().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("acknowledged", 2).containsEntry("ok", 2).containsEntry("lost", 0)
        .containsEntry("unexpected", 0).containsEntry("recovered", 0).containsEntry("lost-elements", List.of());
    assertThat(r.summary()).startsWith("no acknowledged add lost: 2 acknowledged");
  }

  @Test
  void anAcknowledgedAddMissingIsLost() {
    TestHistory h = new TestHistory();
    Op add = h.invoke("c1", "add", null, 1L);
    h.ok(add, null);
    h.okOp("c2", "add", null, 2L, null);
    Op read = h.invoke("c1", "read", null, null);
    h.ok(read, List.of(2L));
    CheckResult r = new SetChecker().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.stats()).containsEntry("lost", 1).containsEntry("lost-elements", List.of(1L));
    assertThat(r.anomalies()).containsExactly(
        "lost 1: acknowledged by c1 add 1 -> ok [#0..#1] but absent from the final read [#4..#5]");
  }

  @Test
  void unknownAddsMayOrMayNotBePresent() {
    TestHistory h = new TestHistory();
    h.info(h.invoke("c1", "add", null, 1L));
    h.info(h.invoke("c2", "add", null, 2L));
    h.okOp("c3", "add", null, 3L, null);
    h.okOp("c3", "read", null, null, List.of(1L, 3L));
    CheckResult r = new SetChecker().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("recovered", 1).containsEntry("unknown", 1).containsEntry("acknowledged", 1);
  }

  @Test
  void elementsNeverAddedOrWhoseAddFailedAreUnexpected() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "add", null, 1L, null);
    h.fail(h.invoke("c1", "add", null, 2L));
    h.okOp("c2", "read", null, null, List.of(1L, 2L, 9L));
    CheckResult r = new SetChecker().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.stats()).containsEntry("unexpected", 2).containsEntry("unexpected-elements", List.of(2L, 9L));
    assertThat(r.anomalies()).containsExactly(
        "unexpected 2: its add c1 add 2 -> fail [#2..#3] definitely failed, yet the final read contains it",
        "unexpected 9: in the final read but never added");
  }

  @Test
  void theLastSuccessfulReadIsTheFinalOne() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "add", null, 1L, null);
    h.okOp("c2", "read", null, null, List.of());
    h.info(h.invoke("c2", "read", null, null));
    h.okOp("c3", "read", null, null, List.of(1L));
    h.fail(h.invoke("c3", "read", null, null));
    assertThat(new SetChecker().check(h.build()).verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void anAddStillRunningDuringTheReadIsNotLost() {
    TestHistory h = new TestHistory();
    Op add = h.invoke("c1", "add", null, 1L);
    Op read = h.invoke("c2", "read", null, null);
    h.ok(add, null);
    h.ok(read, List.of());
    CheckResult r = new SetChecker().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("lost", 0).containsEntry("concurrent-with-read", 1);
  }

  @Test
  void noSuccessfulFinalReadIsUnknown() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "add", null, 1L, null);
    h.info(h.invoke("c1", "read", null, null));
    CheckResult r = new SetChecker().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.summary()).contains("no successful final read");
  }

  @Test
  void lostElementsAreListedUpToTwenty() {
    TestHistory h = new TestHistory();
    for (long i = 0; i < 30; i++) {
      h.okOp("c1", "add", null, i, null);
    }
    h.okOp("c1", "read", null, null, List.of());
    CheckResult r = new SetChecker().check(h.build());
    assertThat(r.stats()).containsEntry("lost", 30);
    assertThat(r.stats().get("lost-elements")).asList().hasSize(20).startsWith(0L, 1L);
    assertThat(r.anomalies()).hasSize(20);
  }

  @Test
  void noAcknowledgedAddIsUnknownNeverValid() {
    TestHistory h = new TestHistory();
    h.fail(h.invoke("c1", "add", null, 1L));
    h.info(h.invoke("c2", "add", null, 2L));
    h.okOp("c3", "read", null, null, List.of());
    CheckResult r = new SetChecker().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.summary()).startsWith("no add was acknowledged before the final read: nothing was checked");
  }
}
