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
  /** What {@link #read} found (or {@link #write} wrote) last: an unchanged set is not written again. */
  private Set<String> recorded;

  /** For one sync or copy: read, change the set returned, write (use a new one next time). */
  OwnedSlotNames(Path file) {
    this.file = file;
  }

  /** The names recorded; none when the file does not exist yet. A copy the caller may change. */
  Set<String> read() {
    try {
      recorded = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::trim)
          .filter(s -> !s.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
    } catch (NoSuchFileException e) {
      recorded = new TreeSet<>();
    } catch (IOException e) {
      throw new PostgresException("reading " + file + " failed: " + e.getMessage(), e);
    }
    return new TreeSet<>(recorded);
  }

  /**
   * Records {@code owned}, replacing the file atomically, unless it is what was read: the slot syncs run every
   * cycle, and an unchanged set needs no write and fsync each time. A failed write is logged, not thrown: the slots
   * exist either way, and the worst outcome is a slot pgquorum made that it will not drop by itself later.
   */
  void write(Set<String> owned) {
    if (owned.equals(recorded)) {
      return;
    }
    recorded = new TreeSet<>(owned);
    try {
      FileWriting.writeAtomically(file, (String.join("\n", owned) + "\n").getBytes(StandardCharsets.UTF_8), false);
    } catch (IOException e) {
      LOG.warn("writing {} failed: {}", file, e.getMessage());
    }
  }
}
