package io.pgquorum.jepsen.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Signals and PID look-ups the driver needs (Java has no API for SIGSTOP/SIGCONT, so {@code kill} is run). */
final class ProcessTools {
  private ProcessTools() {}

  /** Sends {@code signal} (e.g. "STOP", "CONT", "KILL") to every PID in one {@code kill} call; gone PIDs are fine. */
  static void signal(String signal, Collection<Long> pids) {
    if (pids.isEmpty()) {
      return;
    }
    List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(p -> cmd.add(String.valueOf(p)));
    run(cmd, 10);
  }

  /** Runs a command to completion (output discarded); returns its exit code, or -1 when it did not finish. */
  static int run(List<String> cmd, int timeoutSeconds) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Runs a command and returns its output; throws with the output when it exits non-zero. */
  static String runChecked(List<String> cmd, int timeoutSeconds) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + String.join(" ", cmd));
      }
      String text = new String(out);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + text.trim());
      }
      return text;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
    }
  }

  /** The postmaster's PID from the first line of {@code postmaster.pid}, when the file exists and it is alive. */
  static Optional<Long> postmasterPid(Path dataDir) {
    Path f = dataDir.resolve("postmaster.pid");
    try {
      if (!Files.exists(f)) {
        return Optional.empty();
      }
      List<String> lines = Files.readAllLines(f);
      if (lines.isEmpty() || lines.get(0).isBlank()) {
        return Optional.empty();
      }
      long pid = Long.parseLong(lines.get(0).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> pid);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Waits up to {@code millis} for a PID to exit; true when it is gone. */
  static boolean awaitExit(long pid, long millis) {
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty()) {
      return true;
    }
    try {
      h.get().onExit().get(millis, TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      return !h.get().isAlive();
    }
  }

  static boolean isRoot() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }
}
