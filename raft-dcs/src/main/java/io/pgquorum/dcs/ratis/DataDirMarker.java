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
 */
final class DataDirMarker {
  static final String FILE = "pgquorum-dcs.properties";

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
        if (Files.isDirectory(entry) && !entry.getFileName().toString().equals(groupUuid)) {
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
    Path tmp = dataDir.resolve(FILE + ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        p.store(out, "pgquorum DCS member identity: do not copy this directory to another member");
      }
      // Atomic: a crash leaves either no marker (claimed again next start) or a complete one, never an empty one.
      Files.move(tmp, marker, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new DcsConfigException("raft.data_dir: cannot write " + marker + ": " + e.getMessage(), e);
    }
  }
}
