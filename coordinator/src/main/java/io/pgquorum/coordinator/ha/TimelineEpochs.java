package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.HistoryEntry;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.TimelineEpoch;
import io.pgquorum.coordinator.postgres.Upstream;
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
   * The epoch of the timeline {@code from}'s data is on, for a copy (clone, re-clone, rewind) taken from it: what its
   * member key publishes for its timeline, else, when it is the leader, what history records for the switch into
   * that timeline. Empty when neither says (the copy's epoch is then unknown, and any earlier record is forgotten).
   * A copy that lands on another timeline than the one published here (the source was promoted meanwhile) gets a
   * record that does not match its data, which the probe ignores.
   */
  static Optional<TimelineEpoch> ofSource(Optional<ClusterSnapshot> cluster, Upstream from) {
    if (cluster.isEmpty() || from == null || from.remote().isPresent()) {
      return Optional.empty();
    }
    ClusterSnapshot c = cluster.get();
    Optional<Member> m = c.member(from.name());
    if (m.isEmpty() || m.get().timeline() < 1) {
      return Optional.empty();
    }
    int timeline = m.get().timeline();
    OptionalLong epoch = m.get().timelineEpoch();
    if (epoch.isEmpty() && c.isLeader(from.name()) && timeline > 1) {
      epoch = c.historyEndOf(timeline - 1).map(HistoryEntry::epoch).orElse(OptionalLong.empty());
    }
    return epoch.isPresent() ? Optional.of(new TimelineEpoch(timeline, epoch.getAsLong())) : Optional.empty();
  }

  /**
   * A running replica whose timeline's epoch is unknown although it was known on an earlier cycle (its timeline
   * moved past the recorded one while it streamed): it records its upstream's published epoch for the new timeline,
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
    Optional<TimelineEpoch> sent = cluster.flatMap(c -> c.members().values().stream()
        .filter(m -> Decider.upstreamOf(m).map(u -> u.address().equals(upstream)).orElse(false)).findFirst()
        .flatMap(m -> ofSource(cluster, Decider.upstreamOf(m).orElseThrow())))
        .filter(e -> e.timeline() == pg.timeline());
    // Not yet when the upstream's key lags its timeline: still remembered, tried again next cycle.
    Decision kept = remember(d, before);
    return sent.isEmpty() ? kept : kept.withActions(append(kept, new Action.RecordTimelineEpoch(sent.get())));
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
   * timeline's epoch is recorded together with the {@link Action.Follow} (the probe ignores it until the data
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
    Optional<TimelineEpoch> next = ofSource(cluster, to).filter(e -> e.timeline() > pg.timeline());
    if (next.isEmpty()) {
      return following;
    }
    List<Action> actions = new ArrayList<>();
    actions.add(new Action.RecordTimelineEpoch(next.get()));
    actions.addAll(d.actions());
    return following.withActions(actions);
  }

  /**
   * After a rejoin that kept this node's data (no divergence from {@code source}'s line): the epoch of the
   * upstream's later timeline, which the data reaches only by replaying the upstream's WAL, when the node knows its
   * own fork ({@code stopped}, probed after the check); empty: leave the record as it is.
   */
  static Optional<TimelineEpoch> afterRejoin(Optional<TimelineEpoch> source, PgState stopped) {
    if (source.isEmpty() || stopped.timeline() < 1 || source.get().timeline() <= stopped.timeline()
        || !knowsFork(stopped)) {
      return Optional.empty();
    }
    return source;
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
