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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * The file {@code <data_dir>.timeline-epoch} next to the data directory (where the postmaster's startup log
 * {@code <data_dir>.postmaster.log} also lives): which forks of its timelines the data directory's line passes
 * through ({@link TimelineEpochLine}), as {@code system_identifier}, {@code timeline} and {@code epoch} (the newest
 * entry) and {@code earlier} (the older entries, {@code 2:39,3:61}, absent when there are none; docs/findings/
 * same-timeline-forks.md and sim-seed-74489957632632.md). A file written before {@code earlier} existed reads as a
 * one-entry line, and an older pgquorum reading a newer file sees its newest entry, as before.
 *
 * <p>Outside PGDATA on purpose: pg_basebackup and pg_rewind copy PGDATA, so a record inside it would travel to a copy
 * whose fork the copy's own source decides, and would survive a re-clone that must reset it.
 *
 * <p>A record only applies to data of the same system identifier, and only its entries up to the data's timeline
 * ({@link #lineFor}): a promotion that failed after its record was written names the next timeline, which the data
 * never reached. A missing, unreadable or damaged file is an unknown line, which every rule reads as "cannot judge".
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

  /**
   * The line the record gives data of {@code systemIdentifier} on {@code timeline}: its entries up to that timeline
   * (none when the system identifier differs or is unknown). Whether the entry for {@code timeline} itself is among
   * them says whether the current timeline's epoch is known.
   */
  public TimelineEpochLine lineFor(Optional<String> systemIdentifier, int timeline) throws PostgresException {
    Optional<Entry> e = read();
    if (e.isEmpty() || systemIdentifier.isEmpty() || !e.get().systemIdentifier().equals(systemIdentifier.get())) {
      return TimelineEpochLine.NONE;
    }
    return e.get().line().upTo(timeline);
  }

  /** The epoch the record gives data of {@code systemIdentifier} on {@code timeline}; empty when it gives none. */
  public OptionalLong epochFor(Optional<String> systemIdentifier, int timeline) throws PostgresException {
    return lineFor(systemIdentifier, timeline).epochOf(timeline);
  }

  /**
   * As {@link #lineFor}, for the probe: a damaged or unreadable record is handed to {@code onDamage} (its message
   * names the file and the field) and counts as unknown; it never fails the probe.
   */
  public TimelineEpochLine knownLine(Optional<String> systemIdentifier, int timeline,
      java.util.function.Consumer<String> onDamage) {
    try {
      return lineFor(systemIdentifier, timeline);
    } catch (PostgresException e) {
      onDamage.accept(e.getMessage());
      return TimelineEpochLine.NONE;
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
    List<TimelineEpoch> line = earlier(p.getProperty("earlier", ""), timeline);
    line.add(new TimelineEpoch(timeline, epoch));
    return Optional.of(new Entry(sysid, new TimelineEpochLine(line)));
  }

  /** The {@code earlier} field: {@code t:e} pairs, comma-separated, timelines ascending and below {@code newest}. */
  private List<TimelineEpoch> earlier(String value, int newest) {
    List<TimelineEpoch> out = new ArrayList<>();
    if (value.isBlank()) {
      return out;
    }
    int last = 0;
    for (String pair : value.trim().split(",", -1)) {
      String[] te = pair.trim().split(":", -1);
      int t;
      long e;
      try {
        if (te.length != 2) {
          throw new NumberFormatException();
        }
        t = Integer.parseInt(te[0].trim());
        e = Long.parseLong(te[1].trim());
      } catch (NumberFormatException ex) {
        throw bad("earlier", value.trim());
      }
      if (t <= last || t >= newest) {
        throw bad("earlier", value.trim());
      }
      last = t;
      out.add(new TimelineEpoch(t, e));
    }
    return out;
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

  /** Writes the one-entry line {@code epoch}: see {@link #write(String, TimelineEpochLine)}. */
  public void write(String systemIdentifier, TimelineEpoch epoch) throws PostgresException {
    write(systemIdentifier, TimelineEpochLine.of(epoch));
  }

  /**
   * Writes {@code line} (not empty) for data of {@code systemIdentifier}, replacing the file atomically. Ordering:
   * the new content is written to a temporary file and fsynced before the rename, and the directory is fsynced after
   * it, so a crash at any point leaves either the old record or the new one, whole (a torn record would read as
   * damaged, i.e. unknown, which is safe but loses what we knew).
   */
  public void write(String systemIdentifier, TimelineEpochLine line) throws PostgresException {
    TimelineEpoch epoch = line.newest().orElseThrow(() -> new IllegalArgumentException("an empty line"));
    TimelineEpochLine earlier = line.before(epoch.timeline());
    String text = "# pgquorum: the forks of the data directory's timelines (docs/findings/same-timeline-forks.md)\n"
        + "system_identifier=" + systemIdentifier + "\ntimeline=" + epoch.timeline() + "\nepoch=" + epoch.epoch()
        + "\n" + (earlier.isEmpty() ? "" : "earlier=" + earlier + "\n");
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

  /** One record: the data's system identifier and the epochs of its line (not empty). */
  public record Entry(String systemIdentifier, TimelineEpochLine line) {}
}
