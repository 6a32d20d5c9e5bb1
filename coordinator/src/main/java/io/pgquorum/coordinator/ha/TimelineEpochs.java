package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.HistoryEntry;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.TimelineEpoch;
import io.pgquorum.coordinator.postgres.TimelineEpochLine;
import io.pgquorum.coordinator.postgres.Upstream;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Which epoch a node records for its data's timeline when the data did not come from its own promotion (a promotion
 * records its own lock's token, {@link Action.Promote}): docs/findings/same-timeline-forks.md. Pure; the executor
 * only writes what these say.
 *
 * <p>The invariant they keep: a recorded epoch is always that of the fork the data really holds. So a copy records
 * its source's epoch, a replica that streamed onto a new timeline records the epoch of the upstream that sent it,
 * and whenever that cannot be told, nothing is recorded (unknown, which no rule judges).
 */
final class TimelineEpochs {
  private TimelineEpochs() {}

  /**
   * The line of {@code from}'s data, for a copy (clone, re-clone, rewind) taken from it. Its current timeline's epoch
   * is what its member key publishes, else, when it is the leader, what history records for the switch into that
   * timeline; empty when neither says (the copy's line is then unknown, and any earlier record is forgotten). Its
   * earlier timelines' epochs are history's, but only when history records {@code from}'s own fork of its current
   * timeline (the same epoch): history is the cluster's line, and a node on the fork history records for T descends
   * from the forks history records before T (the line only continues through recorded forks: a node known to be on
   * another one never wins the race). Otherwise only the current entry: what {@code from} holds before it is not
   * known here. A copy that lands on another timeline than the one published here (the source was promoted
   * meanwhile) gets a record whose current entry does not match its data, which the probe ignores.
   */
  static TimelineEpochLine ofSource(Optional<ClusterSnapshot> cluster, Upstream from) {
    if (cluster.isEmpty() || from == null || from.remote().isPresent()) {
      return TimelineEpochLine.NONE;
    }
    ClusterSnapshot c = cluster.get();
    Optional<Member> m = c.member(from.name());
    if (m.isEmpty() || m.get().timeline() < 1) {
      return TimelineEpochLine.NONE;
    }
    int timeline = m.get().timeline();
    OptionalLong recorded = recordedEpoch(c, timeline);
    OptionalLong epoch = m.get().timelineEpoch();
    if (epoch.isEmpty() && c.isLeader(from.name())) {
      epoch = recorded;
    }
    if (epoch.isEmpty()) {
      return TimelineEpochLine.NONE;
    }
    TimelineEpoch current = new TimelineEpoch(timeline, epoch.getAsLong());
    if (recorded.isEmpty() || recorded.getAsLong() != epoch.getAsLong()) {
      return TimelineEpochLine.of(current);
    }
    List<TimelineEpoch> line = new ArrayList<>();
    for (int t = 2; t < timeline; t++) {
      OptionalLong e = recordedEpoch(c, t);
      if (e.isPresent()) {
        line.add(new TimelineEpoch(t, e.getAsLong()));
      }
    }
    line.add(current);
    return new TimelineEpochLine(line);
  }

  /** The epoch history records for the switch into {@code timeline}; empty for timeline 1 and when not recorded. */
  private static OptionalLong recordedEpoch(ClusterSnapshot c, int timeline) {
    return timeline > 1 ? c.historyEndOf(timeline - 1).map(HistoryEntry::epoch).orElse(OptionalLong.empty())
        : OptionalLong.empty();
  }

  /**
   * The epoch a primary whose data's line is {@code line} records in {@code history} for the switch into
   * {@code timeline}: its own line's, for its current timeline (its promotion) and for older ones alike. An older
   * switch is filled in when nobody recorded it while it was current (its promoter was cut off from the DCS); without
   * its epoch, a replica on another fork of that timeline would be judged by no rule and never stream
   * (sim-seed-74489957632632.md). Empty when the line does not know it. {@code current}: the primary's timeline.
   */
  static OptionalLong forHistory(TimelineEpochLine line, int timeline, int current, PlantedBugs bugs) {
    if (timeline != current && bugs.active(HaBug.FORGET_OLDER_EPOCHS)) {
      return OptionalLong.empty(); // PLANTED BUG (test harness only): only the current timeline's epoch is known
    }
    return line.epochOf(timeline);
  }

  /**
   * {@code own} (the data's line so far) continued by {@code source}'s entries for the timelines after {@code own}'s
   * newest: what the data holds once it has replayed {@code source}'s WAL onto its later timelines.
   */
  static TimelineEpochLine continued(TimelineEpochLine own, TimelineEpochLine source) {
    int last = own.newest().map(TimelineEpoch::timeline).orElse(0);
    List<TimelineEpoch> out = new ArrayList<>(own.epochs());
    out.addAll(source.after(last).epochs());
    return new TimelineEpochLine(out);
  }

  /**
   * A running replica whose timeline's epoch is unknown although it was known on an earlier cycle (its timeline
   * moved past the recorded one while it streamed): it records its upstream's published epoch for the new timeline
   * (after its own line's earlier entries, {@link #continued}),
   * but only if it has streamed from that same upstream ever since its epoch was last known (remembered in
   * {@link HaMemory#epochUpstream()}), and that upstream publishes the replica's timeline. If the upstream changed
   * in between, the new timeline's WAL may have come from the earlier one, whose fork nothing says: nothing is
   * recorded. Adds {@link Action.RecordTimelineEpoch} to {@code d}'s plan when it applies, and updates the memory.
   */
  static Decision streamed(Decision d, Optional<ClusterSnapshot> cluster, LocalState local) {
    PgState pg = local.pg();
    Optional<String> before = local.memory().epochUpstream();
    if (!pg.isReplica() || local.runningTask().isPresent() || pg.upstream().isEmpty()) {
      return remember(d, Optional.empty());
    }
    String upstream = pg.upstream().get();
    Optional<Upstream> follow = d.actions().stream().filter(a -> a instanceof Action.Follow)
        .map(a -> ((Action.Follow) a).upstream()).findFirst();
    if (follow.isPresent()) {
      return followed(d, cluster, pg, follow.get());
    }
    if (knowsFork(pg)) {
      return remember(d, Optional.of(upstream));
    }
    if (!before.equals(Optional.of(upstream))) {
      return remember(d, Optional.empty()); // another upstream since the epoch was known: never again for this one
    }
    Optional<TimelineEpochLine> sent = cluster.flatMap(c -> c.members().values().stream()
        .filter(m -> Decider.upstreamOf(m).map(u -> u.address().equals(upstream)).orElse(false)).findFirst()
        .map(m -> ofSource(cluster, Decider.upstreamOf(m).orElseThrow())))
        .filter(l -> l.newest().map(e -> e.timeline() == pg.timeline()).orElse(false));
    // Not yet when the upstream's key lags its timeline: still remembered, tried again next cycle.
    Decision kept = remember(d, before);
    return sent.isEmpty() ? kept
        : kept.withActions(append(kept, new Action.RecordTimelineEpoch(continued(pg.epochLine(), sent.get()))));
  }

  /**
   * Whether the replica knows the fork its data holds: a recorded epoch, or timeline 1, which has exactly one fork
   * per system identifier (one initdb), so no promotion token is needed to name it.
   */
  private static boolean knowsFork(PgState pg) {
    return pg.timelineEpoch().isPresent() || pg.timeline() == 1;
  }

  /**
   * A replica re-pointed at {@code to} this cycle (a new leader after a failover, typically): its next timelines
   * come from {@code to}'s WAL, so, if {@code to} already publishes a later timeline than the replica's, that
   * timeline's epoch (and those of {@code to}'s line between, when known) is recorded after the replica's own line
   * together with the {@link Action.Follow} (the probe ignores it until the data
   * reaches that timeline). Only while the replica knows its own fork, and only when the upstream it leaves cannot
   * have sent it a later timeline first (no longer a member, or publishing no later timeline than the replica's);
   * then the new upstream is also remembered for {@link #streamed}. Otherwise nothing is remembered.
   */
  private static Decision followed(Decision d, Optional<ClusterSnapshot> cluster, PgState pg, Upstream to) {
    Decision forgotten = remember(d, Optional.empty());
    if (!knowsFork(pg) || cluster.isEmpty()) {
      return forgotten;
    }
    String leaving = pg.upstream().orElse("");
    boolean leftBehind = cluster.get().members().values().stream()
        .filter(m -> Decider.upstreamOf(m).map(u -> u.address().equals(leaving)).orElse(false))
        .allMatch(m -> !m.isRunning() || m.timeline() <= pg.timeline());
    if (!leftBehind) {
      return forgotten;
    }
    // From the Follow's reload on, every later timeline comes from the new upstream: remembered at once, so that a
    // switch before the next probe is still recorded (the failover's usual order: the new leader's timeline shows in
    // its key only after this replica has been re-pointed, and the replica may switch within the same cycle).
    Decision following = remember(d, Optional.of(to.address()));
    TimelineEpochLine next = ofSource(cluster, to).after(pg.timeline());
    if (next.isEmpty()) {
      return following;
    }
    List<Action> actions = new ArrayList<>();
    actions.add(new Action.RecordTimelineEpoch(continued(pg.epochLine().upTo(pg.timeline()), next)));
    actions.addAll(d.actions());
    return following.withActions(actions);
  }

  /**
   * After a rejoin that kept this node's data (no divergence from {@code source}'s line): its own line continued by
   * the upstream's later timelines, which the data reaches only by replaying the upstream's WAL, when the node knows
   * its own fork ({@code stopped}, probed after the check); empty: leave the record as it is.
   */
  static Optional<TimelineEpochLine> afterRejoin(TimelineEpochLine source, PgState stopped) {
    if (stopped.timeline() < 1 || source.after(stopped.timeline()).isEmpty() || !knowsFork(stopped)) {
      return Optional.empty();
    }
    return Optional.of(continued(stopped.epochLine(), source.after(stopped.timeline())));
  }

  private static Decision remember(Decision d, Optional<String> upstream) {
    return d.memory().epochUpstream().equals(upstream) ? d : d.withMemory(d.memory().withEpochUpstream(upstream));
  }

  private static List<Action> append(Decision d, Action a) {
    List<Action> out = new ArrayList<>(d.actions());
    out.add(a);
    return out;
  }
}
