package io.pgquorum.coordinator.node;

import io.pgquorum.coordinator.ha.LeaseListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watchdog process a previous start of this node left behind, and the one rule for it.
 *
 * <p>A daemon killed with -9 leaves its watchdog running, on purpose: it fences PostgreSQL at the old lease's
 * deadline, and for a few seconds after it kills whatever PostgreSQL appears (a start that was in flight). A
 * daemon restarted on the same node re-adopts that lease (same fencing token, see {@code ClusterStore}) and keeps
 * PostgreSQL running, so the old watchdog would then kill the primary the new daemon legitimately runs and turn a
 * quick restart into a failover. Rule: the old watchdog is stopped once this daemon's own lease is armed on its
 * own ready watchdog (or it runs without one): from then on this daemon's fences cover whatever lease the old one
 * guarded (a re-adopted lease is the same lease with a later deadline; a newly acquired one means the old lease
 * was gone from the DCS, which happens only after the old deadline, when the old watchdog has fenced already).
 *
 * <p>Which process: its pid and start time are recorded in {@code <raft.data_dir>/pgquorum-watchdog.pid} whenever a
 * watchdog of this node starts; a live process counts only if both match and it runs the watchdog's main class,
 * so a reused pid is never touched.
 */
final class PreviousWatchdog implements LeaseListener {
  private static final Logger log = LoggerFactory.getLogger(PreviousWatchdog.class);
  static final String FILE = "pgquorum-watchdog.pid";
  private static final String MAIN = "io.pgquorum.coordinator.fence.WatchdogMain";

  private final LeaseListener next;
  private final BooleanSupplier ownWatchdogReady;
  private volatile Optional<ProcessHandle> previous;

  /**
   * @param previous the previous start's watchdog, when one still runs ({@link #find})
   * @param next this daemon's own listener (its watchdog), told first
   * @param ownWatchdogReady whether this daemon's own watchdog (when it has one) is ready to fence
   */
  PreviousWatchdog(Optional<ProcessHandle> previous, LeaseListener next, BooleanSupplier ownWatchdogReady) {
    this.previous = previous;
    this.next = next;
    this.ownWatchdogReady = ownWatchdogReady;
  }

  @Override
  public void armed(long fencingToken, long deadlineNanos) {
    next.armed(fencingToken, deadlineNanos);
    Optional<ProcessHandle> p = previous;
    if (p.isPresent() && ownWatchdogReady.getAsBoolean()) {
      previous = Optional.empty();
      if (p.get().isAlive()) {
        log.info("stopping the watchdog process of this node's previous daemon (pid {}): this daemon's lease "
            + "(fencing token {}) is armed on its own fences", p.get().pid(), fencingToken);
        p.get().destroyForcibly();
      }
    }
  }

  @Override
  public void disarmed() {
    next.disarmed();
  }

  /** The previous start's watchdog, if it still runs (pid, start time and main class all match). */
  static Optional<ProcessHandle> find(Path raftDataDir) {
    try {
      String[] parts = Files.readString(raftDataDir.resolve(FILE), StandardCharsets.US_ASCII).trim().split(" ");
      long pid = Long.parseLong(parts[0]);
      long startMillis = Long.parseLong(parts[1]);
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .filter(h -> h.info().startInstant().map(Instant::toEpochMilli).orElse(-1L) == startMillis)
          .filter(h -> h.info().arguments().map(a -> java.util.Arrays.asList(a).contains(MAIN)).orElse(false));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // none recorded, or not readable: nothing is touched
    }
  }

  /** Records {@code watchdog} as this node's current watchdog process. */
  static void record(Path raftDataDir, ProcessHandle watchdog) {
    Optional<Instant> start = watchdog.info().startInstant();
    if (start.isEmpty()) {
      return;
    }
    Path tmp = raftDataDir.resolve(FILE + ".tmp");
    try {
      Files.writeString(tmp, watchdog.pid() + " " + start.get().toEpochMilli() + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, raftDataDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      log.warn("could not record the watchdog's pid in {}: {}", raftDataDir, e.getMessage());
    }
  }
}
