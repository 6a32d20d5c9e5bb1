package io.pgquorum.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.history.Op;
import org.junit.jupiter.api.Test;

class EpochCheckerTest {

  private static Op probe(TestHistory h, String process, String node, long token) {
    Op inv = h.invokeOn(process, "probe", node, null);
    h.ok(inv, token);
    return inv;
  }

  @Test
  void tokensThatOnlyGrowAcrossAFailoverAreValid() {
    TestHistory h = new TestHistory();
    probe(h, "c1", "node1", 5);
    probe(h, "c2", "node1", 5);
    h.fail(h.invokeOn("c3", "probe", "node2", null)); // a replica refused the write: no token observed
    probe(h, "c1", "node2", 7);
    probe(h, "c2", "node2", 7);
    CheckResult r = new EpochChecker().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("probes", 4).containsEntry("distinct-tokens", 2)
        .containsEntry("max-nodes-per-token", 1);
  }

  @Test
  void anOlderTokenAfterANewerOneCompletedIsTwoWritablePrimaries() {
    TestHistory h = new TestHistory();
    Op a = probe(h, "c1", "node2", 7);
    Op b = probe(h, "c2", "node1", 5);
    CheckResult r = new EpochChecker().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.anomalies()).containsExactly("probe #" + a.index() + " on node2 carried token 7 and completed (#"
        + (a.index() + 1) + ") before probe #" + b.index() + " on node1 started, which carried token 5");
    assertThat(r.stats()).containsEntry("backwards", 1);
  }

  @Test
  void overlappingProbesMayCarryTokensInEitherOrder() {
    TestHistory h = new TestHistory();
    Op newer = h.invokeOn("c1", "probe", "node2", null);
    Op older = h.invokeOn("c2", "probe", "node1", null);
    h.ok(newer, 7L);
    h.ok(older, 5L);
    assertThat(new EpochChecker().check(h.build()).verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void theRunningMaximumCatchesALateStaleProbe() {
    TestHistory h = new TestHistory();
    probe(h, "c1", "node1", 3);
    probe(h, "c1", "node2", 9);
    probe(h, "c1", "node2", 9);
    probe(h, "c2", "node3", 4); // after 9 completed: backwards
    CheckResult r = new EpochChecker().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.anomalies()).singleElement().asString().contains("carried token 9")
        .contains("on node3 started, which carried token 4");
  }

  @Test
  void oneTokenOnTwoNodesIsInvalid() {
    TestHistory h = new TestHistory();
    Op a = h.invokeOn("c1", "probe", "node1", null);
    Op b = h.invokeOn("c2", "probe", "node2", null);
    h.ok(a, 6L);
    h.ok(b, 6L);
    CheckResult r = new EpochChecker().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.anomalies()).containsExactly("token 6 appeared on 2 nodes: node1 (probe #0), node2 (probe #1)");
    assertThat(r.stats()).containsEntry("max-nodes-per-token", 2).containsEntry("shared-tokens", 1);
  }

  @Test
  void anOkProbeWithoutATokenMakesTheVerdictUnknown() {
    TestHistory h = new TestHistory();
    probe(h, "c1", "node1", 1);
    h.ok(h.invokeOn("c1", "probe", "node1", null), null);
    CheckResult r = new EpochChecker().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.anomalies()).singleElement().asString().contains("lacks a numeric token");
  }

  @Test
  void manyProbesAreCheckedInOnePass() {
    TestHistory h = new TestHistory();
    for (int i = 0; i < 50_000; i++) {
      probe(h, "c" + (1 + i % 3), "node" + (1 + i / 10_000), i / 10_000);
    }
    CheckResult r = new EpochChecker().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("probes", 50_000).containsEntry("distinct-tokens", 5);
  }

  @Test
  void noSuccessfulProbeIsUnknownNeverValid() {
    TestHistory h = new TestHistory();
    h.fail(h.invokeOn("c1", "probe", "node1", null));
    h.info(h.invokeOn("c2", "probe", "node2", null));
    CheckResult r = new EpochChecker().check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.summary()).isEqualTo("no probe succeeded: nothing was checked (2 probes attempted)");
    assertThat(new EpochChecker().check(new TestHistory().build()).verdict()).isEqualTo(Verdict.UNKNOWN);
  }
}
