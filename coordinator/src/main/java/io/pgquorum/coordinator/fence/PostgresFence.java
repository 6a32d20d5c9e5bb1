package io.pgquorum.coordinator.fence;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The one fencing procedure, shared by the daemon ({@code LeaseGuard}, a lost required watchdog, an immediate
 * demote; through {@link PrimaryGate}) and the watchdog process ({@link WatchdogMain}). It returns only once
 * PostgreSQL is verifiably gone: no process of the data directory is left ({@link PgProcesses}).
 *
 * <ol>
 *   <li>Scan: nothing there, done (no fork at all).
 *   <li>{@code pg_ctl stop -m immediate}, started without waiting for it: the postmaster sends SIGQUIT to every
 *       backend, which stops accepting writes at once.
 *   <li>When pg_ctl could not be started (fork failed, binary gone), has exited while processes remain (failed,
 *       or orphans it does not know about), or {@link #GRACE} has passed: SIGKILL every process found, the
 *       postmaster first (so that it cannot start a crash restart), through {@link ProcessHandle#destroyForcibly()}
 *       (a {@code kill(2)}, no fork).
 *   <li>Scan again every {@link #POLL} and kill whatever is (still, or newly) there, until a scan is empty and
 *       every process any scan found has exited (gone, or a zombie): an exiting process drops its cwd (which the
 *       scan goes by) while the kernel is still tearing it down, so a scan alone can miss one that is not yet gone.
 * </ol>
 * An unreadable or garbled {@code postmaster.pid} changes nothing here: the scan does not need it (pg_ctl then
 * fails at once and step 3 follows). The procedure never gives up; it reports every {@link #REPORT_EVERY} while
 * something is left (a process stuck in uninterruptible sleep dies when it leaves the kernel; it cannot run a
 * single instruction of PostgreSQL meanwhile, but it is not "gone" yet).
 *
 * <p><b>Timing budget.</b> The lease margin is retry_timeout (at least 1 s): the deadline the guard and the
 * watchdog fence at comes at least 1 s before the DCS can expire the lease. Within it:
 * <ul>
 *   <li>the guard notices the deadline within its check interval (50 ms); the watchdog wakes at the deadline;
 *   <li>pg_ctl stop -m immediate normally stops writes within a few tens of milliseconds (fork, exec, SIGQUIT);
 *   <li>if it cannot, SIGKILL follows at {@link #GRACE} = 250 ms, and a scan of /proc takes a few milliseconds
 *       (about 5 ms for 150 processes in the interpreted watchdog JVM): writes stop by about 50 + 250 + 50 +
 *       {@link #POLL} ms = 370 ms after the deadline in the worst case that does not involve the machine stalling,
 * </ul>
 * leaving more than 600 ms of the smallest margin for scheduling delays and clock drift. {@link #worstCaseNanos}
 * is this sum; {@code PostgresFenceBudgetTest} checks it against the smallest margin.
 */
public final class PostgresFence {
  /** How long pg_ctl's immediate stop gets before everything is SIGKILLed. */
  public static final Duration GRACE = Duration.ofMillis(250);
  /** Interval between scans while something is left (or while the caller does not let the fence finish). */
  static final Duration POLL = Duration.ofMillis(20);
  /** While something is still left, a progress line this often. */
  static final Duration REPORT_EVERY = Duration.ofSeconds(5);
  /**
   * A generous bound on one scan of /proc, for the budget (measured: about 5 ms for 150 processes in the
   * interpreted watchdog JVM, 1-2 ms in the daemon).
   */
  static final Duration SCAN_BOUND = Duration.ofMillis(50);
  /** The lease guard's check interval, for the budget (kept equal to {@code LeaseGuard.CHECK_INTERVAL}). */
  static final Duration GUARD_TICK = Duration.ofMillis(50);
  /** The smallest lease margin pgquorum accepts (retry_timeout is at least 1 s). */
  public static final Duration SMALLEST_MARGIN = Duration.ofSeconds(1);

  private final Path pgCtl;
  private final PgProcesses processes;
  private final int pgCtlTimeoutSeconds;
  private final Consumer<String> log;

  /**
   * @param pgCtl the {@code pg_ctl} binary
   * @param dataDir the data directory whose PostgreSQL is fenced
   * @param pgCtlTimeoutSeconds pg_ctl's own {@code -t} (it is killed once the procedure is done anyway)
   * @param log where progress lines go (the daemon's logger, or the watchdog's standard error)
   */
  public PostgresFence(Path pgCtl, Path dataDir, int pgCtlTimeoutSeconds, Consumer<String> log) {
    this.pgCtl = pgCtl;
    this.processes = new PgProcesses(dataDir);
    this.pgCtlTimeoutSeconds = Math.max(1, pgCtlTimeoutSeconds);
    this.log = log;
  }

  /** The worst-case time from a deadline to SIGKILL of everything, without a stalled machine (see above). */
  static long worstCaseNanos() {
    return GUARD_TICK.toNanos() + GRACE.toNanos() + SCAN_BOUND.toNanos() + POLL.toNanos();
  }

  public Path dataDir() {
    return processes.dataDir();
  }

  /** What a fence did. */
  public record Outcome(boolean found, boolean killed, long elapsedNanos, String pgCtl) {
    public String describe() {
      if (!found) {
        return "no PostgreSQL process of the data directory was running";
      }
      return "PostgreSQL is gone after " + elapsedNanos / 1_000_000L + " ms (" + pgCtl
          + (killed ? "; SIGKILL of what was left" : "") + ")";
    }
  }

  /** Fences until nothing is left. */
  public Outcome fence(String why) throws InterruptedException {
    return fence(why, () -> true);
  }

  /**
   * Fences until nothing is left and {@code mayFinish} (asked before each scan) agrees: a caller that knows a
   * start may be in flight keeps the fence going until that start is over.
   *
   * @throws InterruptedException when interrupted; whatever was killed stays killed
   */
  public Outcome fence(String why, BooleanSupplier mayFinish) throws InterruptedException {
    long start = System.nanoTime();
    long firstSeen = -1;
    Process stop = null;
    String pgCtlOutcome = "pg_ctl not needed";
    boolean pgCtlTried = false;
    boolean exitSeen = false;
    boolean killed = false;
    // Every process a scan found, until it has exited (the handle refuses to signal a reused pid).
    java.util.Map<Long, ProcessHandle> seen = new java.util.HashMap<>();
    long nextReport = start + REPORT_EVERY.toNanos();
    try {
      while (true) {
        boolean finishAllowed = mayFinish.getAsBoolean(); // asked before the scan that may prove "gone"
        Optional<PgProcesses.Scan> scan = scan();
        scan.ifPresent(sc -> sc.members().forEach(m -> seen.put(m.pid(), m.handle())));
        // The handle's isAlive is false for a reused pid (it checks the start time), so a pid taken by another
        // process after init reaped ours never holds the fence; a zombie is exited too.
        seen.values().removeIf(h -> !h.isAlive() || PgProcesses.exited(h.pid()));
        boolean nothingLeft = scan.map(PgProcesses.Scan::empty).orElseGet(this::pidFileSaysStopped) && seen.isEmpty();
        if (nothingLeft) {
          if (finishAllowed) {
            return new Outcome(firstSeen >= 0, killed, System.nanoTime() - start, pgCtlOutcome);
          }
        } else {
          long now = System.nanoTime();
          String what = scan.filter(sc -> !sc.empty()).map(sc -> "processes " + sc.pids())
              .orElse(scan.isPresent() ? "exiting processes " + seen.keySet()
                  : "the postmaster in postmaster.pid (no /proc)");
          if (firstSeen < 0) {
            firstSeen = now;
            log.accept("fencing PostgreSQL in " + dataDir() + " (" + why + "): " + what
                + " running; pg_ctl stop -m immediate");
          }
          if (!pgCtlTried) {
            pgCtlTried = true;
            try {
              stop = startPgCtl();
              pgCtlOutcome = "pg_ctl stop -m immediate";
            } catch (IOException e) {
              pgCtlOutcome = "pg_ctl could not be started: " + e.getMessage();
            }
          }
          boolean pgCtlDone = stop == null || !stop.isAlive();
          if (pgCtlDone && stop != null && !exitSeen) {
            exitSeen = true;
            pgCtlOutcome = describeExit(stop);
          }
          if (pgCtlDone || now - firstSeen >= GRACE.toNanos()) {
            if (!killed) {
              log.accept("fencing: " + (pgCtlDone ? pgCtlOutcome : "pg_ctl has not finished after "
                  + GRACE.toMillis() + " ms") + ", and " + what + " still running: SIGKILL");
            }
            killed = true;
            if (scan.isPresent()) {
              for (PgProcesses.Member m : scan.get().members()) {
                m.handle().destroyForcibly(); // SIGKILL; false only when already gone or not ours to signal
              }
              // One that left the scan while exiting gets it again: a no-op if it was already killed.
              seen.values().forEach(ProcessHandle::destroyForcibly);
            } else {
              killByPidFile();
            }
          }
          if (now - nextReport >= 0) {
            nextReport = now + REPORT_EVERY.toNanos();
            log.accept("still fencing PostgreSQL in " + dataDir() + " after " + (now - start) / 1_000_000L
                + " ms: " + what + " left");
          }
        }
        Thread.sleep(POLL.toMillis()); // the re-scan interval of a loop that must see the processes gone
      }
    } finally {
      if (stop != null && stop.isAlive()) {
        // pg_ctl -w waits for a postmaster.pid that a SIGKILLed postmaster leaves behind: nothing left to wait for.
        stop.destroyForcibly();
      }
    }
  }

  /** Whether any process of the data directory is running now (empty when /proc cannot be read). */
  public Optional<Boolean> anyRunning() {
    return scan().map(s -> !s.empty());
  }

  private Optional<PgProcesses.Scan> scan() {
    try {
      return Optional.of(processes.scan());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private Process startPgCtl() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(pgCtl.toString(), "stop", "-D", dataDir().toString(), "-m",
        "immediate", "-w", "-t", Integer.toString(pgCtlTimeoutSeconds))
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().keySet().removeIf(k -> k.startsWith("PATRONI_") || k.equals("PGPASSWORD"));
    Process p = pb.start();
    p.getOutputStream().close();
    return p;
  }

  private static String describeExit(Process p) {
    int code = p.exitValue();
    String last = "";
    try (InputStream in = p.getInputStream()) {
      String out = new String(in.readNBytes(8192), StandardCharsets.UTF_8).strip();
      last = out.lines().reduce((a, b) -> b).orElse("");
    } catch (IOException e) {
      // no output to show
    }
    return "pg_ctl stop -m immediate exited " + code + (last.isEmpty() ? "" : " (" + last + ")");
  }

  /**
   * Without /proc (never on Linux in practice) only postmaster.pid is left to go by: stopped when the file is
   * absent or its pid is dead; an unreadable or garbled file is never "stopped".
   */
  private boolean pidFileSaysStopped() {
    try {
      List<String> lines = Files.readAllLines(dataDir().resolve("postmaster.pid"), StandardCharsets.UTF_8);
      return !lines.isEmpty() && ProcessHandle.of(Long.parseLong(lines.get(0).trim()))
          .filter(ProcessHandle::isAlive).isEmpty();
    } catch (java.nio.file.NoSuchFileException e) {
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private void killByPidFile() {
    try {
      List<String> lines = Files.readAllLines(dataDir().resolve("postmaster.pid"), StandardCharsets.UTF_8);
      if (!lines.isEmpty()) {
        ProcessHandle.of(Long.parseLong(lines.get(0).trim())).ifPresent(ProcessHandle::destroyForcibly);
      }
    } catch (IOException | RuntimeException e) {
      // cannot tell which process: the loop keeps trying and reporting
    }
  }
}
