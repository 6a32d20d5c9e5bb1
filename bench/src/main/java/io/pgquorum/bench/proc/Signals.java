package io.pgquorum.bench.proc;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Sends signals by PID with {@code kill(1)} (Java has no API for SIGTERM to a foreign PID or for one-call batches). */
public final class Signals {
  private Signals() {}

  /**
   * Sends {@code signal} ("KILL", "TERM", ...) to every PID in ONE {@code kill} call, so the processes of a node
   * die together rather than one noticing the other's death first. Gone PIDs are fine.
   */
  public static void send(String signal, Collection<Long> pids) {
    if (pids.isEmpty()) {
      return;
    }
    List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(p -> cmd.add(Long.toString(p)));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits up to {@code millis} for every PID to exit; true when all are gone. */
  public static boolean awaitExit(Collection<Long> pids, long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000L;
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

  /** True when the PID names a live process. */
  public static boolean alive(long pid) {
    return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
