package io.pgquorum.coordinator.fence;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Serialises "make PostgreSQL a writable primary" (start as primary, promote) with fencing, in the daemon.
 *
 * <p>The race it closes: the lease guard fences at the deadline, finds no postmaster yet because a
 * {@code pg_ctl start} is still starting it (the postmaster becomes visible in {@code /proc} and
 * {@code postmaster.pid} only after its first milliseconds), finishes; the start then completes: a primary without
 * a lease. Rules:
 * <ol>
 *   <li>A primary start (or promote) is refused unless the lease is valid at that moment, checked under the gate's
 *       lock, which also registers the start as in flight.
 *   <li>A fence that begins while a start is in flight keeps fencing (killing whatever appears) until no start is in
 *       flight and a scan made after that shows nothing left. A start that registers later sees the lease invalid
 *       (the fence runs because it ran out) and is refused, unless a new lease was confirmed meanwhile, and then the
 *       start is legitimate.
 *   <li>After a start or promote has completed, the lease is checked again: if it ran out meanwhile, the server is
 *       fenced and the operation fails.
 * </ol>
 *
 * <p>The watchdog process is not part of this gate (it is another process): after fencing it keeps watching the data
 * directory until the daemon arms or disarms it again (see {@link WatchdogState}).
 */
public final class PrimaryGate {
  private final BooleanSupplier leaseValid;
  private final PostgresFence fence;
  private int inFlight;

  /**
   * @param leaseValid whether this node holds a lease whose deadline has not passed, now (asked under the gate)
   * @param fence the fencing procedure for this node's data directory
   */
  public PrimaryGate(BooleanSupplier leaseValid, PostgresFence fence) {
    this.leaseValid = leaseValid;
    this.fence = fence;
  }

  /** The lease ran out before, during, or right after an operation that makes a primary. */
  public static final class LeaseLostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LeaseLostException(String message) {
      super(message);
    }
  }

  /**
   * Runs {@code operation} (one that makes PostgreSQL a writable primary) under the rules above.
   *
   * @param what the operation, for messages ("start PostgreSQL as primary")
   * @throws LeaseLostException when the lease is not valid before, or ran out by the end (then the server was
   *     fenced before this returns)
   */
  public <T> T asPrimary(String what, Supplier<T> operation) {
    synchronized (this) {
      if (!leaseValid.getAsBoolean()) {
        throw new LeaseLostException("refusing to " + what + ": the leader lease is not valid");
      }
      inFlight++;
    }
    T result;
    try {
      result = operation.get();
    } catch (RuntimeException | Error e) {
      // A failed start may still have left a server running (it started but could not be probed, say): the
      // same re-check applies before the failure is reported.
      finish(what);
      throw e;
    }
    if (finish(what)) {
      throw new LeaseLostException(what + " completed after the leader lease ran out: PostgreSQL was fenced");
    }
    return result;
  }

  /** Ends an in-flight operation; fences and returns true when the lease is no longer valid. */
  private boolean finish(String what) {
    synchronized (this) {
      inFlight--;
    }
    if (leaseValid.getAsBoolean()) {
      return false;
    }
    fenceUninterruptibly("the leader lease ran out while PostgreSQL was being made primary (" + what + ")");
    return true;
  }

  /** {@link #asPrimary(String, Supplier)} for an operation without a result. */
  public void asPrimary(String what, Runnable operation) {
    asPrimary(what, () -> {
      operation.run();
      return null;
    });
  }

  /**
   * Fences: returns once no start is in flight and nothing of the data directory's PostgreSQL is left.
   *
   * @throws InterruptedException when interrupted (what was killed stays killed)
   */
  public PostgresFence.Outcome fence(String why) throws InterruptedException {
    return fence.fence(why, this::noStartInFlight);
  }

  /** Like {@link #fence(String)} but keeps going through interrupts (re-asserting the flag at the end). */
  public PostgresFence.Outcome fenceUninterruptibly(String why) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return fence(why);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private synchronized boolean noStartInFlight() {
    return inFlight == 0;
  }

  /** Whether a process of the data directory runs now (empty: /proc cannot be read). */
  public Optional<Boolean> anyRunning() {
    return fence.anyRunning();
  }

  /** Starts in flight now (for tests and status). */
  public synchronized int startsInFlight() {
    return inFlight;
  }
}
