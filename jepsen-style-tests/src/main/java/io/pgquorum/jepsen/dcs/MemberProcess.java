package io.pgquorum.jepsen.dcs;

import io.pgquorum.testkit.proc.Daemon;
import io.pgquorum.testkit.proc.JavaCommand;
import io.pgquorum.testkit.proc.Launch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One DCS member JVM ({@link DcsMemberMain}) as the driver sees it: a testkit {@link Daemon} (started, killed,
 * paused and restarted by PID, its output appended to one log file across restarts) that knows its clock rate and
 * reads its role from the status file it publishes.
 */
final class MemberProcess {
  /** The libfaketime library of Debian's libfaketime package. */
  static final String LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
  /** A status file older than this belongs to a paused, killed or starving member. */
  private static final Duration STATUS_FRESH = Duration.ofMillis(1500);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(30);

  private final String name;
  private final List<String> command;
  private final Path statusFile;
  /** Variables added to every launch's environment (the harness's planted-bug switch, when set). */
  private final Map<String, String> extraEnv;
  private final Daemon daemon;
  private double clockRate = 1.0;

  MemberProcess(String name, List<String> command, Path logFile, Path statusFile) {
    this(name, command, logFile, statusFile, Map.of());
  }

  MemberProcess(String name, List<String> command, Path logFile, Path statusFile, Map<String, String> extraEnv) {
    this.name = name;
    this.command = List.copyOf(command);
    this.statusFile = statusFile;
    this.extraEnv = Map.copyOf(extraEnv);
    this.daemon = new Daemon("DCS member " + name, logFile);
  }

  String name() {
    return name;
  }

  Path logFile() {
    return daemon.log();
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
      throw new IllegalStateException("member " + name + " is already running (pid " + daemon.pid() + ")");
    }
    try {
      Files.deleteIfExists(statusFile); // the next status must come from the new process
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start DCS member " + name, e);
    }
    Map<String, String> env = new HashMap<>(extraEnv);
    if (rate != 1.0) {
      // "+0 xR": start at the real time, then advance R times as fast; covers System.nanoTime too (unless
      // FAKETIME_DONT_FAKE_MONOTONIC is set), which is what Raft's election timers and the lease clock use.
      env.put("LD_PRELOAD", LIBFAKETIME);
      env.put("FAKETIME", "+0 x" + String.format(Locale.ROOT, "%.3f", rate));
      env.put("FAKETIME_DONT_FAKE_MONOTONIC", null);
    }
    Process p = daemon.launch(new Launch(command, env,
        "=== " + name + " start" + (rate == 1.0 ? "" : " under libfaketime x" + rate), false));
    clockRate = rate;
    return p;
  }

  /**
   * Waits for the READY line of the current launch; throws with the log's tail if the member died. Returns early
   * when a later launch superseded this one (see {@link Daemon#awaitOutput}).
   */
  void awaitReady() {
    awaitReady(daemon.process());
  }

  /**
   * As {@link #awaitReady()} for the given launch (what {@link #launch(double)} returned): a waiter on another
   * thread names the launch it waits for, so that it cannot pick up a later one by starting late.
   */
  void awaitReady(Process mine) {
    daemon.awaitOutput(mine, DcsMemberMain.READY + " " + name, START_TIMEOUT);
  }

  boolean alive() {
    return daemon.alive();
  }

  boolean paused() {
    return daemon.paused();
  }

  long pid() {
    if (daemon.pid() < 0) {
      throw new IllegalStateException("member " + name + " was never started");
    }
    return daemon.pid();
  }

  /** kill -9; returns once the process is gone. A no-op on a dead member. */
  void kill() {
    if (!daemon.kill(KILL_TIMEOUT)) {
      throw new IllegalStateException("DCS member " + name + " (pid " + daemon.pid() + ") survived SIGKILL for "
          + KILL_TIMEOUT.toSeconds() + " s");
    }
  }

  /** SIGSTOP; returns once the kernel reports the process stopped. */
  void pause() {
    daemon.pause();
  }

  /** SIGCONT; returns once the process is no longer stopped. */
  void resume() {
    daemon.resume();
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

  /** Command line of a member JVM; kept here so that every start (and restart) uses the same one. */
  static List<String> javaCommand(Path hostsFile, Path logbackConfig, List<String> mainArgs) {
    return JavaCommand.of(DcsMemberMain.class)
        .jvmOptions("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError")
        .systemProperty("jdk.net.hosts.file", hostsFile.toString())
        .systemProperty("logback.configurationFile", logbackConfig.toString())
        .args(mainArgs).toList();
  }
}
