package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.api.DcsConfigException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * What a member's {@code raft.data_dir} holds of its group's Raft storage, read from the files before Ratis
 * touches them (Ratis' RECOVER silently formats an empty directory, which is how a wiped member used to come
 * back as a voter with an empty log).
 *
 * <p>Ratis' layout: {@code <data_dir>/<group uuid>/current/} holds {@code raft-meta} (term and vote, written when
 * the directory is formatted), {@code raft-meta.conf} (the last applied configuration) and the log segments
 * {@code log_<first>-<last>} / {@code log_inprogress_<first>}; {@code <group uuid>/sm/} holds the state
 * machine's snapshots.
 */
final class MemberStorage {
  /** What the group directory holds. */
  enum State {
    /** No group directory: a new member, or one whose directory was wiped. */
    ABSENT,
    /** A group directory Ratis never finished formatting (no {@code raft-meta}). */
    UNFORMATTED,
    /**
     * Formatted, but no log entry, snapshot or configuration ever reached it: the member never acknowledged
     * anything. Its term and vote ({@code raft-meta}) may still matter, so it is recovered, not replaced.
     */
    BLANK,
    /** A log, a snapshot or a recorded configuration: the member's Raft history. */
    HAS_LOG
  }

  private MemberStorage() {}

  static Path groupDir(Path dataDir, String groupUuid) {
    return dataDir.resolve(groupUuid);
  }

  static State inspect(Path dataDir, String groupUuid) {
    Path group = groupDir(dataDir, groupUuid);
    if (!Files.isDirectory(group)) {
      return State.ABSENT;
    }
    Path current = group.resolve("current");
    if (!Files.isRegularFile(current.resolve("raft-meta"))) {
      return State.UNFORMATTED;
    }
    if (Files.exists(current.resolve("raft-meta.conf")) || anyFile(current, "log_")
        || anyFile(group.resolve("sm"), "snapshot.")) {
      return State.HAS_LOG;
    }
    return State.BLANK;
  }

  private static boolean anyFile(Path dir, String prefix) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + "*")) {
      return files.iterator().hasNext();
    } catch (IOException e) {
      // Unreadable: count it as history, so that we never treat a member with a log as a blank one.
      return true;
    }
  }

  /**
   * Renames the group directory to {@code <uuid>.<why>-<time>} (never deletes: pgquorum only moves aside). Ratis
   * ignores directories whose name is not a UUID, and {@link DataDirMarker} ignores these names too.
   */
  static Path moveAside(Path dataDir, String groupUuid, String why) {
    Path group = groupDir(dataDir, groupUuid);
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
    Path target = dataDir.resolve(groupUuid + "." + why + "-" + stamp);
    try {
      Files.move(group, target);
    } catch (IOException e) {
      throw new DcsConfigException("raft.data_dir: cannot move " + group + " aside to " + target + ": "
          + e.getMessage(), e);
    }
    return target;
  }
}
