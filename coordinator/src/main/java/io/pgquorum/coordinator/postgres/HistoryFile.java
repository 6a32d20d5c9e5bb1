package io.pgquorum.coordinator.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads a timeline history file from a data directory. Apart from {@link TimelineSwitch} so that the value, which the
 * pure decision reads through {@link PgState}, reaches no file type.
 */
final class HistoryFile {
  private HistoryFile() {}

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
    List<TimelineSwitch> out = TimelineSwitch.parse(content);
    if (out.isEmpty() || out.get(out.size() - 1).timeline() != timeline - 1) {
      throw new PostgresException("timeline history: " + file + " does not end with the switch from timeline "
          + (timeline - 1));
    }
    return out;
  }

  /** The newest timeline {@code dataDir}'s pg_wal holds a history file for (0 for none). */
  static int newestIn(Path dataDir) {
    int newest = 0;
    try (java.util.stream.Stream<Path> files = Files.list(dataDir.resolve("pg_wal"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String n = f.getFileName().toString();
        if (n.matches("[0-9A-F]{8}\\.history")) {
          newest = Math.max(newest, Integer.parseInt(n.substring(0, 8), 16));
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new PostgresException("timeline history: cannot list " + dataDir.resolve("pg_wal") + ": " + e.getMessage());
    }
    return newest;
  }
}
