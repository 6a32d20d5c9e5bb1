package io.pgquorum.testkit.proc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Signals by PID through {@code kill(1)}: Java has no API for SIGSTOP/SIGCONT, nor for signalling several processes
 * in one call.
 */
public final class Signals {
  private Signals() {}

  /**
   * Sends {@code signal} ("KILL", "TERM", "STOP", "CONT", ...) to every PID in ONE {@code kill} call, so the
   * processes of a node are hit together rather than one noticing the other's death first. Gone PIDs are fine.
   */
  public static void send(String signal, Collection<Long> pids) {
    if (pids.isEmpty()) {
      return;
    }
    List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(p -> cmd.add(Long.toString(p)));
    Commands.run(cmd, 10);
  }

  /** Sends {@code signal} to one PID; throws with kill's message when it fails (e.g. no such process). */
  public static void sendChecked(String signal, long pid) {
    Commands.runChecked(List.of("kill", "-" + signal, Long.toString(pid)), 10);
  }

  /**
   * Sends {@code signal} to every process of the process group {@code pgid} ({@code kill -SIG -- -pgid}, what
   * Ctrl-Z in a terminal does); throws when it fails.
   */
  public static void sendToGroup(String signal, long pgid) {
    Commands.runChecked(List.of("kill", "-" + signal, "--", "-" + pgid), 10);
  }
}
