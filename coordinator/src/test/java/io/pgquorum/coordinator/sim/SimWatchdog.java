package io.pgquorum.coordinator.sim;

import io.pgquorum.coordinator.ha.LeaseListener;
import io.pgquorum.coordinator.postgres.StopMode;

/**
 * The watchdog process, reduced to its lease rules ({@code fence.WatchdogState}): armed with every deadline the
 * daemon's lease reports, disarmed once the lease is gone and PostgreSQL stopped; when an armed deadline passes on
 * the machine's clock it fences (stops PostgreSQL immediately), whether the daemon runs, is frozen or is dead. It
 * lives outside the daemon: pausing or killing the daemon does not pause or kill it. After its fence it guards
 * (fences again whatever comes up) until the daemon arms or disarms it, or for {@link #HOLD} once orphaned.
 */
final class SimWatchdog implements LeaseListener {
  static final long GUARD_INTERVAL = 200 * SimOptions.MS;
  static final long HOLD = 3 * SimOptions.S;

  private final SimNode node;
  private boolean armed;
  private long deadline;
  private boolean fired;
  private long firedAt;
  private long lastFence;
  private boolean orphaned;
  private boolean finished;

  SimWatchdog(SimNode node) {
    this.node = node;
  }

  @Override
  public void armed(long fencingToken, long deadlineNanos) {
    if (!orphaned) {
      armed = true;
      fired = false;
      deadline = deadlineNanos;
    }
  }

  @Override
  public void disarmed() {
    if (!orphaned) {
      armed = false;
      fired = false;
    }
  }

  /** The daemon died: input ended. Disarmed, it finishes; armed, it fences at the deadline, guards, finishes. */
  void orphan() {
    orphaned = true;
    if (!armed) {
      finished = true;
    }
  }

  /** It fenced at its deadline and still guards (fences whatever PostgreSQL comes up) until armed or disarmed. */
  boolean guarding() {
    return armed && fired;
  }

  /** When this watchdog acts next (true time), or NEVER. */
  long dueAt() {
    if (finished || !armed) {
      return SimNode.NEVER;
    }
    if (!fired) {
      return node.clock.trueTimeOf(deadline);
    }
    return node.pg.running ? lastFence + GUARD_INTERVAL : SimNode.NEVER;
  }

  void act() {
    long now = node.cluster.time.now();
    if (fired && orphaned && now - firedAt > HOLD) {
      finished = true;
      return;
    }
    lastFence = now;
    if (node.pg.running) {
      node.cluster.effect(node, "watchdog fences PostgreSQL");
      node.pg.stop(StopMode.IMMEDIATE);
    }
    if (!fired) {
      fired = true;
      firedAt = now;
    }
  }
}
