package io.pgquorum.jepsen.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import io.pgquorum.jepsen.report.FaultBands.Band;
import io.pgquorum.jepsen.report.NodeTracks.Segment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The data the timeline draws: role/lease/token tracks, fault bands, client lanes, axis ticks. */
class TimelineModelTest {
  private static final long MS = 1_000_000L;

  private static History history(Op... events) {
    List<Op> ops = new ArrayList<>();
    for (Op e : events) {
      ops.add(e.stamped(ops.size(), e.timeNanos()));
    }
    return new History(ops);
  }

  private static Op at(long ms, String process, String f, Object value) {
    return new Op(-1, ms * MS, process, OpType.INFO, f, null, value, null, null);
  }

  @Test
  void roleSegmentsMergeRepeatsAndRunToTheEnd() {
    History h = history(at(0, "n1", "role", "replica"), at(100, "n1", "role", "replica"),
        at(200, "n1", "role", "primary"), at(300, "n1", "role", null), at(400, "n1", "role", "primary"));
    Map<String, NodeTracks> t = NodeTracks.from(h, 1000 * MS);
    assertThat(t.get("n1").roles).containsExactly(
        new Segment(0, 200 * MS, "replica", null), new Segment(200 * MS, 300 * MS, "primary", null),
        new Segment(300 * MS, 400 * MS, "unknown", null), new Segment(400 * MS, 1000 * MS, "primary", null));
  }

  @Test
  void leaseRunsToTheNextObservationButNotPastItsRemainingTime() {
    // 0-100 and 100-200 touch and join; 400-450 is cut short by its 50 ms remaining, leaving a gap to 500.
    History h = history(at(0, "n1", "lease", 500L), at(100, "n1", "lease", 500L), at(200, "n1", "lease", null),
        at(400, "n1", "lease", 50L), at(500, "n1", "lease", 300L));
    NodeTracks t = NodeTracks.from(h, 1000 * MS).get("n1");
    assertThat(t.leases).extracting(Segment::startNanos, Segment::endNanos).containsExactly(
        org.assertj.core.groups.Tuple.tuple(0L, 200 * MS), org.assertj.core.groups.Tuple.tuple(400 * MS, 450 * MS),
        org.assertj.core.groups.Tuple.tuple(500 * MS, 800 * MS));
  }

  @Test
  void tokenLabelsOnlyWhereTheTokenChanges() {
    History h = history(at(0, "n1", "token", 1L), at(10, "n1", "token", 1L), at(20, "n1", "token", 2L),
        at(30, "n1", "token", null), at(40, "n1", "token", 2L));
    assertThat(NodeTracks.from(h, 50 * MS).get("n1").tokens).extracting(NodeTracks.TokenChange::token)
        .containsExactly("1", "2");
  }

  @Test
  void observerEventsNameTheirNodeByNodeFieldOrProcessAndNodesSortNaturally() {
    History h = history(at(0, "node10", "role", "replica"), at(0, "node2", "role", "primary"),
        new Op(-1, 0, "observer", OpType.INFO, "role", null, "replica", "node1", null),
        at(0, "c1", "role", "ignored: a client"), at(0, "nemesis", "role", "ignored"));
    assertThat(NodeTracks.from(h, MS).keySet()).containsExactly("node1", "node2", "node10");
  }

  @Test
  void bandsPairByDescriptionThenInOrderAndOpenOnesRunToTheEnd() {
    History h = history(at(100, "nemesis", "start-partition", "A"), at(200, "nemesis", "start-partition", "B"),
        at(300, "nemesis", "stop-partition", "B"), at(400, "nemesis", "start-kill", "k1"),
        at(500, "nemesis", "start-kill", "k2"), at(600, "nemesis", "stop-kill", null),
        at(700, "nemesis", "stop-pause", "p"), at(800, "nemesis", "start-delay", "d"));
    List<Band> bands = FaultBands.from(h, 1000 * MS);
    assertThat(bands).containsExactly(
        new Band("pause", "p", 0, 700 * MS, false, true),
        new Band("partition", "A", 100 * MS, 1000 * MS, true, false),
        new Band("partition", "B", 200 * MS, 300 * MS, true, true),
        new Band("kill", "k1", 400 * MS, 600 * MS, true, true),
        new Band("kill", "k2", 500 * MS, 1000 * MS, true, false),
        new Band("delay", "d", 800 * MS, 1000 * MS, true, false));
  }

  @Test
  void clientLanesByNodeWithTheNodelessLaneLast() {
    History h = history(
        new Op(-1, 0, "c1", OpType.INVOKE, "read", "k", null, null, null),
        new Op(-1, 0, "c2", OpType.INVOKE, "write", "k", 1L, "n10", null),
        new Op(-1, 0, "c3", OpType.INVOKE, "write", "k", 2L, "n2", null),
        new Op(-1, MS, "c1", OpType.OK, "read", "k", 1L, null, null),
        new Op(-1, MS, "c2", OpType.FAIL, "write", "k", 1L, "n10", "read-only"));
    ClientLanes c = ClientLanes.from(h);
    assertThat(c.lanes.keySet()).containsExactly("n2", "n10", "clients");
    assertThat(c.total).isEqualTo(3);
    assertThat(List.of(c.ok, c.fail, c.info)).containsExactly(1, 1, 1);
    assertThat(c.lanes.get("n2").get(0).completion()).isNull();
  }

  @Test
  void anomalyLinesNameOpsInTheUsualWays() {
    assertThat(AnomalyRefs.indexes("op 12 read 3 but op #14 wrote 4")).containsExactly(12L, 14L);
    assertThat(AnomalyRefs.indexes("ops 5, 7 and 9 overlap; see #11, index=13")).containsExactly(5L, 7L, 9L, 11L,
        13L);
    assertThat(AnomalyRefs.indexes("token 3 appeared on two nodes")).isEmpty();
    assertThat(AnomalyRefs.indexes(null)).isEmpty();
  }

  @Test
  void ticksUseReadableStepsAndTheAxisClamps() {
    TimeAxis a = new TimeAxis(20_000 * MS, 100, 1000);
    assertThat(a.ticks()).containsExactly(0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0);
    assertThat(a.x(-5)).isEqualTo(100.0);
    assertThat(a.x(10_000 * MS)).isEqualTo(600.0);
    assertThat(a.x(99_000 * MS)).isEqualTo(1100.0);
    assertThat(new TimeAxis(300 * MS, 0, 100).ticks()).hasSizeLessThanOrEqualTo(16).contains(0.0, 0.1, 0.2);
    assertThat(TimeAxis.tickLabel(2.0)).isEqualTo("2s");
    assertThat(TimeAxis.tickLabel(0.25)).isEqualTo("0.25s");
  }

  @Test
  void escapingCoversMarkupQuotesAndControlCharacters() {
    assertThat(Html.esc("<a href=\"x\">'&'</a>\u0001")).isEqualTo(
        "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\uFFFD");
    assertThat(Html.esc("plain")).isEqualTo("plain");
    assertThat(Html.esc(null)).isEmpty();
    List<Long> big = new ArrayList<>();
    for (long i = 0; i < 100_000; i++) {
      big.add(i);
    }
    assertThat(Html.valueText(big).length()).isLessThan(Html.MAX_VALUE_CHARS + 30);
  }
}
