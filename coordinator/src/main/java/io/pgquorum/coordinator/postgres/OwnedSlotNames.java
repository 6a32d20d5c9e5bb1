package io.pgquorum.coordinator.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The names of the replication slots pgquorum made in a data directory, one per line in a file of its own there
 * ({@link SlotSync}'s physical ones, {@link LogicalSlotSync}'s logical ones): pgquorum drops only what it made, so a
 * slot an operator or a tool created under another name, or before pgquorum, is never touched. The file travels
 * with the data (a clone copies it, moving the data aside moves it).
 */
final class OwnedSlotNames {
  private static final Logger LOG = LoggerFactory.getLogger(OwnedSlotNames.class);
  private final Path file;

  OwnedSlotNames(Path file) {
    this.file = file;
  }

  /** The names recorded; none when the file does not exist yet. */
  Set<String> read() {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::trim)
          .filter(s -> !s.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
    } catch (NoSuchFileException e) {
      return new TreeSet<>();
    } catch (IOException e) {
      throw new PostgresException("reading " + file + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Records {@code owned}, replacing the file atomically. A failed write is logged, not thrown: the slots exist
   * either way, and the worst outcome is a slot pgquorum made that it will not drop by itself later.
   */
  void write(Set<String> owned) {
    try {
      FileWriting.writeAtomically(file, (String.join("\n", owned) + "\n").getBytes(StandardCharsets.UTF_8), false);
    } catch (IOException e) {
      LOG.warn("writing {} failed: {}", file, e.getMessage());
    }
  }
}
