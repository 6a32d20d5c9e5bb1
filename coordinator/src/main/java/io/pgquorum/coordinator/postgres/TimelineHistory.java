package io.pgquorum.coordinator.postgres;

import java.util.ArrayList;
import java.util.List;

/**
 * A timeline history file ({@code 0000000N.history}): for each ancestor timeline, the WAL position where the
 * next one branched off. And the one decision that needs it: did a stopped cluster write WAL that its upstream
 * does not have (it diverged, so it cannot just follow and needs pg_rewind or a new clone)?
 */
final class TimelineHistory {
  /** One line: timeline {@code parent} ended at {@code switchpoint}, where its child began. */
  record Entry(int parent, long switchpoint) {}

  private TimelineHistory() {}

  /** Parses lines of {@code <tli>\t<X/Y>\t<reason>}; comments and blank lines are skipped. */
  static List<Entry> parse(String content) {
    List<Entry> out = new ArrayList<>();
    for (String line : content.split("\n")) {
      String t = line.trim();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String[] f = t.split("\\s+");
      if (f.length < 2) {
        continue;
      }
      try {
        out.add(new Entry(Integer.parseInt(f[0]), Lsn.parse(f[1])));
      } catch (IllegalArgumentException ignored) {
        // not a history line
      }
    }
    return out;
  }

  /**
   * Whether the local cluster diverged from the upstream.
   *
   * @param localTimeline the timeline the local cluster's last WAL is on
   * @param localLsn the end of what the local cluster wrote or replayed: for a former primary its (shutdown)
   *     checkpoint location, for a standby its minimum recovery point
   * @param wasStandby the local cluster stopped as a standby (it only replayed WAL, never wrote any)
   * @param upstreamTimeline the upstream's current timeline
   * @param upstreamHistory the upstream's history file for {@code upstreamTimeline} (empty for timeline 1)
   */
  static boolean diverged(int localTimeline, long localLsn, boolean wasStandby, int upstreamTimeline,
      List<Entry> upstreamHistory) {
    return diverged(localTimeline, localLsn, wasStandby, List.of(), upstreamTimeline, upstreamHistory);
  }

  /**
   * As above, knowing the local cluster's own history file for {@code localTimeline} ({@code localHistory}, empty
   * when unknown or on timeline 1). Every switch it records must be the upstream's too: PostgreSQL numbers a new
   * timeline one past the highest it knows, so two promotions on different forks can make the same number, and
   * only the switch points tell such forks apart (issue 17, item 12). pg_rewind does not help such a cluster (it
   * compares timeline numbers and finds "no rewind required"); the caller's check after it catches that.
   */
  static boolean diverged(int localTimeline, long localLsn, boolean wasStandby, List<Entry> localHistory,
      int upstreamTimeline, List<Entry> upstreamHistory) {
    for (Entry mine : localHistory) {
      if (mine.parent() >= upstreamTimeline) {
        continue; // a switch the upstream never made: judged by the timeline comparison below
      }
      boolean shared = upstreamHistory.stream()
          .anyMatch(e -> e.parent() == mine.parent() && e.switchpoint() == mine.switchpoint());
      if (!shared) {
        return true; // our line left one of the upstream's ancestors elsewhere: another fork
      }
    }
    if (localTimeline == upstreamTimeline) {
      return false; // same line of history: following it just continues
    }
    if (localTimeline > upstreamTimeline) {
      return true; // we were promoted on a timeline the upstream never reached
    }
    for (Entry e : upstreamHistory) {
      if (e.parent() == localTimeline) {
        // A standby that replayed exactly up to the switch point has nothing the new timeline lacks. A former
        // primary's last record is its shutdown checkpoint, which starts before the switch point when the new
        // primary received it; if it starts at or after the switch point, it is WAL the upstream does not have.
        return wasStandby ? localLsn > e.switchpoint() : localLsn >= e.switchpoint();
      }
    }
    return true; // our timeline is not an ancestor of the upstream's: a sibling branch
  }
}
