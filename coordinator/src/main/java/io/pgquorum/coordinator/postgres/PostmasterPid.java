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

  /**
   * Whether the postmaster's own status line says it accepts connections: {@code ready} (a primary) or
   * {@code standby} (a hot standby open for reads). {@code starting} (start-up, crash recovery, a standby before
   * it is consistent) and {@code stopping} do not, nor does a file without a status line yet.
   */
  boolean acceptsConnections() {
    return status.map(s -> s.equals("ready") || s.equals("standby")).orElse(false);
  }

  /**
   * What the data directory tells about its postmaster, in three answers. The third matters for safety: a pid
   * file that exists but cannot be read (permissions, I/O error, half written, garbage) says nothing about
   * whether a primary is running, so it must never read as "stopped" (which would let a start slip in next to
   * a live server, or disarm a fence).
   */
  sealed interface Liveness permits Stopped, Alive, Unknown {}

  /** No pid file, or one whose pid is gone or is no PostgreSQL process (a stale file after a crash). */
  record Stopped() implements Liveness {}

  /** A live PostgreSQL process owns the pid file. */
  record Alive(PostmasterPid postmaster) implements Liveness {}

  /** The pid file exists but says nothing usable; {@code reason} explains why. */
  record Unknown(String reason) implements Liveness {}

  /** The postmaster's liveness for {@code dataDir}. Never throws. */
  static Liveness liveness(Path dataDir) {
    Path file = dataDir.resolve("postmaster.pid");
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new Stopped();
    } catch (IOException | RuntimeException e) {
      // MalformedInput and the like are RuntimeExceptions here: still "cannot tell", never "stopped".
      return new Unknown("cannot read " + file + ": " + e.getMessage());
    }
    Optional<PostmasterPid> pm = parse(lines);
    if (pm.isEmpty()) {
      // The postmaster writes the file in steps at start-up; an empty or garbled first line may be one being
      // written right now, by a live server.
      return new Unknown(file + " has no valid pid on its first line");
    }
    return pm.get().alive() ? new Alive(pm.get()) : new Stopped();
  }

  /** The pid file's contents, when present and parsable (whether or not that pid is alive). */
  static Optional<PostmasterPid> read(Path dataDir) {
    List<String> lines;
    try {
      lines = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return parse(lines);
  }

  private static Optional<PostmasterPid> parse(List<String> lines) {
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (pid <= 0) {
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

  /**
   * Whether {@code pid} is stopped (SIGSTOP, a debugger): such a postmaster accepts no new connection, while its
   * existing backends may still answer. False when it cannot be read (not Linux, the process just ended).
   */
  static boolean stopped(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
      int close = stat.lastIndexOf(')');
      if (close <= 0 || close + 2 >= stat.length()) {
        return false;
      }
      char state = stat.charAt(close + 2);
      return state == 'T' || state == 't';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Whether {@code pid} is a zombie: dead, its exit status not yet collected by its parent (init, for a postmaster).
   */
  static boolean zombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
      int close = stat.lastIndexOf(')');
      return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * The live postmaster of {@code dataDir}, if any.
   *
   * @throws PostgresException when that cannot be told ({@link Unknown}): callers that would start, clone into
   *     or move the directory must not go on as if nothing ran
   */
  static Optional<PostmasterPid> running(Path dataDir) {
    Liveness l = liveness(dataDir);
    if (l instanceof Unknown u) {
      throw new PostgresException("cannot tell whether PostgreSQL is running: " + u.reason());
    }
    return l instanceof Alive a ? Optional.of(a.postmaster()) : Optional.empty();
  }
}
