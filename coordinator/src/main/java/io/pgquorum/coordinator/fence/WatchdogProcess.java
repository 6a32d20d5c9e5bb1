package io.pgquorum.coordinator.fence;

import io.pgquorum.coordinator.ha.LeaseListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of the lease watchdog: starts {@link WatchdogMain} as a child JVM (same java binary and
 * class path, a tiny heap, the daemon's environment, so a faked clock on the node applies to both), keeps it told
 * about the lease as a {@link LeaseListener}, and starts a new one when it dies.
 *
 * <p>Sending: the latest lease state (armed with a deadline on the daemon's nano clock, or disarmed) is handed to
 * one sender thread, which writes it as {@code ARM <deadline - now>} or {@code DISARM}; the remaining time is
 * computed at the moment of writing, so a slow hand-over never lengthens the lease. A child that is not yet
 * {@code READY} gets the current state as soon as it is, so lines never queue up in a pipe nobody reads (their
 * deadlines would be counted from a late read).
 *
 * <p>When the child dies unexpectedly: log it, call {@code onLost} (with {@code watchdog.mode: required}, the
 * node demotes), and start a new one after a short back-off.
 */
public final class WatchdogProcess implements LeaseListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WatchdogProcess.class);
  /**
   * JVM options for the child: it holds a few objects and runs one loop that wakes once per ARM line. Interpreted
   * only ({@code -Xint}): nothing in it is hot, and without a JIT there is no compiler thread or compiled code to
   * keep resident (measured: 36 MiB RSS with C1 and -Xmx24m, 33-34 MiB like this; the JVM's own floor is about
   * 30 MiB). No metaspace cap: a class-loading failure while fencing must never be possible.
   */
  static final List<String> CHILD_JVM_OPTIONS = List.of("-Xms4m", "-Xmx16m", "-Xss256k", "-XX:+UseSerialGC",
      "-Xint", "-XX:ReservedCodeCacheSize=8m", "-XX:-UsePerfData");
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final List<String> command;
  private final Optional<Path> stderrFile;
  private final LongSupplier nanoClock;
  private final Runnable onLost;
  private final String name;
  private final Object lock = new Object();
  /** Serialises writes to the child's input (sender thread, close). */
  private final Object writeLock = new Object();
  private final Thread monitor;
  private final Thread sender;

  // Guarded by lock.
  private boolean closed;
  private boolean ready;
  private Process child;
  private OutputStream childInput;
  private long version;
  private long sentVersion = -1;
  private boolean wantArmed;
  private long wantDeadlineNanos;

  /**
   * @param command the child's command line ({@link #command})
   * @param stderrFile where the child's messages go (appended); empty: the daemon's standard error
   * @param nanoClock the clock lease deadlines are measured on
   * @param onLost called (on the monitor thread) when a running child dies unexpectedly
   */
  public WatchdogProcess(List<String> command, Optional<Path> stderrFile, LongSupplier nanoClock, Runnable onLost,
      String name) {
    this.command = List.copyOf(command);
    this.stderrFile = stderrFile;
    this.nanoClock = nanoClock;
    this.onLost = onLost;
    this.name = name;
    this.monitor = new Thread(this::superviseChildren, "watchdog-monitor-" + name);
    this.monitor.setDaemon(true);
    this.sender = new Thread(this::sendUpdates, "watchdog-sender-" + name);
    this.sender.setDaemon(true);
  }

  /** The child's command line: this JVM's java binary and class path, {@link WatchdogMain}, its arguments. */
  public static List<String> command(Path pgCtl, Path dataDir, String member, int pgCtlTimeoutSeconds) {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> argv = new ArrayList<>();
    argv.add(java);
    argv.addAll(CHILD_JVM_OPTIONS);
    argv.add("-cp");
    argv.add(System.getProperty("java.class.path"));
    argv.add(WatchdogMain.class.getName());
    argv.addAll(List.of("--pg-ctl", pgCtl.toString(), "--data-dir", dataDir.toString(), "--name", member,
        "--timeout", Integer.toString(pgCtlTimeoutSeconds)));
    return argv;
  }

  public void start() {
    monitor.start();
    sender.start();
  }

  /** Waits until a child has said READY; false on timeout. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!ready && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        lock.wait(Math.max(1, left / 1_000_000L));
      }
      return ready;
    }
  }

  /** Whether a child is running and has said READY. */
  public boolean ready() {
    synchronized (lock) {
      return ready && child != null && child.isAlive();
    }
  }

  /** The child's PID, when one runs. */
  public Optional<Long> pid() {
    synchronized (lock) {
      return child != null && child.isAlive() ? Optional.of(child.pid()) : Optional.empty();
    }
  }

  /** For the status document: starting, armed, disarmed, down, or closed. */
  public String describe() {
    synchronized (lock) {
      if (closed) {
        return "closed";
      }
      if (child == null || !child.isAlive()) {
        return "down";
      }
      if (!ready) {
        return "starting";
      }
      return wantArmed ? "armed" : "disarmed";
    }
  }

  @Override
  public void armed(long fencingToken, long deadlineNanos) {
    synchronized (lock) {
      wantArmed = true;
      wantDeadlineNanos = deadlineNanos;
      version++;
      lock.notifyAll();
    }
  }

  @Override
  public void disarmed() {
    synchronized (lock) {
      wantArmed = false;
      version++;
      lock.notifyAll();
    }
  }

  /**
   * Clean shutdown: sends EXIT and closes the pipe. A disarmed child exits at once; an armed one keeps its
   * deadline and fences at it (the lease could still be live), then exits: it is deliberately left running.
   */
  @Override
  public void close() {
    Process c;
    OutputStream to;
    boolean arm;
    long deadline;
    boolean wasReady;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      lock.notifyAll();
      c = child;
      to = childInput;
      wasReady = ready;
      arm = wantArmed;
      deadline = wantDeadlineNanos;
    }
    if (to != null) {
      synchronized (writeLock) {
        try {
          // The latest state first (the sender thread may not have written it yet), then EXIT. A child that
          // never said READY was never armed: EXIT alone.
          if (wasReady) {
            to.write(line(stateCommand(arm, deadline)));
          }
          to.write(line(new WatchdogCommand.Exit()));
          to.flush();
        } catch (IOException e) {
          // already gone
        }
        closeQuietly(to);
      }
    }
    monitor.interrupt();
    sender.interrupt();
    if (c != null) {
      try {
        c.waitFor(2, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (c.isAlive()) {
        log.info("the watchdog process (pid {}) keeps running until the last lease deadline has passed", c.pid());
      }
    }
  }

  private void superviseChildren() {
    Duration backoff = Duration.ofSeconds(1);
    while (true) {
      Process c;
      long startedAt = System.nanoTime();
      try {
        c = spawn();
      } catch (IOException e) {
        log.error("could not start the watchdog process: {}", e.getMessage());
        if (!pause(backoff)) {
          return;
        }
        backoff = next(backoff);
        continue;
      }
      if (c == null) {
        return; // closed
      }
      int code;
      try {
        code = c.waitFor();
      } catch (InterruptedException e) {
        return; // closed
      }
      synchronized (lock) {
        ready = false;
        child = null;
        closeQuietly(childInput);
        childInput = null;
        if (closed) {
          return;
        }
      }
      log.error("the watchdog process (pid {}) exited unexpectedly with code {}; starting a new one", c.pid(), code);
      try {
        onLost.run();
      } catch (RuntimeException e) {
        log.error("reacting to the lost watchdog failed: {}", e.getMessage());
      }
      if (System.nanoTime() - startedAt > Duration.ofMinutes(1).toNanos()) {
        backoff = Duration.ofSeconds(1);
      }
      if (!pause(backoff)) {
        return;
      }
      backoff = next(backoff);
    }
  }

  private Process spawn() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command);
    // The environment is inherited on purpose: a clock fault injected on this node applies to its watchdog too.
    pb.redirectError(stderrFile.map(f -> ProcessBuilder.Redirect.appendTo(f.toFile()))
        .orElse(ProcessBuilder.Redirect.INHERIT));
    synchronized (lock) {
      if (closed) {
        return null;
      }
      Process c = pb.start();
      child = c;
      childInput = c.getOutputStream();
      ready = false;
      Thread out = new Thread(() -> awaitReadyLine(c), "watchdog-ready-" + name);
      out.setDaemon(true);
      out.start();
      log.info("started the lease watchdog process (pid {})", c.pid());
      return c;
    }
  }

  /** Reads the child's standard output: READY marks it usable (and makes the sender resend the state). */
  private void awaitReadyLine(Process c) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(c.getInputStream(),
        StandardCharsets.US_ASCII))) {
      String l;
      while ((l = r.readLine()) != null) {
        if (l.strip().equals("READY")) {
          synchronized (lock) {
            if (child == c) {
              ready = true;
              sentVersion = -1; // resend the current state to the new child
              lock.notifyAll();
            }
          }
        }
      }
    } catch (IOException e) {
      // the child is gone; the monitor notices
    }
  }

  private void sendUpdates() {
    while (true) {
      OutputStream to;
      boolean arm;
      long deadline;
      synchronized (lock) {
        try {
          while (!closed && (!ready || sentVersion == version)) {
            lock.wait();
          }
        } catch (InterruptedException e) {
          return;
        }
        if (closed) {
          return;
        }
        sentVersion = version;
        arm = wantArmed;
        deadline = wantDeadlineNanos;
        to = childInput;
      }
      // Written outside the state lock, so that lease updates (made under the lease's lock) never wait on a pipe.
      synchronized (writeLock) {
        try {
          to.write(line(stateCommand(arm, deadline)));
          to.flush();
        } catch (IOException e) {
          // The child died: the monitor starts a new one, whose READY makes this thread resend the state.
        }
      }
    }
  }

  /** ARM with the time left until {@code deadline} (rounded down, never negative), or DISARM. */
  private WatchdogCommand stateCommand(boolean arm, long deadline) {
    return arm ? new WatchdogCommand.Arm(Math.max(0, (deadline - nanoClock.getAsLong()) / 1_000_000L))
        : new WatchdogCommand.Disarm();
  }

  private static byte[] line(WatchdogCommand cmd) {
    return (cmd.toLine() + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  private boolean pause(Duration d) {
    try {
      Thread.sleep(d.toMillis()); // back-off between restarts, not a stand-in for a condition
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }

  private static Duration next(Duration d) {
    Duration n = d.multipliedBy(2);
    return n.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : n;
  }

  private static void closeQuietly(OutputStream s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        // nothing to do
      }
    }
  }

  @Override
  public String toString() {
    return "WatchdogProcess[" + name + ", " + describe() + "]";
  }
}
