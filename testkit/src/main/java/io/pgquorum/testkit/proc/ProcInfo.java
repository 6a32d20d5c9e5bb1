package io.pgquorum.testkit.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What the kernel says about a PID: {@code /proc/<pid>/stat}, liveness, exit, PID files. */
public final class ProcInfo {
  private ProcInfo() {}

  /**
   * Fields of {@code /proc/<pid>/stat} after the command name: [0] state, [1] ppid, [2] pgrp, [3] session, ...
   * (the command name may contain spaces and parentheses, hence "after the last ')'").
   *
   * @throws IOException when there is no such process
   */
  public static String[] stat(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
  }

  /** The state letter (R, S, D, T, Z, ...); throws when there is no such process. */
  public static char state(long pid) throws IOException {
    return stat(pid)[0].charAt(0);
  }

  public static long processGroupOf(long pid) throws IOException {
    return Long.parseLong(stat(pid)[2]);
  }

  public static long sessionOf(long pid) throws IOException {
    return Long.parseLong(stat(pid)[3]);
  }

  /** True when the PID names a live process (a zombie or a dying one is not). */
  public static boolean alive(long pid) {
    if (pid <= 0) {
      return false;
    }
    try {
      char s = state(pid);
      return s != 'Z' && s != 'X';
    } catch (IOException | RuntimeException e) {
      return false; // no such process
    }
  }

  /** Waits up to {@code within} for every PID to exit; true when all are gone. */
  public static boolean awaitExit(Collection<Long> pids, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    for (long pid : pids) {
      Optional<ProcessHandle> h = ProcessHandle.of(pid);
      if (h.isEmpty()) {
        continue;
      }
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
      try {
        h.get().onExit().get(left, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        if (h.get().isAlive()) {
          return false;
        }
      }
    }
    return true;
  }

  /** {@link #awaitExit(Collection, Duration)} for one PID. */
  public static boolean awaitExit(long pid, Duration within) {
    return awaitExit(List.of(pid), within);
  }

  /**
   * Polls until the process's state letter is ({@code wanted}) or is not ({@code !wanted}) {@code state}, e.g.
   * 'T' after SIGSTOP: the signal is delivered asynchronously, and a caller that goes on to observe the effect of
   * the pause must not race it.
   *
   * @throws IllegalStateException when the process vanishes or the state does not come within {@code within}
   */
  public static void awaitState(long pid, char state, boolean wanted, Duration within) {
    Deadline deadline = Deadline.in(within);
    while (true) {
      char current;
      try {
        current = state(pid);
      } catch (IOException e) {
        throw new IllegalStateException("process " + pid + " vanished while waiting for state "
            + (wanted ? "" : "other than ") + state, e);
      }
      if ((current == state) == wanted) {
        return;
      }
      if (deadline.expired()) {
        throw new IllegalStateException("process " + pid + " still in state " + current + " after "
            + within.toMillis() + " ms (waiting for " + (wanted ? "" : "a state other than ") + state + ")");
      }
      Deadline.sleep(10); // polling the kernel's view, with a deadline
    }
  }

  /**
   * The PID in the first line of a PID file (PostgreSQL's {@code postmaster.pid}, ...) when that process is alive:
   * a SIGKILLed server leaves its PID file behind, so the file alone proves nothing.
   */
  public static Optional<Long> pidFromFile(Path file) {
    try {
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      List<String> lines = Files.readAllLines(file);
      if (lines.isEmpty() || lines.get(0).isBlank()) {
        return Optional.empty();
      }
      long pid = Long.parseLong(lines.get(0).trim());
      return alive(pid) ? Optional.of(pid) : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty(); // being written or removed
    }
  }
}
