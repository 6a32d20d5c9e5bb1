package io.pgquorum.coordinator.cluster;

import java.util.Map;
import java.util.Optional;

/**
 * Whether a replica's timeline is on the line of history the cluster's {@code history} key records, the line its
 * leader's timeline continues. One rule, shared by the HA decision (which stops such a replica so that its rejoin
 * rewinds or re-clones it), the health checks (which keep it out of {@code /replica}) and the cluster listings
 * (where its lag means nothing). Pure: positions are bytes, timelines PostgreSQL's numbers.
 *
 * <p>A replica is off the leader's line when
 * <ul>
 *   <li>it replayed its timeline past the point where history says that timeline ended (the leader's timeline
 *       branched off before it): it serves writes the cluster's line does not have, e.g. after a point-in-time
 *       restore or a failover to a replica that was behind it; or
 *   <li>its own timeline history file says one of its ancestors ended at another position than history says:
 *       PostgreSQL numbers a new timeline "one past the highest it knows", so two promotions on different forks
 *       can both make a "timeline 2", and only the switch points tell them apart; or
 *   <li>the switch points are the same too, but the fencing token of the promotion that started its timeline
 *       differs from the one history records for that timeline ({@link #otherEpoch}).
 * </ul>
 * What history does not record cannot be judged (a promotion whose switch the leader has not written yet): the
 * answer is then "on the line", as before history existed.
 */
public final class LeaderTimeline {
  private LeaderTimeline() {}

  /**
   * Why the replica is not on the leader's line, or empty when it is (or history cannot tell).
   *
   * @param timeline the timeline the replica replays (0 when unknown)
   * @param position how far it replayed on that timeline
   * @param ownSwitches the replica's own history file: ended timeline to the position where it ended
   */
  public static Optional<String> offLine(ClusterSnapshot c, long timeline, long position,
      Map<Long, Long> ownSwitches) {
    return offLine(c, timeline, position, ownSwitches, java.util.OptionalLong.empty());
  }

  /** As above, also comparing the fork's epoch ({@link #otherEpoch}), when the node knows it. */
  public static Optional<String> offLine(ClusterSnapshot c, long timeline, long position,
      Map<Long, Long> ownSwitches, java.util.OptionalLong epoch) {
    Optional<String> fork = otherFork(c, timeline, ownSwitches);
    if (fork.isEmpty()) {
      fork = otherEpoch(c, timeline, epoch);
    }
    return fork.isPresent() ? fork : pastEnd(c, timeline, position);
  }

  /**
   * A replica that does not stream and replays a later timeline than its leader's (as the leader's member key says)
   * is off the leader's line whatever history records, or does not record: a primary never runs on an earlier
   * timeline than data that descends from it. Seen in the simulator (docs/findings/sim-seed-74489957632632.md,
   * second schedule): a node promoted to timeline 2 while cut off from the DCS, so history never recorded the switch;
   * two replicas followed it, and the old primary, still on timeline 1, took the lock again. Only when it does not
   * stream: right after a promotion a streaming replica can show the new timeline before the leader's member key
   * does (that key is written on the leader's next cycle), and one that got there by streaming is on the line; one
   * that is between connections in that window is judged off it for a cycle or so. An unknown timeline (0, on
   * either side) says nothing. Not in a standby cluster: its leader is a replica of the remote, not a primary, and
   * may well replay an earlier timeline than a member that fetched the remote's newer one.
   *
   * @param streaming whether the replica streams now (pg_stat_wal_receiver)
   * @param standbyCluster whether the cluster is a standby cluster
   */
  public static Optional<String> laterThanLeader(ClusterSnapshot c, long timeline, boolean streaming,
      boolean standbyCluster) {
    Optional<Member> leader = c.leaderMember();
    long leaderTimeline = leader.map(Member::timeline).orElse(0);
    if (leaderTimeline <= 0 || timeline <= leaderTimeline || streaming || standbyCluster) {
      return Optional.empty();
    }
    return Optional.of("it replays timeline " + timeline + " and does not stream, and the leader ("
        + leader.get().name() + ") runs on the earlier timeline " + leaderTimeline);
  }

  /** The member key field in which a replica's daemon publishes {@link #offLine}'s reason. */
  public static final String MEMBER_FIELD = "diverged";

  /**
   * Whether a member, as its key shows it, is off the leader's line: what its daemon published (it alone knows its
   * own history file; a stopped member publishes why its rejoin refused to follow the leader), or else what a
   * running member's published timeline, epoch ({@link #otherEpoch}) and position say against history. Never the
   * leader.
   */
  public static Optional<String> ofMember(ClusterSnapshot c, Member m) {
    if (c.isLeader(m.name())) {
      return Optional.empty();
    }
    Object published = m.raw().get(MEMBER_FIELD);
    if (published instanceof String why && !why.isBlank()) {
      return Optional.of(why);
    }
    if (!m.isRunning()) {
      return Optional.empty();
    }
    Optional<String> fork = otherEpoch(c, m.timeline(), m.timelineEpoch());
    if (fork.isPresent()) {
      return fork;
    }
    return m.xlogLocation().isPresent() ? pastEnd(c, m.timeline(), m.xlogLocation().getAsLong()) : Optional.empty();
  }

  /** The replica's timeline descends from a switch history does not know: another fork of the same number. */
  public static Optional<String> otherFork(ClusterSnapshot c, long timeline, Map<Long, Long> ownSwitches) {
    if (timeline <= 0) {
      return Optional.empty();
    }
    for (Map.Entry<Long, Long> own : new java.util.TreeMap<>(ownSwitches).entrySet()) {
      Optional<HistoryEntry> recorded = c.historyEndOf(own.getKey());
      if (recorded.isPresent() && recorded.get().lsn() != own.getValue()) {
        return Optional.of("its timeline " + timeline + " descends from timeline " + own.getKey() + " ending at "
            + own.getValue() + ", where the cluster's history ends timeline " + own.getKey() + " at "
            + recorded.get().lsn() + ": another fork with the same number");
      }
    }
    return Optional.empty();
  }

  /**
   * The node's timeline is another fork of the same number than the one history records: the switch into
   * {@code timeline} was recorded with the fencing token of the promotion that made it, and this node's data says
   * its {@code timeline} was started under another token.
   *
   * <p>Safety argument. Fencing tokens are handed out by the DCS once each, and a node promotes only under the token
   * of the lock it holds, so two promotions never share a token: equal tokens mean the same promotion, hence the
   * same fork (a node's epoch is only ever the one its own promotion set, or a copy of its source's: clone, rewind,
   * streaming). History records the switch into a timeline only from a primary holding the lock, and keeps the
   * first entry per timeline, so the recorded token is that of the fork the leader line continues from the moment
   * it is recorded. A fork whose promoter was cut off from the DCS (or lost the lock before recording it) is never
   * recorded, so every node on it, however far its LSN reaches, is told apart here, where timeline numbers, LSNs
   * and history files (equal when both forks left the parent at the same position) cannot. Such a node's
   * acknowledged writes beyond the fork were never published in {@code status} (a primary publishes status only
   * once history records its timeline), so they are outside the durability promise; the recorded fork's are not.
   * An unknown epoch on either side says nothing (as before the field existed), so the rule can only exclude.
   */
  public static Optional<String> otherEpoch(ClusterSnapshot c, long timeline, java.util.OptionalLong epoch) {
    if (timeline <= 1 || epoch.isEmpty()) {
      return Optional.empty();
    }
    return c.historyEndOf(timeline - 1).filter(h -> h.epoch().isPresent()
            && h.epoch().getAsLong() != epoch.getAsLong())
        .map(h -> "its timeline " + timeline + " was started by the promotion under fencing token "
            + epoch.getAsLong() + ", where the cluster's history records timeline " + timeline + " as started under "
            + "token " + h.epoch().getAsLong() + h.newLeader().map(n -> " (by " + n + ")").orElse("")
            + ": another fork with the same number");
  }

  /** The replica replayed its timeline past the point where history says that timeline ended. */
  public static Optional<String> pastEnd(ClusterSnapshot c, long timeline, long position) {
    if (timeline <= 0) {
      return Optional.empty();
    }
    return c.historyEndOf(timeline).filter(end -> position > end.lsn())
        .map(end -> "it replayed timeline " + timeline + " to " + position + ", past where the cluster's history "
            + "ends that timeline (" + end.lsn() + ")");
  }
}
