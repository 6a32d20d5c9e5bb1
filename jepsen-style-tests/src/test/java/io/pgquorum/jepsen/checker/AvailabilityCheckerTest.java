package io.pgquorum.jepsen.checker;

import static io.pgquorum.jepsen.checker.TestHistory.MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.jepsen.history.Op;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AvailabilityCheckerTest {

  private static final long S = 1000 * MS;

  @Test
  void aWriteSucceedingWithinTheBoundReportsTheRecoveryTime() {
    TestHistory h = new TestHistory();
    h.at(1 * S).okOp("c1", "write", "k", 1L, null);
    h.at(10 * S).event("nemesis", "stop-partition", "healed");
    h.at(11 * S).fail(h.at(11 * S).invoke("c1", "write", "k", 2L));
    Op w = h.at(12 * S).invoke("c1", "write", "k", 3L);
    h.at(14 * S + 300 * MS).ok(w, null);
    CheckResult r = new AvailabilityChecker(10 * S, 30 * S, Set.of("write")).check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.summary()).isEqualTo("recovered after 4.3 s (bound 30.0 s)");
    assertThat(r.stats()).containsEntry("recovery-seconds", 4.3).containsEntry("attempts-after-heal", 2);
  }

  @Test
  void aSuccessTooLateIsInvalid() {
    TestHistory h = new TestHistory();
    Op w = h.at(12 * S).invoke("c1", "add", null, 3L);
    h.at(45 * S).ok(w, null);
    CheckResult r = new AvailabilityChecker(10 * S, 30 * S, Set.of("write", "add")).check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.summary()).isEqualTo("no successful add/write within 30.0 s of the last heal");
    assertThat(r.stats()).containsEntry("recovery-seconds", 35.0);
  }

  @Test
  void noSuccessAtAllPastTheBoundIsInvalid() {
    TestHistory h = new TestHistory();
    h.at(11 * S).info(h.at(11 * S).invoke("c1", "write", "k", 2L));
    h.at(50 * S).event("node1", "role", "replica");
    CheckResult r = new AvailabilityChecker(10 * S, 30 * S, Set.of("write")).check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.summary()).isEqualTo("no successful write within 30.0 s of the last heal");
    assertThat(r.anomalies()).containsExactly("1 write attempts after the heal, none succeeded");
  }

  @Test
  void aSuccessInvokedBeforeTheHealDoesNotCount() {
    TestHistory h = new TestHistory();
    Op early = h.at(9 * S).invoke("c1", "write", "k", 1L);
    h.at(10 * S + 100 * MS).ok(early, null);
    h.at(60 * S).event("node1", "role", "replica");
    assertThat(new AvailabilityChecker(10 * S, 30 * S, Set.of("write")).check(h.build()).verdict())
        .isEqualTo(Verdict.INVALID);
  }

  @Test
  void aHistoryEndingBeforeTheBoundIsUnknown() {
    TestHistory h = new TestHistory();
    h.at(11 * S).info(h.at(11 * S).invoke("c1", "write", "k", 2L));
    CheckResult r = new AvailabilityChecker(10 * S, 30 * S, Set.of("write")).check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.summary()).contains("before the 30.0 s bound elapsed");
  }

  @Test
  void badParametersAreRejectedClearly() {
    assertThatThrownBy(() -> new AvailabilityChecker(0, 0, Set.of("write")))
        .hasMessage("boundNanos must be positive, got 0");
    assertThatThrownBy(() -> new AvailabilityChecker(0, S, Set.of()))
        .hasMessage("fs must name at least one operation");
  }
}
