package io.pgquorum.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.history.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The durability rule on known-good and known-bad histories. The scenario underneath most cases: node1 is primary
 * on timeline 1 under token 5 and publishes its WAL position in {@code status}; it is cut off, node2 takes over
 * at switch point S on timeline 2 under token 9; the final read happens on node2.
 */
class DurabilityCheckerTest {
  static final long MAX_LAG = 1_048_576;
  static final long S = 0x3000000L; // where timeline 1 was switched away from

  /** A history under construction with the usual helpers. */
  static final class H {
    final TestHistory h = new TestHistory();
    private int client;

    /** An acknowledged add of {@code element} on {@code node}, committed in (before, after]. */
    H ack(long element, String node, long timeline, long before, Long after, Long token) {
      Op inv = h.invokeOn("c" + (++client), "add", node, element);
      h.ok(inv, Arrays.asList(element, timeline, before, after, token));
      return this;
    }

    H dcs(String leader, Long token, Long optime, Long statusRevision) {
      h.event("dcs-observer", DurabilityChecker.DCS, Arrays.asList(leader, token, optime, statusRevision));
      return this;
    }

    H lineage(long... value) {
      List<Long> v = new ArrayList<>();
      for (long x : value) {
        v.add(x);
      }
      h.event("final-read", DurabilityChecker.LINEAGE, v);
      return this;
    }

    H read(Long... present) {
      h.okOp("c0", "read", null, null, List.of(present));
      return this;
    }

    CheckResult check() {
      return new DurabilityChecker(MAX_LAG).check(h.build());
    }
  }

  /** node1 writes 1 and 2 on timeline 1, publishing status up to O; node2 takes over at S and writes 3. */
  static H failover(long published) {
    return new H()
        .dcs("node1", 5L, S - 1000, 6L)
        .ack(1, "node1", 1, S - 500, S - 400, 5L)
        .dcs("node1", 5L, published, 7L)
        .ack(2, "node1", 1, S + 100, S + 200, 5L)
        .dcs(null, null, published, 7L)
        .dcs("node2", 9L, published, 7L)
        .ack(3, "node2", 2, S + 300, S + 400, 9L)
        .dcs("node2", 9L, S + 400, 10L);
  }

  @Test
  void nothingLostIsValid() {
    CheckResult r = failover(S).read(1L, 2L, 3L).lineage(2, 1, S).check();
    assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.summary()).startsWith("no acknowledged add lost: 3 acknowledged, 0 lost");
    assertThat(r.stats()).containsEntry("lost", 0).containsEntry("acknowledged", 3);
  }

  @Test
  void aWriteAfterTheSwitchPointLostInAnAllowedFailoverIsInsideTheWindow() {
    // node1 published S + 1000 (the winner was 1000 bytes behind, far below 1 MiB); 2 was committed after S.
    CheckResult r = failover(S + 1000).read(1L, 3L).lineage(2, 1, S).check();
    assertThat(r.verdict()).as(r.anomalies().toString()).isEqualTo(Verdict.VALID);
    assertThat(r.summary()).startsWith("every lost write inside the allowed failover window");
    assertThat(r.stats()).containsEntry("lost", 1).containsEntry("lost-inside-window", 1)
        .containsEntry("lost-outside-window", 0).containsEntry("final-timeline", 2L);
    assertThat(r.stats().get("switch-lag-bytes")).isEqualTo(java.util.Map.of("timeline-1", 1000L));
  }

  @Test
  void aFailoverFurtherBehindThanMaximumLagIsOutsideTheWindow() {
    long published = S + MAX_LAG + DurabilityChecker.DEFAULT_SLACK_BYTES + 1;
    CheckResult r = failover(published).read(1L, 3L).lineage(2, 1, S).check();
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.stats()).containsEntry("lost-outside-window", 1).containsEntry("outside-elements", List.of(2L));
    assertThat(r.anomalies()).singleElement().asString()
        .contains("lost 2", "written on timeline 1 at 0/3000064..0/30000C8 by node1",
            "switched away from at 0/3000000, " + (published - S) + " bytes behind the status",
            "maximum_lag_on_failover allows 1048576");
  }

  @Test
  void exactlyAtTheBoundIsStillInside() {
    long published = S + MAX_LAG + DurabilityChecker.DEFAULT_SLACK_BYTES;
    assertThat(failover(published).read(1L, 3L).lineage(2, 1, S).check().verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void aCommitThatEndedBeforeTheSwitchPointMustSurvive() {
    CheckResult r = failover(S).read(2L, 3L).lineage(2, 1, S).check();
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.anomalies()).singleElement().asString()
        .contains("lost 1", "its commit ended before timeline 1 was switched away from at 0/3000000");
  }

  @Test
  void aCommitStraddlingTheSwitchPointMayBeLost() {
    H h = new H()
        .dcs("node1", 5L, S, 6L)
        .ack(1, "node1", 1, S - 10, S + 10, 5L)
        .ack(2, "node2", 2, S + 300, S + 400, 9L);
    CheckResult r = h.read(2L).lineage(2, 1, S).check();
    assertThat(r.verdict()).as(r.anomalies().toString()).isEqualTo(Verdict.VALID);
    assertThat(r.stats()).containsEntry("lost-inside-window", 1).containsEntry("lost-commit-straddling-switch", 1);
  }

  @Test
  void nothingMayBeLostOnTheFinalTimeline() {
    CheckResult r = failover(S).read(1L, 2L).lineage(2, 1, S).check();
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.anomalies()).singleElement().asString()
        .contains("lost 3", "that is the final timeline");
  }

  @Test
  void withoutAnyFailoverEveryLossIsOutside() {
    H h = new H().dcs("node1", 5L, S, 6L).ack(1, "node1", 1, S, S + 10, 5L).ack(2, "node1", 1, S + 20, S + 30, 5L);
    CheckResult r = h.read(2L).lineage(1).check();
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.anomalies()).singleElement().asString().contains("lost 1", "final timeline");
  }

  @Test
  void aTimelineThatIsNotAnAncestorOfTheFinalOneIsOutside() {
    // node3 wrote on a timeline 4 that the final timeline 3 does not descend from.
    H h = failover(S).ack(4, "node3", 4, S + 900, S + 950, 12L);
    CheckResult r = h.read(1L, 2L, 3L).lineage(3, 1, S, 2, S + 500).check();
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.anomalies()).singleElement().asString()
        .contains("lost 4", "timeline 4 is not an ancestor of the final timeline 3 [1, 2]");
  }

  @Test
  void oneTimelineWrittenOnTwoNodesIsOutside() {
    H h = failover(S).ack(4, "node3", 1, S + 600, S + 650, 11L);
    CheckResult r = h.read(1L, 2L, 3L).lineage(2, 1, S).check();
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.anomalies()).singleElement().asString()
        .contains("lost 4", "timeline 1 was primary on [node1, node3]");
  }

  @Test
  void aLossWithoutAnObservedStatusOfTheOldPrimaryIsUnknown() {
    H h = new H()
        .dcs("node1", 5L, S - 100, 4L) // written before node1's lease (token 5) began: not its own status
        .ack(1, "node1", 1, S + 100, S + 200, 5L)
        .ack(2, "node2", 2, S + 300, S + 400, 9L);
    CheckResult r = h.read(2L).lineage(2, 1, S).check();
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.anomalies()).singleElement().asString().contains("no status published by node1 on timeline 1");
  }

  @Test
  void statusFromALaterPrimacyIsNotTheOneTheWinnerComparedAgainst() {
    // node1 is primary again later (token 12, on timeline 3): its status then says nothing about the switch 1->2.
    H h = failover(S + 1000).dcs("node1", 12L, S + 50_000_000, 13L).ack(4, "node1", 3, S + 60_000_000,
        S + 60_000_100, 12L);
    CheckResult r = h.read(1L, 3L, 4L).lineage(3, 1, S, 2, S + 500).check();
    assertThat(r.verdict()).as(r.anomalies().toString()).isEqualTo(Verdict.VALID);
    assertThat(r.stats().get("switch-lag-bytes")).isEqualTo(java.util.Map.of("timeline-1", 1000L));
  }

  @Test
  void aLossWithoutLineageIsUnknown() {
    CheckResult r = failover(S).read(1L, 3L).check();
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.summary()).startsWith("cannot judge 1 lost writes");
  }

  @Test
  void aLossWithoutAWalPositionIsUnknown() {
    TestHistory h = new TestHistory();
    h.okOp("c1", "add", null, 1L, 1L); // an old-style completion: just the element
    h.okOp("c2", "read", null, null, List.of());
    CheckResult r = new DurabilityChecker(MAX_LAG).check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.stats()).containsEntry("acknowledged-without-position", 1).containsEntry("lost-undecided", 1);
  }

  @Test
  void noFinalReadOrNoAcknowledgedAddIsUnknown() {
    H noRead = failover(S).lineage(2, 1, S);
    assertThat(noRead.check().verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(noRead.check().summary()).contains("no successful final read");
    TestHistory h = new TestHistory();
    h.fail(h.invoke("c1", "add", null, 1L));
    h.okOp("c2", "read", null, null, List.of());
    CheckResult r = new DurabilityChecker(MAX_LAG).check(h.build());
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.summary()).contains("nothing was checked");
  }

  @Test
  void unexpectedElementsAreInvalid() {
    CheckResult r = failover(S).read(1L, 2L, 3L, 99L).lineage(2, 1, S).check();
    assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(r.anomalies()).containsExactly("unexpected 99: in the final read but never added");
  }

  /**
   * Synchronous replication: the loss that is inside the window asynchronously (2, 1000 bytes past the switch,
   * far below maximum_lag_on_failover) is a violation, and nothing lost stays valid.
   */
  @Test
  void underSynchronousReplicationEveryLossIsAViolation() {
    CheckResult lost = DurabilityChecker.synchronous().check(failover(S + 1000).read(1L, 3L).lineage(2, 1, S).h
        .build());
    assertThat(lost.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(lost.summary()).contains("3 acknowledged, 1 lost (synchronous replication allows none)");
    assertThat(lost.anomalies()).singleElement().asString().contains("lost 2", "written on timeline 1 by node1",
        "acknowledged under synchronous replication");
    assertThat(lost.stats()).containsEntry("outside-elements", List.of(2L));

    CheckResult none = DurabilityChecker.synchronous().check(failover(S).read(1L, 2L, 3L).lineage(2, 1, S).h
        .build());
    assertThat(none.verdict()).isEqualTo(Verdict.VALID);
    assertThat(none.summary()).startsWith("no acknowledged add lost: 3 acknowledged, 0 lost");

    // A loss whose add recorded no WAL position is still a lost acknowledged write: judged, not undecided.
    TestHistory h = new TestHistory();
    h.ok(h.invokeOn("c1", "add", "node1", 7L), java.util.Arrays.asList(7L, null, null, null, null));
    h.okOp("c2", "read", null, null, List.of());
    assertThat(DurabilityChecker.synchronous().check(h.build()).verdict()).isEqualTo(Verdict.INVALID);
  }

  @Test
  void lsnsReadAndPrintLikePostgres() {
    assertThat(DurabilityChecker.Lsn.parse("0/3000060")).isEqualTo(0x3000060L);
    assertThat(DurabilityChecker.Lsn.parse("1A/FF")).isEqualTo((0x1AL << 32) | 0xFF);
    assertThat(DurabilityChecker.Lsn.text((0x1AL << 32) | 0xFF)).isEqualTo("1A/FF");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DurabilityChecker.Lsn.parse("3000060"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3000060");
  }
}
