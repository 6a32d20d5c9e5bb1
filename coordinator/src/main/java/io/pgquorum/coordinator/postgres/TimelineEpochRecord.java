package io.pgquorum.coordinator.postgres;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * The file {@code <data_dir>.timeline-epoch} next to the data directory (where the postmaster's startup log
 * {@code <data_dir>.postmaster.log} also lives): which fork of its current timeline the data directory holds, as
 * {@code system_identifier}, {@code timeline} and {@code epoch} (docs/findings/same-timeline-forks.md).
 *
 * <p>Outside PGDATA on purpose: pg_basebackup and pg_rewind copy PGDATA, so a record inside it would travel to a copy
 * whose fork the copy's own source decides, and would survive a re-clone that must reset it.
 *
 * <p>A record only applies to data of the same system identifier on the same timeline ({@link #epochFor}): a
 * promotion that failed after its record was written (it names the next timeline), a data directory replaced by
 * hand, or a copy that landed on another timeline than its source published all leave a record that says nothing.
 * A missing, unreadable or damaged file is an unknown epoch, which every rule reads as "cannot judge".
 */
public final class TimelineEpochRecord {
  /** How the file's name ends, after the data directory's name. */
  public static final String SUFFIX = ".timeline-epoch";

  private final Path file;

  public TimelineEpochRecord(Path file) {
    this.file = file;
  }

  /** The record of {@code dataDir} (an absolute, normalised path). */
  public static TimelineEpochRecord of(Path dataDir) {
    return new TimelineEpochRecord(dataDir.resolveSibling(dataDir.getFileName() + SUFFIX));
  }

  public Path file() {
    return file;
  }

  /** The epoch the record gives data of {@code systemIdentifier} on {@code timeline}; empty when it gives none. */
  public OptionalLong epochFor(Optional<String> systemIdentifier, int timeline) throws PostgresException {
    Optional<Entry> e = read();
    if (e.isEmpty() || systemIdentifier.isEmpty() || !e.get().systemIdentifier().equals(systemIdentifier.get())
        || e.get().timeline() != timeline) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(e.get().epochValue());
  }

  /**
   * As {@link #epochFor}, for the probe: a damaged or unreadable record is handed to {@code onDamage} (its message
   * names the file and the field) and counts as unknown; it never fails the probe.
   */
  public OptionalLong knownEpoch(Optional<String> systemIdentifier, int timeline,
      java.util.function.Consumer<String> onDamage) {
    try {
      return epochFor(systemIdentifier, timeline);
    } catch (PostgresException e) {
      onDamage.accept(e.getMessage());
      return OptionalLong.empty();
    }
  }

  /** What the file says, empty when there is none; a damaged file throws, naming the file and the field. */
  public Optional<Entry> read() throws PostgresException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new PostgresException("cannot read the timeline epoch record " + file + ": " + e.getMessage(), e);
    }
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      throw new PostgresException("the timeline epoch record " + file + " is damaged: " + e.getMessage(), e);
    }
    String sysid = field(p, "system_identifier");
    if (!sysid.matches("[0-9]+")) {
      throw bad("system_identifier", sysid);
    }
    int timeline;
    long epoch;
    try {
      timeline = Integer.parseInt(field(p, "timeline"));
    } catch (NumberFormatException e) {
      throw bad("timeline", p.getProperty("timeline"));
    }
    try {
      epoch = Long.parseLong(field(p, "epoch"));
    } catch (NumberFormatException e) {
      throw bad("epoch", p.getProperty("epoch"));
    }
    if (timeline < 1) {
      throw bad("timeline", Integer.toString(timeline));
    }
    return Optional.of(new Entry(sysid, new TimelineEpoch(timeline, epoch)));
  }

  private String field(Properties p, String name) {
    String v = p.getProperty(name);
    if (v == null || v.isBlank()) {
      throw new PostgresException("the timeline epoch record " + file + " lacks the field " + name);
    }
    return v.trim();
  }

  private PostgresException bad(String field, String value) {
    return new PostgresException("the timeline epoch record " + file + " has an invalid " + field + ": '" + value
        + "'");
  }

  /**
   * Writes {@code epoch} for data of {@code systemIdentifier}, replacing the file atomically. Ordering: the new
   * content is written to a temporary file and fsynced before the rename, and the directory is fsynced after it,
   * so a crash at any point leaves either the old record or the new one, whole (a torn record would read as
   * damaged, i.e. unknown, which is safe but loses what we knew).
   */
  public void write(String systemIdentifier, TimelineEpoch epoch) throws PostgresException {
    String text = "# pgquorum: the fork of the data directory's timeline (docs/findings/same-timeline-forks.md)\n"
        + "system_identifier=" + systemIdentifier + "\ntimeline=" + epoch.timeline() + "\nepoch=" + epoch.epoch()
        + "\n";
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        ch.force(true); // the content is on disk before the name points at it
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(); // the rename itself survives a crash
    } catch (IOException e) {
      throw new PostgresException("cannot write the timeline epoch record " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Forgets the record (the data directory's epoch becomes unknown): a copy whose source's epoch is unknown must not
   * keep an earlier record. The file is pgquorum's own, so removing it deletes nothing of the user's.
   */
  public void forget() throws PostgresException {
    try {
      Files.deleteIfExists(file);
      syncDirectory();
    } catch (IOException e) {
      throw new PostgresException("cannot remove the timeline epoch record " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Moves the record along with a data directory moved aside to {@code movedDataDir} ({@code <moved>}{@value
   * #SUFFIX}), so it keeps describing that data and no longer applies to the next data directory.
   */
  public void moveWith(Path movedDataDir) throws PostgresException {
    if (!Files.exists(file)) {
      return;
    }
    Path target = of(movedDataDir).file();
    try {
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
      syncDirectory();
    } catch (IOException e) {
      throw new PostgresException("cannot move the timeline epoch record " + file + " to " + target + ": "
          + e.getMessage(), e);
    }
  }

  private void syncDirectory() throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open or sync a directory; the rename is then as durable as they make it.
    }
  }

  /** One record: the data's system identifier and the epoch of its timeline. */
  public record Entry(String systemIdentifier, TimelineEpoch epoch) {
    public int timeline() {
      return epoch.timeline();
    }

    public long epochValue() {
      return epoch.epoch();
    }
  }
}
