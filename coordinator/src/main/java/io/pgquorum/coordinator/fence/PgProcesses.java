package io.pgquorum.coordinator.fence;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the live processes of one data directory's PostgreSQL by reading {@code /proc}, without forking (a fence
 * must still work when fork fails under memory or file-descriptor pressure).
 *
 * <p>Which processes: every process whose executable name ({@code comm}) is PostgreSQL's and whose current
 * directory is the data directory. Why the directory and not the process group: {@code pg_ctl start} does start
 * the postmaster in its own session (pgid = sid = postmaster pid), but every child the postmaster forks calls
 * {@code setsid()} itself (PostgreSQL's {@code InitPostmasterChild}), so each backend leads its own process group
 * and a group kill of the postmaster's pgid reaches the postmaster alone. The postmaster {@code chdir}s to the data
 * directory before it writes {@code postmaster.pid}, and every child inherits that: the directory finds the
 * postmaster, its backends, and backends orphaned by a killed postmaster (re-parented to init), and it works when
 * {@code postmaster.pid} is unreadable or garbled. (Verified on PostgreSQL 15: pid/pgid/sid of each child are
 * equal, and each child's cwd is the data directory.)
 *
 * <p>What is never touched: processes of another name (a shell or {@code psql} whose cwd is the data directory,
 * {@code archive_command} children), processes of another data directory, zombies (already dead: only an exit
 * status is left, which init reaps), and processes whose cwd cannot be read (another user's: PostgreSQL runs as the
 * data directory's owner, which is this process's user, so those cannot be this data directory's server).
 *
 * <p>A postmaster between its {@code exec} and its {@code chdir} (the first milliseconds of {@code pg_ctl start})
 * is not visible yet: {@link PrimaryGate} serialises starts with fences in the daemon, and the watchdog keeps
 * watching after it fenced (see {@link WatchdogState}).
 */
final class PgProcesses {
  private static final Path PROC = Path.of("/proc");

  /** One process of the data directory: {@code handle} carries its start time, so a kill never hits a reused pid. */
  record Member(long pid, long ppid, ProcessHandle handle) {}

  /**
   * What one scan found: the members, roots first (processes whose parent is not a member: the postmaster, or
   * orphaned backends), so that the postmaster is killed before its children and cannot start a crash restart.
   */
  record Scan(List<Member> members) {
    boolean empty() {
      return members.isEmpty();
    }

    String pids() {
      StringBuilder sb = new StringBuilder();
      for (Member m : members) {
        sb.append(sb.length() == 0 ? "" : ",").append(m.pid());
      }
      return sb.toString();
    }
  }

  private final Path dataDir;

  PgProcesses(Path dataDir) {
    this.dataDir = dataDir.toAbsolutePath().normalize();
  }

  Path dataDir() {
    return dataDir;
  }

  /**
   * The data directory's live PostgreSQL processes now.
   *
   * @throws IOException when {@code /proc} cannot be listed at all (then nothing can be verified)
   */
  Scan scan() throws IOException {
    Object dirKey = fileKey(dataDir).orElse(null);
    List<Member> found = new ArrayList<>();
    // java.io and a reused buffer on purpose: this runs in the interpreted watchdog JVM, where NIO's per-file
    // object churn made a scan of ~150 processes take 15-25 ms.
    String[] names = new File("/proc").list();
    if (names == null) {
      throw new IOException("cannot list /proc");
    }
    byte[] buf = new byte[512];
    for (String name : names) {
      if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
        continue;
      }
      long pid;
      try {
        pid = Long.parseLong(name);
      } catch (NumberFormatException e) {
        continue;
      }
      member(pid, name, buf, dirKey).ifPresent(found::add);
    }
    Set<Long> pids = new HashSet<>();
    for (Member m : found) {
      pids.add(m.pid());
    }
    List<Member> ordered = new ArrayList<>();
    for (Member m : found) {
      if (!pids.contains(m.ppid())) {
        ordered.add(m);
      }
    }
    for (Member m : found) {
      if (pids.contains(m.ppid())) {
        ordered.add(m);
      }
    }
    return new Scan(List.copyOf(ordered));
  }

  /** The process {@code pid} if it is a live PostgreSQL process of this data directory. */
  private Optional<Member> member(long pid, String name, byte[] buf, Object dirKey) {
    int n;
    try (FileInputStream in = new FileInputStream("/proc/" + name + "/stat")) {
      n = in.read(buf);
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // gone meanwhile
    }
    if (n <= 0) {
      return Optional.empty();
    }
    // "<pid> (<comm>) <state> <ppid> <pgrp> ...": comm may hold spaces and ')', so split at the last ')'.
    // comm is at most 15 bytes, so the fields needed here are within the first 512 bytes.
    String stat = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    int open = stat.indexOf('(');
    int close = stat.lastIndexOf(')');
    if (open < 0 || close < open || close + 2 >= stat.length()) {
      return Optional.empty();
    }
    String comm = stat.substring(open + 1, close);
    if (!isPostgresName(comm)) {
      return Optional.empty();
    }
    String[] rest = stat.substring(close + 2).split(" ", 3);
    if (rest.length < 2) {
      return Optional.empty();
    }
    char state = rest[0].isEmpty() ? '?' : rest[0].charAt(0);
    if (state == 'Z' || state == 'X') {
      return Optional.empty();
    }
    long ppid;
    try {
      ppid = Long.parseLong(rest[1]);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (!inDataDir(pid, dirKey)) {
      return Optional.empty();
    }
    // Taken after the checks: the handle records the start time of the process just examined (a pid reused in
    // between would have a different start time, and ProcessHandle refuses to signal it).
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    return h.filter(ProcessHandle::isAlive).map(handle -> new Member(pid, ppid, handle));
  }

  /**
   * Whether process {@code pid} has exited: no longer in /proc, or a zombie (only its exit status is left, which
   * its parent or init reaps). A process that is still being torn down after SIGKILL is not exited yet.
   */
  static boolean exited(long pid) {
    try {
      String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
      int close = stat.lastIndexOf(')');
      char state = close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
      return state == 'Z' || state == 'X';
    } catch (NoSuchFileException e) {
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** PostgreSQL's processes are named after its binary; {@code postmaster} is the old name of the same binary. */
  static boolean isPostgresName(String comm) {
    return comm.equals("postgres") || comm.equals("postmaster");
  }

  private boolean inDataDir(long pid, Object dirKey) {
    Path cwd = PROC.resolve(Long.toString(pid)).resolve("cwd");
    if (dirKey != null) {
      // Same directory by device and inode (through the magic link): immune to symlinks and renamed parents.
      Optional<Object> key = fileKey(cwd);
      if (key.isPresent()) {
        return key.get().equals(dirKey);
      }
      return false;
    }
    // The data directory's path no longer resolves (moved away while PostgreSQL runs): compare the link text.
    try {
      String target = Files.readSymbolicLink(cwd).toString();
      return target.equals(dataDir.toString()) || target.equals(dataDir + " (deleted)");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static Optional<Object> fileKey(Path p) {
    try {
      return Optional.ofNullable(Files.readAttributes(p, BasicFileAttributes.class).fileKey());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
