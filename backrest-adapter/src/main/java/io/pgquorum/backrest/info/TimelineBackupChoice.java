package io.pgquorum.backrest.info;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Which backup can build a standby of a leader on a given timeline (issue 13). pgBackRest restores the newest
 * backup unless told {@code --set}; after a point-in-time recovery the newest can be a backup of the old timeline
 * whose consistency point lies past where the new timeline branched off. PostgreSQL refuses such a copy at its
 * first start ("requested timeline N does not contain minimum recovery point ... on timeline M") and the restore
 * itself had succeeded, so nothing would fall back. Pure: the caller passes the backups from {@code info} and the
 * leader's timeline history.
 *
 * <p>A backup is usable when its timeline is the leader's, or one of the leader's ancestors and the backup became
 * consistent no later than the switch point where the leader's history left that timeline: recovery then replays
 * the old timeline up to the switch and follows the leader's from there (PostgreSQL's check is that the minimum
 * recovery point minus one lies on the backup's timeline in the requested history, so stop LSN == switch point is
 * still usable).
 */
public final class TimelineBackupChoice {
  /** How many refused backups the reason names (the rest are counted). */
  private static final int NAMED = 4;

  private TimelineBackupChoice() {}

  /** One line of the leader's history file: timeline {@code timeline} ended at {@code switchpoint}. */
  public record Switch(int timeline, long switchpoint) {}

  /** The answer: a backup to restore with {@code --set}, or none, with why. */
  public sealed interface Choice {}

  /** @param backup the newest usable backup; {@code skipped} names newer ones that were not usable, with why */
  public record Chosen(BackupInfo backup, List<String> skipped) implements Choice {
    public Chosen {
      skipped = List.copyOf(skipped);
    }
  }

  /** @param reason for the log and {@code /patroni}: every backup and why it cannot serve */
  public record NoneUsable(String reason) implements Choice {}

  /**
   * @param backups the stanza's backups (any order)
   * @param leaderTimeline the timeline the leader is on now
   * @param history the leader's history file for {@code leaderTimeline} (empty on timeline 1)
   */
  public static Choice choose(List<BackupInfo> backups, int leaderTimeline, List<Switch> history) {
    List<BackupInfo> newestFirst = new ArrayList<>(backups);
    newestFirst.sort(Comparator.comparing(BackupInfo::stop).thenComparing(BackupInfo::label).reversed());
    List<String> skipped = new ArrayList<>();
    for (BackupInfo b : newestFirst) {
      Optional<String> why = unusable(b, leaderTimeline, history);
      if (why.isEmpty()) {
        return new Chosen(b, skipped);
      }
      skipped.add(b.label() + ": " + why.get());
    }
    if (skipped.isEmpty()) {
      return new NoneUsable("the stanza has no backup");
    }
    String named = String.join("; ", skipped.subList(0, Math.min(NAMED, skipped.size())));
    String more = skipped.size() > NAMED ? " (and " + (skipped.size() - NAMED) + " older)" : "";
    return new NoneUsable("no backup can reach the leader's timeline " + leaderTimeline + ": " + named + more);
  }

  /** Why {@code b} cannot build a standby of the leader, or empty when it can. */
  static Optional<String> unusable(BackupInfo b, int leaderTimeline, List<Switch> history) {
    OptionalInt tli = timelineOf(b);
    if (tli.isEmpty()) {
      return Optional.of("its timeline is unknown (pgBackRest recorded no archive start)");
    }
    int t = tli.getAsInt();
    if (t > leaderTimeline) {
      return Optional.of("it is on timeline " + t + ", later than the leader's " + leaderTimeline);
    }
    // Where timeline t begins and ends in the leader's history (its own timeline has no end yet).
    long begin = 0;
    Optional<Long> end = Optional.empty();
    boolean onHistory = t == leaderTimeline;
    for (Switch s : history) {
      if (s.timeline() == t) {
        onHistory = true;
        end = Optional.of(s.switchpoint());
        break;
      }
      begin = s.switchpoint();
    }
    if (!onHistory) {
      return Optional.of("its timeline " + t + " is not in the leader's history (another branch)");
    }
    OptionalLong stop = b.lsnStop().map(TimelineBackupChoice::lsn).orElse(OptionalLong.empty());
    if (stop.isEmpty()) {
      return t == leaderTimeline ? Optional.empty()
          : Optional.of("it is on the earlier timeline " + t + " and its stop LSN is unknown");
    }
    if (Long.compareUnsigned(stop.getAsLong(), begin) <= 0) {
      // Only a fork that reused the number can have a backup on t that ends before t began.
      return Optional.of("it is on a timeline " + t + " that became consistent at " + b.lsnStop().get()
          + ", before the leader's timeline " + t + " began at " + format(begin) + " (another fork)");
    }
    if (end.isPresent() && Long.compareUnsigned(stop.getAsLong(), end.get()) > 0) {
      return Optional.of("it is on timeline " + t + " and became consistent at " + b.lsnStop().get()
          + ", past the leader's branch from timeline " + t + " at " + format(end.get()));
    }
    return Optional.empty();
  }

  /** The timeline of a backup: the first eight hex digits of its first WAL file's name. */
  public static OptionalInt timelineOf(BackupInfo b) {
    if (b.archiveStart().isEmpty() || b.archiveStart().get().length() != 24) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseUnsignedInt(b.archiveStart().get().substring(0, 8), 16));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  /** Parses PostgreSQL's {@code X/Y} form; empty when it is not one. */
  public static OptionalLong lsn(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    if (slash <= 0 || slash == s.length() - 1 || slash > 8 || s.length() - slash - 1 > 8) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of((Long.parseLong(s.substring(0, slash), 16) << 32)
          | Long.parseLong(s.substring(slash + 1), 16));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  static String format(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase(java.util.Locale.ROOT) + "/"
        + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase(java.util.Locale.ROOT);
  }
}
