package io.pgquorum.bench.dcs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The member processes of one benchmark cluster: started with their output in a log file each, and stopped by
 * PID (SIGTERM, then SIGKILL after a grace period) with a check that none is left.
 */
final class MemberProcesses implements AutoCloseable {
  private static final long GRACE_MILLIS = 5000;

  private final String what;
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();

  MemberProcesses(String what) {
    this.what = what;
  }

  /** Starts one member; its standard output and error go to {@code log}. */
  synchronized Process start(List<String> command, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process p = pb.start();
    processes.add(p);
    logs.add(log);
    return p;
  }

  synchronized List<Long> pids() {
    return processes.stream().map(Process::pid).toList();
  }

  synchronized List<Process> processes() {
    return List.copyOf(processes);
  }

  /** Throws if a member exited, with the end of its log (a member that died at start says why there). */
  synchronized void checkAlive() {
    for (int i = 0; i < processes.size(); i++) {
      Process p = processes.get(i);
      if (!p.isAlive()) {
        throw new IllegalStateException(what + " member " + (i + 1) + " (pid " + p.pid() + ") exited with status "
            + p.exitValue() + "; end of " + logs.get(i) + ":\n" + tail(logs.get(i), 15));
      }
    }
  }

  /** The last {@code lines} lines of a log, for error messages. */
  static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /** Whether every member process has exited. */
  synchronized boolean allGone() {
    return processes.stream().noneMatch(Process::isAlive);
  }

  /** Terminates every member by PID and waits until each is gone; throws if one survives SIGKILL. */
  @Override
  public synchronized void close() {
    for (Process p : processes) {
      p.destroy();
    }
    List<Long> survivors = new ArrayList<>();
    for (Process p : processes) {
      try {
        if (!p.waitFor(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          if (!p.waitFor(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
            survivors.add(p.pid());
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    if (!survivors.isEmpty()) {
      throw new IllegalStateException(what + " members " + survivors + " survived SIGKILL");
    }
  }
}
