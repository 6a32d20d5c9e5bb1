package io.pgquorum.coordinator.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The {@code postmaster.pid} lock file: how pgquorum finds (and re-adopts after its own restart) a postmaster it
 * did not start in this JVM. Lines: pid, data directory, start time (epoch seconds), port, socket directory,
 * listen address, shared memory key, status ({@code starting}, {@code ready}, {@code standby}, {@code stopping}).
 */
record PostmasterPid(long pid, Optional<Instant> startTime, Optional<String> status) {

  static Optional<PostmasterPid> read(Path dataDir) {
    List<String> lines;
    try {
      lines = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
    if (lines.isEmpty()) {
      return Optional.empty(); // being written right now
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    Optional<Instant> start = Optional.empty();
    if (lines.size() > 2) {
      try {
        start = Optional.of(Instant.ofEpochSecond(Long.parseLong(lines.get(2).trim())));
      } catch (NumberFormatException ignored) {
        // incomplete file: leave unknown
      }
    }
    Optional<String> status = lines.size() > 7 ? Optional.of(lines.get(7).trim()) : Optional.empty();
    return Optional.of(new PostmasterPid(pid, start, status));
  }

  /**
   * The pid is alive and is a PostgreSQL process. After a reboot or crash the file may be stale and its pid
   * reused by an unrelated process; the process name check catches that. A zombie counts as gone: a postmaster
   * orphaned by pg_ctl is reaped by init, which may take its time about it.
   */
  boolean alive() {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return false;
    }
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      return true; // no /proc: trust the pid
    }
    // "<pid> (<comm>) <state> ...": comm may contain spaces and parentheses, the state follows the last ')'.
    int open = stat.indexOf('(');
    int close = stat.lastIndexOf(')');
    if (open < 0 || close < open || close + 2 >= stat.length()) {
      return true;
    }
    String comm = stat.substring(open + 1, close);
    char state = stat.charAt(close + 2);
    return state != 'Z' && state != 'X' && (comm.startsWith("postgres") || comm.startsWith("postmaster"));
  }

  /** The live postmaster of {@code dataDir}, if any. */
  static Optional<PostmasterPid> running(Path dataDir) {
    return read(dataDir).filter(PostmasterPid::alive);
  }
}
