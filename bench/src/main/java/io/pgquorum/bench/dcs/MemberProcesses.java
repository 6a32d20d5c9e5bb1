package io.pgquorum.bench.dcs;

import io.pgquorum.testkit.proc.Daemon;
import io.pgquorum.testkit.proc.Launch;
import io.pgquorum.testkit.proc.LogFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The member processes of one benchmark cluster, each a testkit {@link Daemon}: started with their output in a log
 * file each, and stopped by PID (SIGTERM to all, then SIGKILL to those still there after a grace period) with a
 * check that none is left.
 */
final class MemberProcesses implements AutoCloseable {
  private static final Duration GRACE = Duration.ofSeconds(5);

  private final String what;
  private final List<Daemon> members = new ArrayList<>();

  MemberProcesses(String what) {
    this.what = what;
  }

  /** Starts one member; its standard output and error go to {@code log}. */
  synchronized Process start(List<String> command, Path log) {
    Daemon d = new Daemon(what + " member " + (members.size() + 1), log);
    members.add(d);
    return d.launch(Launch.of(command));
  }

  synchronized List<Long> pids() {
    return members.stream().map(Daemon::pid).toList();
  }

  /** Throws if a member exited, with the end of its log (a member that died at start says why there). */
  synchronized void checkAlive() {
    for (Daemon d : members) {
      if (!d.alive()) {
        throw new IllegalStateException(d.what() + " (pid " + d.pid() + ") exited with status "
            + d.process().exitValue() + "; end of " + d.log() + ":\n" + tail(d.log(), 15));
      }
    }
  }

  /** The last {@code lines} lines of a log, for error messages. */
  static String tail(Path log, int lines) {
    return LogFile.tailLines(log, lines);
  }

  /** Whether every member process has exited. */
  synchronized boolean allGone() {
    return members.stream().noneMatch(Daemon::alive);
  }

  /** Terminates every member by PID and waits until each is gone; throws if one survives SIGKILL. */
  @Override
  public synchronized void close() {
    // SIGTERM to all first, so that the grace periods run side by side rather than one after another.
    members.forEach(Daemon::terminate);
    List<Long> survivors = new ArrayList<>();
    for (Daemon d : members) {
      if (!d.awaitExit(GRACE) && !d.kill(GRACE)) {
        survivors.add(d.pid());
      }
    }
    if (!survivors.isEmpty()) {
      throw new IllegalStateException(what + " members " + survivors + " survived SIGKILL");
    }
  }
}
