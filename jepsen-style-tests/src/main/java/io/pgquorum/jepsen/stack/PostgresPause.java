package io.pgquorum.jepsen.stack;

import io.pgquorum.testkit.proc.Commands;
import io.pgquorum.testkit.proc.ProcInfo;
import io.pgquorum.testkit.proc.Signals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Freezes and thaws one node's whole PostgreSQL process tree.
 *
 * <p>Why not SIGSTOP of the postmaster alone: PostgreSQL forks a backend per connection, and those backends (and
 * the walsender, checkpointer, WAL writer ...) are separate processes that keep serving queries and streaming WAL
 * while the postmaster is stopped: the node would not look paused at all (tried on this machine, see
 * fault-injection-on-this-machine.md). So the whole tree must stop:
 *
 * <ul>
 *   <li>as root, through the cgroup v1 freezer: the tree is moved into {@code /sys/fs/cgroup/freezer/<group>} and
 *       the group set to FROZEN; the kernel stops every member atomically, including children forked meanwhile;
 *   <li>otherwise with signals: SIGSTOP the postmaster FIRST (so it forks nothing new while the tree is walked),
 *       then every descendant (walking {@link ProcessHandle#descendants()} until a walk finds nothing new, which
 *       catches a child forked just before the postmaster stopped). Resume sends SIGCONT in the reverse order,
 *       the postmaster last, so it never sees half-stopped children it would try to replace.
 * </ul>
 */
final class PostgresPause {
  private static final Path FREEZER = Path.of("/sys/fs/cgroup/freezer");

  private final String group;
  private final List<Long> stopped = new ArrayList<>();
  private Path cgroup;

  /** @param group the freezer group's name (unique per run and node) */
  PostgresPause(String group) {
    this.group = group;
  }

  static boolean freezerAvailable() {
    return Commands.isRoot() && Files.isWritable(FREEZER.resolve("cgroup.procs"));
  }

  synchronized boolean paused() {
    return cgroup != null || !stopped.isEmpty();
  }

  /** Stops the tree rooted at {@code postmaster}; a no-op when already paused. */
  synchronized void pause(long postmaster) {
    if (paused()) {
      return;
    }
    if (freezerAvailable()) {
      freeze(postmaster);
    } else {
      stopWithSignals(postmaster);
    }
  }

  /** Resumes whatever {@link #pause} stopped. */
  synchronized void resume() {
    if (cgroup != null) {
      write(cgroup.resolve("freezer.state"), "THAWED");
      awaitState("THAWED");
      release();
    }
    if (!stopped.isEmpty()) {
      List<Long> reverse = new ArrayList<>(stopped);
      Collections.reverse(reverse);
      Signals.send("CONT", reverse);
      stopped.clear();
    }
  }

  private void stopWithSignals(long postmaster) {
    Signals.send("STOP", List.of(postmaster));
    Set<Long> all = new LinkedHashSet<>(List.of(postmaster));
    for (int round = 0; round < 5; round++) {
      List<Long> fresh = ProcessHandle.of(postmaster).stream().flatMap(ProcessHandle::descendants)
          .map(ProcessHandle::pid).filter(p -> !all.contains(p)).toList();
      if (fresh.isEmpty()) {
        break;
      }
      Signals.send("STOP", fresh);
      all.addAll(fresh);
    }
    stopped.addAll(all);
    awaitStopped(all);
  }

  /**
   * kill(1) returns once the signal is queued; a runnable process waiting for a CPU shows as stopped only when it
   * is next scheduled. Pausing blocks until every process is stopped (state T/t), gone, or a zombie.
   */
  private static void awaitStopped(Set<Long> pids) {
    long deadline = System.nanoTime() + 5_000_000_000L;
    List<Long> pending = new ArrayList<>(pids);
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      pending.removeIf(p -> {
        char st = state(p);
        return st == 'T' || st == 't' || st == 'Z' || st == 'X' || st == '?';
      });
      if (!pending.isEmpty()) {
        PgCluster.sleep(10); // polling process states with a deadline
      }
    }
    if (!pending.isEmpty()) {
      throw new IllegalStateException("PostgreSQL processes " + pending + " did not stop within 5 s");
    }
  }

  /** The state letter from /proc/<pid>/stat, '?' when the process is gone. */
  static char state(long pid) {
    try {
      return ProcInfo.state(pid);
    } catch (IOException | RuntimeException e) {
      return '?';
    }
  }

  private void freeze(long postmaster) {
    Path g = FREEZER.resolve(group);
    try {
      Files.createDirectories(g);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create freezer cgroup " + g + ": " + e.getMessage(), e);
    }
    cgroup = g;
    // The postmaster first: children it forks from now on are born inside the group.
    write(g.resolve("cgroup.procs"), String.valueOf(postmaster));
    ProcessHandle.of(postmaster).stream().flatMap(ProcessHandle::descendants)
        .forEach(h -> write(g.resolve("cgroup.procs"), String.valueOf(h.pid()), true));
    write(g.resolve("freezer.state"), "FROZEN");
    awaitState("FROZEN");
  }

  private void awaitState(String want) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      try {
        if (Files.readString(cgroup.resolve("freezer.state")).trim().equals(want)) {
          return;
        }
        Thread.sleep(20); // polling the kernel's state with a deadline
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + cgroup + "/freezer.state: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException("freezer group " + cgroup + " did not reach " + want + " within 10 s");
  }

  /** Moves the processes back to the root freezer group and removes ours. */
  private void release() {
    try {
      for (String pid : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
        if (!pid.isBlank()) {
          write(FREEZER.resolve("cgroup.procs"), pid.trim(), true);
        }
      }
      Files.deleteIfExists(cgroup);
    } catch (IOException e) {
      // a group that cannot be removed still holds processes; it is retried at close
    }
    cgroup = null;
  }

  /** Thaws and removes everything; for cleanup. */
  synchronized void close() {
    resume();
  }

  private static void write(Path file, String value) {
    write(file, value, false);
  }

  private static void write(Path file, String value, boolean tolerateGone) {
    try {
      Files.writeString(file, value);
    } catch (IOException e) {
      if (!tolerateGone) {
        throw new IllegalStateException("cannot write " + value + " to " + file + ": " + e.getMessage(), e);
      }
    }
  }
}
