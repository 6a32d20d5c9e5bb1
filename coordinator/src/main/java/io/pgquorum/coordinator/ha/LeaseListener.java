package io.pgquorum.coordinator.ha;

/**
 * Observes {@link HeldLease} so that an outside fence (the watchdog process) follows the lease: armed with the
 * new deadline on every confirmed acquire/refresh, disarmed once the lease is gone <em>and</em> PostgreSQL has
 * been stopped. Calls happen under the lease's lock, in order, so implementations must not block.
 */
public interface LeaseListener {
  /** A listener that ignores everything (no watchdog). */
  LeaseListener NONE = new LeaseListener() {
    @Override
    public void armed(long fencingToken, long deadlineNanos) {}

    @Override
    public void disarmed() {}
  };

  /** The lease with {@code fencingToken} is valid until {@code deadlineNanos} on the daemon's nano clock. */
  void armed(long fencingToken, long deadlineNanos);

  /** Nothing is left to fence: the lease is not held and PostgreSQL was stopped (or never ran as primary). */
  void disarmed();
}
