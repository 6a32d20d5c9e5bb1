package io.pgquorum.coordinator.postgres;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of a PostgreSQL timeline history file ({@code pg_wal/0000000N.history}): timeline {@code timeline}
 * ended at WAL position {@code lsn} (bytes), where timeline {@code timeline + 1} began, for {@code reason}.
 * The file for timeline N lists every switch from timeline 1 up to N, oldest first. A value: the decision reads it
 * ({@link PgState#timelineHistory()}); {@link HistoryFile} reads the file.
 */
public record TimelineSwitch(int timeline, long lsn, String reason) {

  /** Parses lines of {@code <tli>\t<X/Y>\t<reason>}; comments, blank and malformed lines are skipped. */
  static List<TimelineSwitch> parse(String content) {
    List<TimelineSwitch> out = new ArrayList<>();
    for (String line : content.split("\n")) {
      String t = line.trim();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String[] f = t.split("\\s+", 3);
      if (f.length < 2) {
        continue;
      }
      try {
        out.add(new TimelineSwitch(Integer.parseInt(f[0]), Lsn.parse(f[1]), f.length > 2 ? f[2].trim() : ""));
      } catch (IllegalArgumentException ignored) {
        // not a history line
      }
    }
    return out;
  }
}
