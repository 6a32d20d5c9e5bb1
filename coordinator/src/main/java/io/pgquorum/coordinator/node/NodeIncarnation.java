package io.pgquorum.coordinator.node;

import io.pgquorum.coordinator.cluster.LeaseOwner;
import io.pgquorum.coordinator.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This daemon's start on this node: the owner of every lease it writes ({@link LeaseOwner}), and the proof that
 * every earlier start on this node is dead.
 *
 * <p>Two files in {@code raft.data_dir}, both created by pgquorum:
 * <ul>
 *   <li>{@value #RECORD}: {@code node_id} (random, made once; tells this node from another daemon that was given
 *       the same {@code name}) and {@code incarnation} (incremented, and durably written, at every start before the
 *       daemon writes anything to the DCS);
 *   <li>{@value #LOCK}: an exclusive OS lock ({@link FileChannel#tryLock()}, a POSIX record lock on Linux) held for
 *       as long as the daemon runs. The kernel drops it when the process dies in any way (kill -9 included), and
 *       child processes (the watchdog, PostgreSQL) never hold it: POSIX locks are per process and not inherited.
 * </ul>
 *
 * <p>Why this proves an earlier start dead: every start took this lock before it wrote anything with its owner
 * id, and held it until it died. Holding the lock now therefore means no other process with this node id runs,
 * so leases owned by an earlier incarnation of this node id have no live owner and may be taken over (which keeps
 * the fast re-adoption of a still-running PostgreSQL after a daemon crash). A daemon with the same name elsewhere
 * has another node id, so its leases are never ours. Assumptions: {@code raft.data_dir} is on a local file
 * system (POSIX locks over NFS are not reliable) and is never copied to another machine (the DCS member marker in
 * the same directory already forbids that).
 */
public final class NodeIncarnation implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeIncarnation.class);
  static final String RECORD = "pgquorum-node.properties";
  static final String LOCK = "pgquorum-node.lock";

  /**
   * Directories whose lock this JVM holds. Checked before the lock file is even opened: closing any descriptor
   * of a file drops all of this process's POSIX locks on it, so a second embedded node must not open it at all.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;
  private final LeaseOwner owner;

  private NodeIncarnation(Path dir, FileChannel channel, FileLock lock, LeaseOwner owner) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
    this.owner = owner;
  }

  /**
   * Takes this node's lock in {@code dir} and records a new incarnation.
   *
   * @throws ConfigException naming {@code raft.data_dir} when another running daemon holds the lock, or the files
   *     cannot be written
   */
  public static NodeIncarnation claim(Path dir, String name) {
    Path real;
    try {
      Files.createDirectories(dir);
      real = dir.toRealPath();
    } catch (IOException e) {
      throw new ConfigException("raft.data_dir", "'" + dir + "' cannot be created: " + e.getMessage());
    }
    if (!HELD.add(real)) {
      throw new ConfigException("raft.data_dir", "'" + dir + "' is in use by another pgquorum node in this "
          + "process; one node per raft.data_dir");
    }
    FileChannel channel = null;
    try {
      Path lockFile = real.resolve(LOCK);
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        // No lock of ours on this file exists in this process (HELD), so reading it through another descriptor
        // cannot drop one.
        String holder = holderOf(lockFile);
        throw new ConfigException("raft.data_dir", "'" + dir + "' is in use by another running pgquorum daemon"
            + holder + "; one daemon per node: stop it first, or give this node its own raft.data_dir");
      }
      // For the message above only (who holds it); the lock itself is what counts.
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
      LeaseOwner owner = nextIncarnation(real, name);
      return new NodeIncarnation(real, channel, lock, owner);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      HELD.remove(real);
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new ConfigException("raft.data_dir", "cannot record this node's incarnation in '" + dir + "': "
          + e.getMessage());
    }
  }

  private static LeaseOwner nextIncarnation(Path dir, String name) throws IOException {
    Path record = dir.resolve(RECORD);
    String nodeId = null;
    long last = 0;
    if (Files.exists(record)) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(record)) {
        p.load(in);
      }
      String id = p.getProperty("node_id", "");
      String n = p.getProperty("incarnation", "");
      if (id.matches("[0-9a-f]{16}") && n.matches("[0-9]{1,18}")) {
        nodeId = id;
        last = Long.parseLong(n);
      } else {
        // Never deleted, only moved aside; a new node id just means this start cannot adopt the leases of
        // earlier ones (they expire on their own): safe, only slower.
        Path aside = dir.resolve(RECORD + ".unreadable-" + Instant.now().toEpochMilli());
        Files.move(record, aside);
        log.warn("{} was unreadable (node_id '{}', incarnation '{}'); moved it to {} and made a new node id",
            record, id, n, aside.getFileName());
      }
    }
    if (nodeId == null) {
      byte[] random = new byte[8];
      new SecureRandom().nextBytes(random);
      nodeId = HexFormat.of().formatHex(random);
    }
    LeaseOwner owner = new LeaseOwner(name, nodeId, last + 1);
    Properties p = new Properties();
    p.setProperty("node_id", nodeId);
    p.setProperty("incarnation", Long.toString(owner.incarnation()));
    p.setProperty("name", name);
    Path tmp = dir.resolve(RECORD + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      p.store(out, "pgquorum node identity: the owner of this node's DCS leases. Do not copy to another node.");
    }
    try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      c.force(true);
    }
    // Atomic: a crash leaves the old record or the new one, never a torn one. Reusing a number after a lost
    // write is harmless: the earlier start with that number is dead (we hold the lock).
    Files.move(tmp, record, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return owner;
  }

  private static String holderOf(Path lockFile) {
    try {
      String pid = Files.readString(lockFile, StandardCharsets.US_ASCII).trim();
      return pid.matches("[0-9]+") ? " (pid " + pid + ")" : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing left to release
      }
    }
  }

  /** The owner of this daemon's leases. */
  public LeaseOwner owner() {
    return owner;
  }

  /** The DCS owner id of this daemon's leases. */
  public String ownerId() {
    return owner.id();
  }

  /** True for an owner id of an earlier, dead, start of this node: its leases may be taken over. */
  public boolean isEarlierIncarnation(String ownerId) {
    return lock.isValid() && owner.isEarlierIncarnationOfThisNode(ownerId);
  }

  /** Releases the node lock (the next start on this node may then adopt what this one leaves behind). */
  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      log.debug("releasing the node lock: {}", e.toString());
    }
    closeQuietly(channel);
    HELD.remove(dir);
  }
}
