package io.pgquorum.coordinator.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line of a PostgreSQL timeline history file ({@code pg_wal/0000000N.history}): timeline {@code timeline}
 * ended at WAL position {@code lsn} (bytes), where timeline {@code timeline + 1} began, for {@code reason}.
 * The file for timeline N lists every switch from timeline 1 up to N, oldest first.
 */
public record TimelineSwitch(int timeline, long lsn, String reason) {

  /** The switches recorded in {@code dataDir}'s history file for {@code timeline} (none for timeline 1). */
  static List<TimelineSwitch> read(Path dataDir, int timeline) {
    if (timeline <= 1) {
      return List.of();
    }
    Path file = dataDir.resolve("pg_wal").resolve(String.format(Locale.ROOT, "%08X.history", timeline));
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new PostgresException("timeline history: " + file + " does not exist (PostgreSQL writes it at every "
          + "promotion and never removes it)");
    } catch (IOException | RuntimeException e) {
      throw new PostgresException("timeline history: cannot read " + file + ": " + e.getMessage());
    }
    List<TimelineSwitch> out = parse(content);
    if (out.isEmpty() || out.get(out.size() - 1).timeline() != timeline - 1) {
      throw new PostgresException("timeline history: " + file + " does not end with the switch from timeline "
          + (timeline - 1));
    }
    return out;
  }

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
