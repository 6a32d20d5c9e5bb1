package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.LeaseGrant;
import io.pgquorum.coordinator.metrics.NodeMetrics;
import io.pgquorum.dcs.api.DcsException;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes the leader lock between the HA loop's cycles, on its own thread, so that a long cycle (DCS retries, a
 * slow PostgreSQL query, a pause of the loop's thread) does not cost the lease. It refreshes only under the license
 * the loop's last plan granted ({@link KeeperLicense}, decided by {@link LeaseKeeping}), only when a refresh is due
 * by those rules, and by exactly the loop's deadline rules: the deadline is measured from before the send and moved
 * only by a confirmed refresh ({@link HeldLease#extendHeld}); a refresh with an unknown outcome moves nothing. It
 * uses the DCS client's refresh as the loop does ({@link ClusterStore#renewLeader}), leader-local where the DCS
 * offers it. The loop's own {@link Action.RefreshLock} stays: it is what finds a lost lock within a cycle and re-arms
 * a changed ttl; while the loop keeps up, the keeper sends nothing.
 *
 * <p>Ordering with the loop. The license is replaced (or revoked) by {@link #license} under this object's monitor,
 * synchronously, before the plan's first step runs. A refresh takes the license's generation when it is sent and
 * moves the deadline only if, under the same monitor, the generation is still the same when the reply is handled;
 * so once {@link #license} returned, no refresh sent under an earlier license (or under none) moves the deadline
 * again. A revoked refresh may still reach the DCS and re-arm the key there: harmless, since the loop then releases
 * the key (a compare-and-delete on its mod revision, which a refresh does not change) or stops PostgreSQL before it
 * could matter, and the replicas wait at most one more ttl, as after any refresh the loop itself just made. A new
 * generation is also what keeps a refresh under an older ttl from raising the deadline above a re-arm's cap
 * ({@link Action.RearmLock}): the re-arm's plan carries other terms, hence a new generation, before its cap.
 *
 * <p>A lost lock (the key is no longer ours) is not cleared here: the keeper stops refreshing and wakes the loop,
 * which demotes as after its own lost refresh; should the loop be stuck, the deadline stands and the guard fences at
 * it, as before the keeper existed. Clearing here would leave a stuck loop's primary with no guard at all.
 *
 * <p>{@link #tick()} is one look, at the instant the injected clock says: the keeper's thread calls it every
 * {@link LeaseKeeping#TICK}; the deterministic simulator calls it itself at the instants {@link #nextRefreshNanos()}
 * names.
 */
public final class LeaseKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);
  /** At most one INFO line per this about refreshes made for a late loop ({@link #reportLate}). */
  static final Duration LATE_LINE_EVERY = Duration.ofMinutes(1);

  /** What one {@link #tick()} did. */
  public enum Outcome {
    /** Nothing due. */
    IDLE,
    /** Refreshed: the deadline moved. */
    CONFIRMED,
    /** The key is no longer ours: the license is dropped and the loop woken. */
    LOST,
    /** The DCS did not answer: nothing moves. */
    UNKNOWN,
    /** Confirmed, but the license changed meanwhile: the deadline is left alone (see the class comment). */
    SUPERSEDED
  }

  /** The longest wait of a keeper thread without a license before it looks again (see {@link #idle}). */
  static final Duration IDLE_WAIT = Duration.ofSeconds(1);

  private final Duration idleWait;
  private final ClusterStore store;
  private final HeldLease lease;
  private final LongSupplier nanoClock;
  private final Runnable wakeLoop;
  private final String name;
  private final boolean disabled;
  private volatile NodeMetrics metrics = NodeMetrics.withoutRaft();
  private Thread thread;
  private volatile boolean closed;
  /** The license in force (guarded by this). */
  private Optional<KeeperLicense> license = Optional.empty();
  /** Bumped whenever the license is revoked or replaced by one for another token or other terms (guarded by this). */
  private long generation;
  /** When the last INFO line about a late loop was logged, and refreshes for a late loop since (guarded by this). */
  private OptionalLong lateLineAt = OptionalLong.empty();
  private long lateSinceLine;
  /** When the keeper's last attempt was sent, under the current generation (guarded by this). */
  private OptionalLong lastAttempt = OptionalLong.empty();

  public LeaseKeeper(ClusterStore store, HeldLease lease, LongSupplier nanoClock, Runnable wakeLoop, String name,
      PlantedBugs bugs) {
    this(store, lease, nanoClock, wakeLoop, name, bugs, IDLE_WAIT);
  }

  /** With another idle bound: tests, to show that a license wakes an idle keeper (not the bound). */
  LeaseKeeper(ClusterStore store, HeldLease lease, LongSupplier nanoClock, Runnable wakeLoop, String name,
      PlantedBugs bugs, Duration idleWait) {
    this.idleWait = idleWait;
    this.store = store;
    this.lease = lease;
    this.nanoClock = nanoClock;
    this.wakeLoop = wakeLoop;
    this.name = name;
    this.disabled = bugs.active(HaBug.NO_LEASE_KEEPER);
  }

  /** Where refreshes are counted (the lease-refresh metric the loop's own refreshes go to). */
  void useMetrics(NodeMetrics m) {
    metrics = m;
  }

  /**
   * Replaces the license (empty revokes). Returns only once no refresh sent under another license can move the
   * deadline any more (a renewal of the same token and terms keeps a refresh in flight valid: it was licensed).
   */
  public synchronized void license(Optional<KeeperLicense> next) {
    boolean renewal = license.isPresent() && next.isPresent() && license.get().token() == next.get().token()
        && license.get().terms().equals(next.get().terms());
    if (!renewal) {
      generation++;
      lastAttempt = OptionalLong.empty();
    }
    license = next;
    notifyAll(); // a keeper thread idling without a license looks at the new one
  }

  /** The instant (node clock) of the next due refresh under the current license and lease; empty when none. */
  public synchronized OptionalLong nextRefreshNanos() {
    if (disabled || closed) {
      return OptionalLong.empty();
    }
    return LeaseKeeping.nextRefresh(license, view(), nanoClock.getAsLong());
  }

  private LeaseKeeping.LeaseView view() {
    return new LeaseKeeping.LeaseView(lease.token(), lease.deadlineNanos(), lease.confirmedSentNanos(), lastAttempt);
  }

  /** One look: sends a refresh if one is due now, and applies its reply. */
  public Outcome tick() {
    if (disabled) {
      // PLANTED BUG no-lease-keeper (test harness only): the lease depends on the loop's cycles alone, as before.
      return Outcome.IDLE;
    }
    long sent;
    long gen;
    KeeperLicense l;
    synchronized (this) {
      sent = nanoClock.getAsLong(); // the deadline counts from before the send
      OptionalLong due = LeaseKeeping.nextRefresh(license, view(), sent);
      if (closed || due.isEmpty() || due.getAsLong() != sent) {
        return Outcome.IDLE;
      }
      l = license.get();
      gen = generation;
      lastAttempt = OptionalLong.of(sent);
    }
    long started = System.nanoTime(); // the metric's real time, whatever clock the lease runs on
    Optional<LeaseGrant> grant;
    try {
      grant = store.renewLeader(l.token());
    } catch (DcsException e) {
      metrics.leaseRefresh(System.nanoTime() - started, NodeMetrics.RefreshOutcome.UNKNOWN);
      log.warn("the lease keeper could not refresh the leader lock: {}", e.getMessage());
      return Outcome.UNKNOWN;
    }
    metrics.leaseRefresh(System.nanoTime() - started, grant.isEmpty() ? NodeMetrics.RefreshOutcome.LOST
        : NodeMetrics.RefreshOutcome.CONFIRMED);
    synchronized (this) {
      if (gen != generation) {
        return Outcome.SUPERSEDED;
      }
      if (grant.isEmpty()) {
        license = Optional.empty();
        generation++;
        log.warn("the lease keeper found the leader lock no longer ours; waking the HA loop");
        wakeLoop.run();
        return Outcome.LOST;
      }
      lease.headroomAt(l.token(), nanoClock.getAsLong()).ifPresent(metrics::leaseHeadroom);
      boolean extended = lease.extendHeld(l.token(), sent, l.terms().validForNanos(grant.get().ttl()));
      if (extended) {
        reportLate(l.token(), sent);
      }
      return extended ? Outcome.CONFIRMED : Outcome.SUPERSEDED;
    }
  }

  /**
   * Logs a refresh the keeper made because the loop was late: at INFO at most once per {@link #LATE_LINE_EVERY},
   * saying how many there were since the last such line, otherwise at DEBUG. Why: on a saturated machine the loop
   * can be late in most cycles (the soak of 2026-12-06), and a line a second would bury everything else in the log.
   */
  private void reportLate(long token, long nowNanos) {
    lateSinceLine++;
    if (lateLineAt.isEmpty() || nowNanos - lateLineAt.getAsLong() >= LATE_LINE_EVERY.toNanos()) {
      log.info("the HA loop is late: the lease keeper refreshed the leader lock (fencing token {}; {} since the last "
          + "such line)", token, lateSinceLine);
      lateLineAt = OptionalLong.of(nowNanos);
      lateSinceLine = 0;
    } else {
      log.debug("the HA loop is late: the lease keeper refreshed the leader lock (fencing token {})", token);
    }
  }

  /** Starts the keeper's thread (the daemon's loop does; the simulator calls {@link #tick()} itself). */
  public synchronized void start() {
    if (thread != null || closed) {
      return;
    }
    thread = new Thread(this::run, "lease-keeper-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (!closed) {
      try {
        tick();
      } catch (RuntimeException e) {
        // A refresh that failed in an unexpected way moves nothing; the next tick looks again.
        log.error("the lease keeper's refresh failed: {}", e.toString());
      }
      try {
        idle();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Between two looks: a {@link LeaseKeeping#TICK} while a license is in force; without one, until {@link #license}
   * grants one (at most {@link #IDLE_WAIT}), since a look without a license sends nothing. Why: ticking every 100 ms
   * on the nodes that hold no lease cost each of them 10 wake-ups a second (measured 2026-12-07).
   */
  private void idle() throws InterruptedException {
    synchronized (this) {
      if (license.isEmpty() && !closed) {
        wait(idleWait.toMillis());
        return;
      }
    }
    Thread.sleep(LeaseKeeping.TICK.toMillis()); // a fixed-rate tick, not a stand-in for a condition
  }

  /** The keeper thread's state (tests: to act only once an idle keeper waits); NEW before {@link #start}. */
  synchronized Thread.State threadState() {
    return thread == null ? Thread.State.NEW : thread.getState();
  }

  /** Revokes the license and stops the thread: nothing is refreshed once this returned. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      license(Optional.empty());
      if (thread != null) {
        thread.interrupt();
      }
    }
  }
}
