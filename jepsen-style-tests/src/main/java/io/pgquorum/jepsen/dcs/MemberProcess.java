package io.pgquorum.jepsen.dcs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One DCS member JVM ({@link DcsMemberMain}) as the driver sees it: started, killed, paused and restarted by PID,
 * its output appended to one log file across restarts, its role read from the status file it publishes.
 */
final class MemberProcess {
  /** The libfaketime library of Debian's libfaketime package. */
  static final String LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
  /** A status file older than this belongs to a paused, killed or starving member. */
  private static final Duration STATUS_FRESH = Duration.ofMillis(1500);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final String name;
  private final List<String> command;
  private final Path logFile;
  private final Path statusFile;
  /** Variables added to every launch's environment (the harness's planted-bug switch, when set). */
  private final Map<String, String> extraEnv;
  private Process process;
  private boolean paused;
  private double clockRate = 1.0;
  /** Log offset where the current launch's output begins (where to look for its READY line). */
  private long readyFrom;

  MemberProcess(String name, List<String> command, Path logFile, Path statusFile) {
    this(name, command, logFile, statusFile, Map.of());
  }

  MemberProcess(String name, List<String> command, Path logFile, Path statusFile, Map<String, String> extraEnv) {
    this.name = name;
    this.command = List.copyOf(command);
    this.logFile = logFile;
    this.statusFile = statusFile;
    this.extraEnv = Map.copyOf(extraEnv);
  }

  String name() {
    return name;
  }

  Path logFile() {
    return logFile;
  }

  synchronized double clockRate() {
    return clockRate;
  }

  /**
   * Launches the JVM without waiting for it; {@link #awaitReady()} (or {@link #awaitReady(Process)} with the
   * returned launch, from another thread) waits.
   */
  synchronized Process launch(double rate) {
    if (alive()) {
      throw new IllegalStateException("member " + name + " is already running (pid " + process.pid() + ")");
    }
    try {
      Files.deleteIfExists(statusFile); // the next status must come from the new process
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      Map<String, String> env = pb.environment();
      env.putAll(extraEnv);
      if (rate != 1.0) {
        // "+0 xR": start at the real time, then advance R times as fast; covers System.nanoTime too (unless
        // FAKETIME_DONT_FAKE_MONOTONIC is set), which is what Raft's election timers and the lease clock use.
        env.put("LD_PRELOAD", LIBFAKETIME);
        env.put("FAKETIME", "+0 x" + String.format(Locale.ROOT, "%.3f", rate));
        env.remove("FAKETIME_DONT_FAKE_MONOTONIC");
      }
      long offset = Files.exists(logFile) ? Files.size(logFile) : 0;
      Files.writeString(logFile, "=== " + name + " start" + (rate == 1.0 ? "" : " under libfaketime x" + rate)
          + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      readyFrom = offset;
      process = pb.start();
      paused = false;
      clockRate = rate;
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start DCS member " + name, e);
    }
  }

  /**
   * Waits for the READY line of the current launch; throws with the log's tail if the member died. Returns early
   * when a later launch superseded this one: overlapping faults on one member compose (a clock-rate restart while
   * another one's member is still starting kills that member on purpose), and readiness is then the later
   * launch's own wait.
   */
  void awaitReady() {
    Process current;
    synchronized (this) {
      current = process;
    }
    awaitReady(current);
  }

  /**
   * As {@link #awaitReady()} for the given launch (what {@link #launch(double)} returned): a waiter on another
   * thread names the launch it waits for, so that it cannot pick up a later one by starting late.
   */
  void awaitReady(Process mine) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    String expected = DcsMemberMain.READY + " " + name;
    long from;
    synchronized (this) {
      if (process != mine) {
        return; // already superseded
      }
      from = readyFrom;
    }
    while (true) {
      synchronized (this) {
        if (process != mine) {
          return;
        }
      }
      String log = readLog(from);
      if (log.contains(expected)) {
        return;
      }
      if (!mine.isAlive()) {
        synchronized (this) {
          if (process != mine) {
            return;
          }
        }
        throw new IllegalStateException("DCS member " + name + " exited with status " + mine.exitValue()
            + " before it was ready; its log ends with:\n" + tail(log, 2000));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("DCS member " + name + " not ready after " + START_TIMEOUT.toSeconds()
            + " s; its log ends with:\n" + tail(log, 2000));
      }
      sleepPoll();
    }
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  synchronized boolean paused() {
    return paused && alive();
  }

  synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException("member " + name + " was never started");
    }
    return process.pid();
  }

  /** kill -9; returns once the process is gone. A no-op on a dead member. */
  synchronized void kill() {
    if (!alive()) {
      return;
    }
    process.destroyForcibly(); // SIGKILL on Unix, also ends a stopped process
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("DCS member " + name + " (pid " + process.pid()
            + ") survived SIGKILL for 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing DCS member " + name, e);
    }
    paused = false;
  }

  /** SIGSTOP; returns once the kernel reports the process stopped. */
  synchronized void pause() {
    requireAlive("pause");
    signal("STOP");
    awaitState('T', true);
    paused = true;
  }

  /** SIGCONT; returns once the process is no longer stopped. */
  synchronized void resume() {
    requireAlive("resume");
    signal("CONT");
    awaitState('T', false);
    paused = false;
  }

  /**
   * True when the member's last published status (fresh, from a live, running process) says it leads. A paused
   * member's status goes stale, so a frozen leader does not count.
   */
  boolean claimsLeadership() {
    String s = freshStatus();
    return s != null && s.contains("leader=true");
  }

  /** The last Raft index the member applied, from its fresh status; -1 when unknown or stale. */
  long appliedIndex() {
    String s = freshStatus();
    int at = s == null ? -1 : s.indexOf("applied=");
    if (at < 0) {
      return -1;
    }
    try {
      return Long.parseLong(s.substring(at + "applied=".length()).trim().split("\\s+")[0]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private String freshStatus() {
    if (!alive() || paused()) {
      return null;
    }
    try {
      long age = System.currentTimeMillis() - Files.getLastModifiedTime(statusFile).toMillis();
      if (age > STATUS_FRESH.toMillis()) {
        return null;
      }
      return Files.readString(statusFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null; // not published yet, or being replaced
    }
  }

  private void requireAlive(String what) {
    if (!alive()) {
      throw new IllegalStateException("cannot " + what + " DCS member " + name + ": it is not running");
    }
  }

  private void signal(String sig) {
    try {
      Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid()))
          .redirectErrorStream(true).start();
      String out = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (k.waitFor() != 0) {
        throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed: " + out.trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + sig, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling " + name, e);
    }
  }

  /** Polls /proc/PID/stat until the state letter is (or is not) {@code state}. */
  private void awaitState(char state, boolean wanted) {
    Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try {
        String s = Files.readString(stat);
        char current = s.charAt(s.lastIndexOf(')') + 2); // the state follows "(comm) "
        if ((current == state) == wanted) {
          return;
        }
      } catch (IOException e) {
        throw new IllegalStateException("DCS member " + name + " vanished while being signalled", e);
      }
      sleepPoll();
    }
    throw new IllegalStateException("DCS member " + name + " did not " + (wanted ? "stop" : "continue")
        + " within 10 s");
  }

  private String readLog(long from) {
    try {
      byte[] all = Files.readAllBytes(logFile);
      int start = (int) Math.min(from, all.length);
      return new String(all, start, all.length - start, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static String tail(String s, int max) {
    return s.length() <= max ? s : s.substring(s.length() - max);
  }

  private static void sleepPoll() {
    try {
      Thread.sleep(20); // poll interval while waiting for an external process
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a DCS member", e);
    }
  }

  /** Command line of a member JVM; kept here so that every start (and restart) uses the same one. */
  static List<String> javaCommand(Path hostsFile, Path logbackConfig, List<String> mainArgs) {
    String java = ProcessHandle.current().info().command()
        .orElseThrow(() -> new IllegalStateException("cannot find this JVM's java executable"));
    List<String> cmd = new ArrayList<>(List.of(java,
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError",
        "-Djdk.net.hosts.file=" + hostsFile,
        "-Dlogback.configurationFile=" + logbackConfig,
        "-cp", System.getProperty("java.class.path"),
        DcsMemberMain.class.getName()));
    cmd.addAll(mainArgs);
    return cmd;
  }
}
