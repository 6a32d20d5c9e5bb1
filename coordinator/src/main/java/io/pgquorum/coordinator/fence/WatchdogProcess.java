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
 * The daemon's side of the lease watchdog: starts {@link WatchdogMain} as a child JVM (the installed JDK's java
 * binary, the same class path, a tiny heap, the daemon's environment minus its secrets, so a faked clock on the
 * node applies to both), keeps it told about the lease as a {@link LeaseListener}, and starts a new one when it
 * dies.
 *
 * <p>Its own session: the child is started through {@code setsid} (util-linux), so that a signal to the daemon's
 * process group (Ctrl-Z in a terminal, {@code kill -STOP -<pgid>}) does not freeze both fences while PostgreSQL
 * stays primary. A ProcessBuilder child is never a process-group leader, so {@code setsid} calls setsid(2) and
 * execs the JVM in place (no fork): the {@link Process} handle, its pid and its pipes stay the watchdog's own
 * ({@code WatchdogProcessTest} checks pid = pgid = sid).
 *
 * <p>Sending: the latest lease state (armed with a deadline on the daemon's monotonic clock, or disarmed) is
 * handed to one sender thread, which writes it as {@code ARM <deadline>} or {@code DISARM}. The deadline is an
 * absolute instant of CLOCK_MONOTONIC ({@link System#nanoTime()} on Linux), which both processes read, so a line
 * that waits in the pipe or is read late never lengthens the lease. That both really see the same clock is
 * checked on every start: the child's {@code READY <nanoTime>} must lie between the daemon's clock readings before
 * the spawn and at the read; otherwise (a libfaketime setup in which the two do not share a start time, say) the
 * child is stopped and reported, never used. Under the fault-injection harness's libfaketime rate faults the check
 * passes: libfaketime 0.9.10 keeps its start time in shared memory named by {@code FAKETIME_SHARED}, which the
 * first preloaded process creates and every descendant (this JVM, the watchdog) inherits, so both compute the same
 * faked clock ({@code FaketimeSharedClockTest}).
 *
 * <p>When the child dies unexpectedly: log it, call {@code onLost} (with {@code watchdog.mode: required}, the
 * node demotes), and start a new one after a short back-off. The java binary is {@code java.home/bin/java}, not
 * this process's own executable ({@code /proc/self/exe}): after a JDK package upgrade the latter names a deleted
 * file, and no watchdog could be started again until the daemon restarts.
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
  /**
   * The daemon's class-data sharing archive, set by bin/pgquorum when the daemon maps one (see
   * bin/lib-classpath.sh). The child maps the same file, so the two JVMs share its pages (the JDK's classes among
   * them) instead of each mapping its own archive. Fencing never depends on it: the JVM checks an archive against
   * its class path and JDK and ignores one that is missing, damaged or does not match (-Xshare:auto, the default),
   * loading classes the usual way; {@code WatchdogProcessTest} starts a child with a damaged one.
   */
  static final String CDS_ARCHIVE_PROPERTY = "pgquorum.cds.archive";
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  /** Where util-linux installs setsid (a fixed path: PATH is not consulted for a safety component). */
  static final List<Path> SETSID_PATHS = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

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
  private boolean deviceFailed;
  private String deviceState = "inactive";

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

  /** A kernel watchdog device for the child to keep alive, with its timeout. */
  public record Device(Path path, Duration timeout) {}

  /** The child's command line without a device, in its own session when setsid exists. */
  public static List<String> command(Path pgCtl, Path dataDir, String member, int pgCtlTimeoutSeconds) {
    return command(setsid(), pgCtl, dataDir, member, pgCtlTimeoutSeconds, Optional.empty());
  }

  /**
   * The child's command line: {@code setsid} (when given), the JDK's java binary and this JVM's class path,
   * {@link WatchdogMain}, its arguments.
   */
  public static List<String> command(Optional<Path> setsid, Path pgCtl, Path dataDir, String member,
      int pgCtlTimeoutSeconds, Optional<Device> device) {
    return command(setsid, pgCtl, dataDir, member, pgCtlTimeoutSeconds, device,
        Optional.ofNullable(System.getProperty(CDS_ARCHIVE_PROPERTY)).filter(a -> !a.isBlank()).map(Path::of));
  }

  /** As above, with the class-data sharing archive the child maps, if any ({@link #CDS_ARCHIVE_PROPERTY}). */
  static List<String> command(Optional<Path> setsid, Path pgCtl, Path dataDir, String member,
      int pgCtlTimeoutSeconds, Optional<Device> device, Optional<Path> cdsArchive) {
    List<String> argv = new ArrayList<>();
    setsid.ifPresent(p -> argv.add(p.toString()));
    argv.add(javaBinary().toString());
    argv.addAll(CHILD_JVM_OPTIONS);
    // The options bin/lib-classpath.sh gives the daemon with its archive (pgquorum_cds_flags).
    cdsArchive.ifPresent(a -> argv.addAll(List.of("-XX:SharedArchiveFile=" + a, "-Xlog:cds=off",
        "-Xlog:cds+dynamic=off", "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0")));
    argv.add("-cp");
    argv.add(System.getProperty("java.class.path"));
    argv.add(WatchdogMain.class.getName());
    argv.addAll(List.of("--pg-ctl", pgCtl.toString(), "--data-dir", dataDir.toString(), "--name", member,
        "--timeout", Integer.toString(pgCtlTimeoutSeconds)));
    device.ifPresent(d -> argv.addAll(List.of("--device", d.path().toString(), "--device-timeout-ms",
        Long.toString(d.timeout().toMillis()))));
    return argv;
  }

  /**
   * The JDK's java launcher, by its installed path: {@code java.home} survives a package upgrade (dpkg renames the
   * new binary over the old path), whereas this process's {@code /proc/self/exe} then reads
   * {@code ".../bin/java (deleted)"}, which cannot be executed.
   */
  static Path javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /** Where setsid is looked for, for messages. */
  public static String setsidPaths() {
    return SETSID_PATHS.toString();
  }

  /** util-linux's setsid, if installed. */
  public static Optional<Path> setsid() {
    return SETSID_PATHS.stream().filter(java.nio.file.Files::isExecutable).findFirst();
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

  /**
   * False once the child reported that the kernel watchdog device failed (could not be opened or written, or its
   * timeout does not fit the lease), until a child activates it again. True without a device.
   */
  public boolean deviceUsable() {
    synchronized (lock) {
      return !deviceFailed;
    }
  }

  /** The kernel device as the child last reported it: inactive, active, closed, or failed. */
  public String deviceState() {
    synchronized (lock) {
      return deviceState;
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
    // The environment is inherited on purpose: a clock fault injected on this node (LD_PRELOAD, FAKETIME,
    // FAKETIME_SHARED) applies to its watchdog too. Secrets are not: the watchdog needs none.
    pb.environment().keySet().removeIf(k -> k.startsWith("PATRONI_") || k.equals("PGPASSWORD"));
    pb.redirectError(stderrFile.map(f -> ProcessBuilder.Redirect.appendTo(f.toFile()))
        .orElse(ProcessBuilder.Redirect.INHERIT));
    synchronized (lock) {
      if (closed) {
        return null;
      }
      long spawnNanos = nanoClock.getAsLong();
      Process c = pb.start();
      child = c;
      childInput = c.getOutputStream();
      ready = false;
      deviceFailed = false;
      deviceState = "inactive";
      Thread out = new Thread(() -> readChildOutput(c, spawnNanos), "watchdog-ready-" + name);
      out.setDaemon(true);
      out.start();
      log.info("started the lease watchdog process (pid {})", c.pid());
      return c;
    }
  }

  /**
   * Reads the child's standard output: {@code READY <its clock>} marks it usable (and makes the sender resend the
   * state) if its clock agrees with ours; device notices update the device state.
   */
  private void readChildOutput(Process c, long spawnNanos) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(c.getInputStream(),
        StandardCharsets.US_ASCII))) {
      String l;
      while ((l = r.readLine()) != null) {
        long readNanos = nanoClock.getAsLong();
        String t = l.strip();
        if (t.startsWith("READY")) {
          Optional<String> mismatch = clockMismatch(t, spawnNanos, readNanos);
          if (mismatch.isPresent()) {
            log.error("the watchdog process (pid {}) cannot be used: {}; stopping it", c.pid(), mismatch.get());
            c.destroyForcibly();
            continue;
          }
          synchronized (lock) {
            if (child == c) {
              ready = true;
              sentVersion = -1; // resend the current state to the new child
              lock.notifyAll();
            }
          }
        } else if (t.startsWith("DEVICE-")) {
          deviceNotice(c, t);
        }
      }
    } catch (IOException e) {
      // the child is gone; the monitor notices
    }
  }

  /**
   * Why the child's {@code READY <nanoTime>} shows a clock other than ours, if it does: the child read its clock
   * after we read {@code spawnNanos} and before we read the line at {@code readNanos}, so on one shared clock its
   * reading lies between the two.
   */
  static Optional<String> clockMismatch(String readyLine, long spawnNanos, long readNanos) {
    String[] parts = readyLine.split(" ");
    long theirs;
    try {
      theirs = parts.length == 2 ? Long.parseLong(parts[1]) : Long.MIN_VALUE;
    } catch (NumberFormatException e) {
      theirs = Long.MIN_VALUE;
    }
    if (theirs == Long.MIN_VALUE) {
      return Optional.of("it said " + readyLine + " instead of READY <nanoTime> (a watchdog of another version?)");
    }
    if (theirs - spawnNanos < 0 || readNanos - theirs < 0) {
      return Optional.of("its monotonic clock reads " + theirs + " while ours read " + spawnNanos + " before it "
          + "started and " + readNanos + " after it answered: lease deadlines would mean different instants to it "
          + "(is it under an LD_PRELOAD clock faker that does not share its start time with this process?)");
    }
    return Optional.empty();
  }

  private void deviceNotice(Process c, String line) {
    synchronized (lock) {
      if (child != c) {
        return;
      }
      if (line.equals("DEVICE-ACTIVE")) {
        deviceFailed = false;
        deviceState = "active";
        log.info("the watchdog process activated the kernel watchdog device");
      } else if (line.equals("DEVICE-CLOSED")) {
        deviceState = "closed";
      } else if (line.startsWith("DEVICE-FAILED")) {
        deviceFailed = true;
        deviceState = "failed";
        log.error("kernel watchdog device: {}", line.substring("DEVICE-FAILED".length()).strip());
      }
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

  /** ARM with the absolute deadline on the shared monotonic clock, or DISARM. */
  private static WatchdogCommand stateCommand(boolean arm, long deadline) {
    return arm ? new WatchdogCommand.Arm(deadline) : new WatchdogCommand.Disarm();
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
