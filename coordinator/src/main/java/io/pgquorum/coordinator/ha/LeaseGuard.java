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
 * {@link #CHECK_INTERVAL} and, once the deadline has passed, runs the fence (the fencing procedure,
 * {@code io.pgquorum.coordinator.fence.PostgresFence}, which returns only once PostgreSQL is verifiably gone). A
 * fence that fails (throws) is run again every check interval until it succeeds: fencing never fires just once.
 * The check interval is part of the lease margin budget (see {@code PostgresFence}).
 *
 * <p>The guard lives in the daemon's JVM, so it cannot fence when the JVM is frozen (SIGSTOP) or dead (kill -9):
 * that is the watchdog process's job ({@code io.pgquorum.coordinator.fence.WatchdogProcess}).
 */
public final class LeaseGuard implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseGuard.class);
  /** How often the deadline is checked; small against the margin (seconds). */
  public static final Duration CHECK_INTERVAL = Duration.ofMillis(50);
  /**
   * How long the guard waits at most, when no lease is held and no fence is owed, before it looks again. Why it need
   * not poll then: a check with no lease held and nothing owed does nothing, and a lease becomes held only through
   * {@link HeldLease#extend}, which wakes the wait; the bound is only a safety net. Polling every 50 ms on the nodes
   * that hold nothing cost each of them 20 wake-ups a second (measured 2026-12-07).
   */
  static final Duration IDLE_WAIT = Duration.ofSeconds(1);

  private final HeldLease lease;
  private final Duration idleWait;
  private final Runnable fence;
  private final LongSupplier nanoClock;
  private final Thread thread;
  private volatile boolean closed;
  /** A fence is owed (the deadline passed, the last fence failed); only the checking thread touches it. */
  private boolean pending;

  public LeaseGuard(HeldLease lease, Runnable fence, LongSupplier nanoClock, String name) {
    this(lease, fence, nanoClock, name, IDLE_WAIT);
  }

  /** With another idle bound: tests, to show that a lease becoming held wakes the guard (not the bound). */
  LeaseGuard(HeldLease lease, Runnable fence, LongSupplier nanoClock, String name, Duration idleWait) {
    this.idleWait = idleWait;
    this.lease = lease;
    this.fence = fence;
    this.nanoClock = nanoClock;
    this.thread = new Thread(this::run, "lease-guard-" + name);
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** The checking thread's state (tests: to act only once an idle guard waits). */
  Thread.State threadState() {
    return thread.getState();
  }

  private void run() {
    while (!closed) {
      check();
      try {
        if (pending || lease.deadlineNanos().isPresent()) {
          Thread.sleep(CHECK_INTERVAL.toMillis()); // a fixed-rate tick, not a stand-in for a condition
        } else {
          lease.awaitHeld(idleWait.toMillis());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * One check: clears a lease whose deadline has passed and runs the fence, again on every check until it
   * succeeds. The guard's thread calls it every {@link #CHECK_INTERVAL}; the deterministic simulator calls it
   * itself (without {@link #start()}) at the virtual instants it chooses, so the same code fences there.
   */
  public void check() {
    try {
      if (lease.expireIfDue(nanoClock.getAsLong())) {
        log.warn("demoting self because the leader lease could not be refreshed before its deadline: "
            + "stopping PostgreSQL (immediate)");
        pending = true;
      }
      if (pending) {
        fence.run();
        pending = false;
      }
    } catch (RuntimeException e) {
      log.error("fencing PostgreSQL failed, trying again: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
