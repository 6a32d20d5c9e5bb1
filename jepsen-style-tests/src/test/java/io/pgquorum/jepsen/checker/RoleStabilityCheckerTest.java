package io.pgquorum.jepsen.checker;

import static io.pgquorum.jepsen.checker.TestHistory.MS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoleStabilityCheckerTest {

  private static final long S = 1000 * MS;

  @Test
  void stableRolesAreValidAndChangesBeforeTheWindowDoNotCount() {
    TestHistory h = new TestHistory();
    h.at(1 * S).event("node1", "role", "replica");
    h.at(2 * S).event("node1", "role", "primary"); // failover before the window
    h.at(2 * S).event("node2", "role", "primary");
    h.at(10 * S).event("node1", "role", "primary");
    h.at(10 * S).event("node2", "role", "replica");
    h.at(11 * S).event("node1", "role", "primary");
    h.at(11 * S).event("node2", "role", "replica");
    CheckResult r = new RoleStabilityChecker(5 * S).check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("nodes", 2).containsEntry("observations", 4).containsEntry("changes", 0);
  }

  @Test
  void unknownObservationsBetweenEqualRolesAreNotFlaps() {
    TestHistory h = new TestHistory();
    h.at(10 * S).event("node1", "role", "replica");
    h.at(11 * S).event("node1", "role", "unknown");
    h.at(12 * S).event("node1", "role", "unreachable");
    h.at(13 * S).event("node1", "role", null);
    h.at(14 * S).event("node1", "role", "replica");
    CheckResult r = new RoleStabilityChecker(5 * S).check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("unknown-observations", 3);
  }

  @Test
  void aChangeAfterTheWindowStartsIsAFlapEvenAcrossUnknown() {
    TestHistory h = new TestHistory();
    h.at(10 * S).event("node1", "role", "replica");
    h.at(10 * S).event("node2", "role", "primary");
    h.at(11 * S).event("node1", "role", "unknown");
    h.at(12 * S + 500 * MS).event("node1", "role", "primary");
    h.at(13 * S).event("node1", "role", "replica");
    h.event("nemesis", "role", "not an observation");
    CheckResult r = new RoleStabilityChecker(5 * S).check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.summary()).isEqualTo("2 role changes since 5.0 s on node1");
    assertThat(r.anomalies()).containsExactly(
        "node1: replica (#0) -> primary at 12.5 s (#3)",
        "node1: primary (#3) -> replica at 13.0 s (#4)");
  }

  @Test
  void theNodeFieldNamesTheNodeWhenTheObserverIsOneProcess() {
    TestHistory h = new TestHistory();
    h.at(10 * S).event("observer", "lease", 900L);
    io.pgquorum.jepsen.history.History base = h.build();
    java.util.List<io.pgquorum.jepsen.history.Op> ops = new java.util.ArrayList<>(base.ops());
    ops.add(new io.pgquorum.jepsen.history.Op(1, 11 * S, "observer",
        io.pgquorum.jepsen.history.OpType.INFO, "role", null, "primary", "node1", null));
    ops.add(new io.pgquorum.jepsen.history.Op(2, 12 * S, "observer",
        io.pgquorum.jepsen.history.OpType.INFO, "role", null, "primary", "node2", null));
    CheckResult r = new RoleStabilityChecker(5 * S).check(new io.pgquorum.jepsen.history.History(ops));
    // Two nodes each seen once as primary: no change per node (the epoch checker judges two primaries).
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("nodes", 2);
  }

  @Test
  void noObservationsIsUnknown() {
    TestHistory h = new TestHistory();
    h.at(1 * S).event("node1", "role", "primary");
    assertThat(new RoleStabilityChecker(5 * S).check(h.build()).verdict()).isEqualTo(Verdict.UNKNOWN);
  }

  @Test
  void anExpectedNodeNeverObservedMakesItUnknown() {
    TestHistory h = new TestHistory();
    h.at(10 * TestHistory.MS);
    h.event("node1", "role", "primary");
    h.event("node2", "role", "replica");
    h.event("node3", "role", "unknown"); // never answered in the window
    CheckResult r = new RoleStabilityChecker(0, java.util.List.of("node1", "node2", "node3")).check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.summary()).contains("no role observed", "node3");
    assertThat(new RoleStabilityChecker(0, java.util.List.of("node1", "node2")).check(h.build()).verdict())
        .isEqualTo(Verdict.VALID);
  }
}
