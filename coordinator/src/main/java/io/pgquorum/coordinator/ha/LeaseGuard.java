package io.pgquorum.coordinator.ha;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fences PostgreSQL when the leader lease runs out, independently of the HA loop.
 *
 * <p>Why a separate thread: the loop may be blocked in a DCS call (up to retry_timeout) or a PostgreSQL operation
 * when the deadline arrives; the primary must still stop accepting writes in time. The guard checks every
 * {@link #CHECK_INTERVAL} and, once the deadline has passed, runs the fence (an immediate stop of PostgreSQL).
 * The check interval is part of the lease margin budget (see {@link LeaseState}).
 *
 * <p>The guard lives in the daemon's JVM, so it cannot fence when the JVM is frozen (SIGSTOP) or dead (kill -9):
 * that is the watchdog process's job ({@code io.pgquorum.coordinator.fence.WatchdogProcess}).
 */
public final class LeaseGuard implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseGuard.class);
  /** How often the deadline is checked; small against the margin (seconds). */
  public static final Duration CHECK_INTERVAL = Duration.ofMillis(50);

  private final LeaseState lease;
  private final Runnable fence;
  private final LongSupplier nanoClock;
  private final Thread thread;
  private volatile boolean closed;

  public LeaseGuard(LeaseState lease, Runnable fence, LongSupplier nanoClock, String name) {
    this.lease = lease;
    this.fence = fence;
    this.nanoClock = nanoClock;
    this.thread = new Thread(this::run, "lease-guard-" + name);
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    while (!closed) {
      try {
        if (lease.expireIfDue(nanoClock.getAsLong())) {
          log.warn("demoting self because the leader lease could not be refreshed before its deadline: "
              + "stopping PostgreSQL (immediate)");
          fence.run();
        }
        Thread.sleep(CHECK_INTERVAL.toMillis()); // a fixed-rate tick, not a stand-in for a condition
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.error("fencing PostgreSQL failed: {}", e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
