package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.api.DcsConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Records which group and member a data dir belongs to, so that a member pointed at another member's (or
 * another cluster's) Raft log refuses to start instead of silently impersonating it: two members sharing one
 * identity would break Raft's voting guarantees.
 *
 * <p>It also records how far this directory got in a member's start-up ({@link Phase}), which lets a member
 * whose start was interrupted between registering and running tell that apart from a member that lost its log.
 */
final class DataDirMarker {
  static final String FILE = "pgquorum-dcs.properties";
  private static final String PHASE = "phase";

  /**
   * How far this directory got. Each phase is written (durably) before the step it allows, so a crash can only
   * leave an earlier phase behind than the truth, which makes the next start more careful, never less.
   */
  enum Phase {
    /** Created with no Raft storage; nothing decided yet. */
    NEW,
    /**
     * This directory's member was checked (it was not registered as having run before) or registered itself
     * through the group, and no Raft division has run from this directory yet.
     */
    CLEARED,
    /** A Raft division may have run from this directory (also assumed for markers older than phases). */
    VOTER
  }

  private DataDirMarker() {}

  /** Creates the dir and marker on first use; on later starts checks that the marker matches. */
  static void claim(Path dataDir, String groupName, String memberId, String groupUuid) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new DcsConfigException("raft.data_dir = '" + dataDir + "' cannot be created: " + e.getMessage(), e);
    }
    if (!Files.isWritable(dataDir)) {
      throw new DcsConfigException("raft.data_dir = '" + dataDir + "' is not writable by this user");
    }
    Path marker = dataDir.resolve(FILE);
    if (Files.exists(marker)) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(marker)) {
        p.load(in);
      } catch (IOException e) {
        throw new DcsConfigException("raft.data_dir: cannot read " + marker + ": " + e.getMessage(), e);
      }
      String group = p.getProperty("group");
      String member = p.getProperty("member");
      if (!groupName.equals(group) || !memberId.equals(member)) {
        throw new DcsConfigException("raft.data_dir = '" + dataDir + "' belongs to member '" + member
            + "' of group '" + group + "', not to member '" + memberId + "' of group '" + groupName
            + "'; point raft.data_dir at this member's own directory (or an empty one to join anew)");
      }
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dataDir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        // <uuid>.<why>-<time>: this group's storage, moved aside by MemberStorage
        if (Files.isDirectory(entry) && !name.equals(groupUuid) && !name.startsWith(groupUuid + ".")) {
          throw new DcsConfigException("raft.data_dir = '" + dataDir + "' already holds Raft storage '"
              + entry.getFileName() + "' of another group; use an empty directory");
        }
      }
    } catch (IOException e) {
      throw new DcsConfigException("raft.data_dir = '" + dataDir + "' cannot be listed: " + e.getMessage(), e);
    }
    Properties p = new Properties();
    p.setProperty("group", groupName);
    p.setProperty("member", memberId);
    p.setProperty(PHASE, Phase.NEW.name().toLowerCase(java.util.Locale.ROOT));
    write(dataDir, p);
  }

  /** The recorded phase; {@link Phase#VOTER} for a marker written before phases existed, or an unknown one. */
  static Phase phase(Path dataDir) {
    Properties p = read(dataDir);
    String v = p.getProperty(PHASE);
    if (v == null) {
      return Phase.VOTER;
    }
    try {
      return Phase.valueOf(v.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return Phase.VOTER;
    }
  }

  /** Records {@code phase} durably (file and directory fsynced) before the caller takes the step it allows. */
  static void setPhase(Path dataDir, Phase phase) {
    Properties p = read(dataDir);
    if (phase.name().equalsIgnoreCase(p.getProperty(PHASE, ""))) {
      return;
    }
    p.setProperty(PHASE, phase.name().toLowerCase(java.util.Locale.ROOT));
    write(dataDir, p);
  }

  private static Properties read(Path dataDir) {
    Path marker = dataDir.resolve(FILE);
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(marker)) {
      p.load(in);
    } catch (IOException e) {
      throw new DcsConfigException("raft.data_dir: cannot read " + marker + ": " + e.getMessage(), e);
    }
    return p;
  }

  private static void write(Path dataDir, Properties p) {
    Path marker = dataDir.resolve(FILE);
    Path tmp = dataDir.resolve(FILE + ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        p.store(out, "pgquorum DCS member identity: do not copy this directory to another member");
      }
      try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(tmp,
          java.nio.file.StandardOpenOption.WRITE)) {
        f.force(true);
      }
      // Atomic: a crash leaves either the previous marker (or none) or the complete new one, never a torn one.
      Files.move(tmp, marker, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      try (java.nio.channels.FileChannel dir = java.nio.channels.FileChannel.open(dataDir,
          java.nio.file.StandardOpenOption.READ)) {
        dir.force(true);
      }
    } catch (IOException e) {
      throw new DcsConfigException("raft.data_dir: cannot write " + marker + ": " + e.getMessage(), e);
    }
  }
}
