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
 *       can both make a "timeline 2", and only the switch points tell them apart.
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
    Optional<String> fork = otherFork(c, timeline, ownSwitches);
    return fork.isPresent() ? fork : pastEnd(c, timeline, position);
  }

  /** The member key field in which a replica's daemon publishes {@link #offLine}'s reason. */
  public static final String MEMBER_FIELD = "diverged";

  /**
   * Whether a member, as its key shows it, is off the leader's line: what its daemon published (it alone knows its
   * own history file; a stopped member publishes why its rejoin refused to follow the leader), or else what a
   * running member's published timeline and position say against history. Never the leader.
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
