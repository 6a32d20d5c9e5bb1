package io.pgquorum.testkit.proc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One long-running program of a test cluster (a pgquorum daemon, a DCS member, an etcd member) as a driver
 * controls it: started again and again under one name with its output appended to one log file, and stopped,
 * killed, paused and resumed by PID.
 *
 * <p>Why by PID and never by name: several clusters (other tests, other sessions) run on one machine, and a
 * {@code pkill java} would hit them all. What a killed daemon leaves behind (a lease watchdog it started, which a
 * real kill -9 leaves running too) is remembered in {@link #leftovers()} for the owner to reap at close.
 */
public final class Daemon {
  private static final Duration FIND_JVM = Duration.ofSeconds(10);
  private static final Duration SIGNAL_EFFECT = Duration.ofSeconds(10);

  private final String what;
  private final Path log;
  private final List<ProcessHandle> leftovers = new ArrayList<>();
  private Process process;
  /** The launch {@link #kill} last ended: its waiters must not report the owner's kill as a failed start. */
  private Process killed;
  private long pid = -1;
  private boolean paused;
  /** Log offset where the current launch's output begins. */
  private long launchOffset;

  /**
   * @param what how messages name it ("DCS member node2", "node1's daemon")
   * @param log the file every launch's standard output and error are appended to
   */
  public Daemon(String what, Path log) {
    this.what = what;
    this.log = log;
  }

  public String what() {
    return what;
  }

  public Path log() {
    return log;
  }

  /**
   * Starts the program (without waiting for it to be ready). Any earlier launch is the caller's business: kill it
   * first when a second copy must not run.
   */
  public synchronized Process launch(Launch launch) {
    try {
      launchOffset = LogFile.size(log);
      if (launch.banner() != null) {
        LogFile.appendLine(log, launch.banner());
      }
      ProcessBuilder pb = new ProcessBuilder(launch.command()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      Map<String, String> env = pb.environment();
      launch.env().forEach((k, v) -> {
        if (v == null) {
          env.remove(k);
        } else {
          env.put(k, v);
        }
      });
      process = pb.start();
      pid = launch.jvmBehindWrapper() ? findJvm(process) : process.pid();
      paused = false;
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + what, e);
    }
  }

  /** The current (last) launch; throws before the first one. */
  public synchronized Process process() {
    if (process == null) {
      throw new IllegalStateException(what + " was never started");
    }
    return process;
  }

  /** The daemon's PID (the JVM behind a wrapper); -1 before the first launch. */
  public synchronized long pid() {
    return pid;
  }

  /** The daemon's process, while it exists. */
  public synchronized Optional<ProcessHandle> handle() {
    return pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
  }

  /** True while the daemon lives (a stopped process counts as alive; a zombie does not). */
  public synchronized boolean alive() {
    if (process != null && process.pid() == pid && !process.isAlive()) {
      return false; // reaped: its PID may already belong to another process
    }
    return ProcInfo.alive(pid);
  }

  /** True while it lives and is stopped by {@link #pause()}. */
  public synchronized boolean paused() {
    return paused && alive();
  }

  /**
   * SIGKILL of the daemon's PID, after noting its descendants in {@link #leftovers()}; waits up to {@code wait}
   * for it to be gone and returns whether it is. A no-op (true) when it does not run. The wrapper of a launch
   * behind one is killed too.
   */
  public synchronized boolean kill(Duration wait) {
    boolean gone = true;
    Optional<ProcessHandle> h = handle().filter(ProcessHandle::isAlive);
    if (h.isPresent()) {
      h.get().descendants().forEach(leftovers::add);
      killed = process;
      h.get().destroyForcibly(); // SIGKILL; also ends a stopped process
      gone = ProcInfo.awaitExit(pid, wait);
    }
    if (process != null && process.pid() != pid) {
      process.destroyForcibly();
    }
    paused = false;
    return gone;
  }

  /** SIGTERM of the daemon's PID (a clean shutdown request); does not wait, see {@link #awaitExit}. */
  public synchronized void terminate() {
    handle().ifPresent(ProcessHandle::destroy);
  }

  /** Waits up to {@code within} for the daemon to exit; true when it is gone. */
  public boolean awaitExit(Duration within) {
    long p = pid();
    return p <= 0 || ProcInfo.awaitExit(p, within);
  }

  /** SIGSTOP; returns once the kernel reports it stopped. */
  public synchronized void pause() {
    requireAlive("pause");
    Signals.sendChecked("STOP", pid);
    ProcInfo.awaitState(pid, 'T', true, SIGNAL_EFFECT);
    paused = true;
  }

  /** SIGCONT; returns once it is no longer stopped. */
  public synchronized void resume() {
    requireAlive("resume");
    Signals.sendChecked("CONT", pid);
    ProcInfo.awaitState(pid, 'T', false, SIGNAL_EFFECT);
    paused = false;
  }

  /** Descendants of the daemon at each kill (children a real kill -9 leaves running), for the owner to reap. */
  public synchronized List<ProcessHandle> leftovers() {
    return List.copyOf(leftovers);
  }

  /** The output of the current launch so far. */
  public String logOfLaunch() {
    long from;
    synchronized (this) {
      from = launchOffset;
    }
    return LogFile.readFrom(log, from);
  }

  /**
   * Waits until the output of launch {@code mine} (what {@link #launch} returned) contains {@code text}.
   *
   * <p>Returns early when {@link #kill} ended {@code mine} or a later launch superseded it: overlapping faults on
   * one daemon compose (a restart while an earlier restart's daemon is still starting kills that one on purpose),
   * and readiness is then the later launch's own wait. A waiter on another thread names the launch it waits for,
   * so that it cannot pick up a later one by starting late.
   *
   * @throws IllegalStateException with the end of the log when {@code mine} exits first or {@code within} passes
   */
  public void awaitOutput(Process mine, String text, Duration within) {
    Deadline deadline = Deadline.in(within);
    long from;
    synchronized (this) {
      if (superseded(mine)) {
        return;
      }
      from = launchOffset;
    }
    while (true) {
      if (superseded(mine)) {
        return;
      }
      String out = LogFile.readFrom(log, from);
      if (out.contains(text)) {
        return;
      }
      if (!mine.isAlive()) {
        if (superseded(mine)) {
          return;
        }
        throw new IllegalStateException(what + " exited with status " + mine.exitValue()
            + " before it was ready; its log ends with:\n" + LogFile.tailChars(out, 2000));
      }
      if (deadline.expired()) {
        throw new IllegalStateException(what + " not ready after " + within.toSeconds()
            + " s; its log ends with:\n" + LogFile.tailChars(out, 2000));
      }
      Deadline.sleep(20); // poll interval while waiting for an external process
    }
  }

  private synchronized boolean superseded(Process mine) {
    return process != mine || killed == mine;
  }

  private void requireAlive(String action) {
    if (!alive()) {
      throw new IllegalStateException("cannot " + action + " " + what + ": it is not running");
    }
  }

  /**
   * The JVM's PID behind a wrapper. Scripts and env(1) exec into java, so it is often the launched process
   * itself; runuser forks, so it may be the first java descendant.
   */
  private static long findJvm(Process launcher) {
    Deadline deadline = Deadline.in(FIND_JVM);
    while (!deadline.expired()) {
      if (isJava(launcher.toHandle())) {
        return launcher.pid();
      }
      Optional<ProcessHandle> java = launcher.descendants().filter(Daemon::isJava).findFirst();
      if (java.isPresent()) {
        return java.get().pid();
      }
      if (!launcher.isAlive()) {
        return launcher.pid();
      }
      Deadline.sleep(20); // waiting for exec to happen, with a deadline
    }
    return launcher.pid();
  }

  private static boolean isJava(ProcessHandle h) {
    return h.info().command().map(c -> c.endsWith("/java")).orElse(false);
  }

  @Override
  public String toString() {
    return what + (pid > 0 ? " (pid " + pid + ")" : "");
  }
}
