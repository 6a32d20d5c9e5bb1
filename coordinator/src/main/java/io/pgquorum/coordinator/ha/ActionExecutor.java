package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.HistoryEntry;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.cluster.LeaseGrant;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.Postgres;
import io.pgquorum.coordinator.postgres.PostgresException;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.coordinator.postgres.TimelineSwitch;
import io.pgquorum.coordinator.postgres.Upstream;
import io.pgquorum.dcs.api.DcsException;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs a {@link Decision}'s actions, in list order (the decider's order is the documented order: gates
 * first, then what depends on them).
 *
 * <p>Rules:
 * <ul>
 *   <li>A gate that fails (lost race, lost lock) ends the plan; the loop re-runs a cycle at once.
 *   <li>Any exception ends the plan; the loop's catch-all logs it and the next cycle decides again from fresh
 *       state. Nothing is retried blindly here.
 *   <li>The lease deadline is only moved by a successful acquire/refresh/re-arm, measured from before the send,
 *       and derived from the ttl the DCS confirmed it stores ({@link LeaseTerms}); it is lowered before a re-arm
 *       that may shorten the lease.
 *   <li>PostgreSQL is never started or promoted as primary unless the lease is valid at that moment.
 *   <li>With {@code watchdog.mode: required}, the lock is neither acquired nor refreshed while the watchdog
 *       process is not running.
 *   <li>The watchdog is disarmed only after PostgreSQL was stopped with no lease held
 *       ({@link LeaseState#postgresStopped()}).
 * </ul>
 */
public final class ActionExecutor {
  private static final Logger log = LoggerFactory.getLogger(ActionExecutor.class);

  private final NodeConfig config;
  private final ClusterStore store;
  private final Postgres postgres;
  private final LeaseState lease;
  private final TaskRunner tasks;
  private final LongSupplier nanoClock;
  /** Wall time, only for the time written into history rows; injected so simulated runs are reproducible. */
  private final Clock wallClock;
  private final Runnable wakeLoop;
  private final PlantedBugs bugs;
  private final BooleanSupplier mayHoldLease;
  /** The timeline whose unreadable history file was last reported (log de-duplication only). */
  private int historyUnreadableWarned = -1;

  public ActionExecutor(NodeConfig config, ClusterStore store, Postgres postgres, LeaseState lease,
      TaskRunner tasks, LongSupplier nanoClock, Runnable wakeLoop) {
    this(config, store, postgres, lease, tasks, nanoClock, wakeLoop, PlantedBugs.NONE, () -> true);
  }

  /**
   * @param bugs planted bugs for the test harness, normally {@link PlantedBugs#NONE}
   * @param mayHoldLease false while the lock must not be acquired or refreshed (required watchdog not running)
   */
  public ActionExecutor(NodeConfig config, ClusterStore store, Postgres postgres, LeaseState lease,
      TaskRunner tasks, LongSupplier nanoClock, Runnable wakeLoop, PlantedBugs bugs, BooleanSupplier mayHoldLease) {
    this(config, store, postgres, lease, tasks, nanoClock, Clock.systemUTC(), wakeLoop, bugs, mayHoldLease);
  }

  /** As above, with the wall clock injected (the deterministic simulator's virtual time). */
  public ActionExecutor(NodeConfig config, ClusterStore store, Postgres postgres, LeaseState lease,
      TaskRunner tasks, LongSupplier nanoClock, Clock wallClock, Runnable wakeLoop, PlantedBugs bugs,
      BooleanSupplier mayHoldLease) {
    this.wallClock = wallClock;
    this.bugs = bugs;
    this.mayHoldLease = mayHoldLease;
    this.config = config;
    this.store = store;
    this.postgres = postgres;
    this.lease = lease;
    this.tasks = tasks;
    this.nanoClock = nanoClock;
    this.wakeLoop = wakeLoop;
  }

  /** What executing a plan found out. */
  public record Outcome(boolean recheckNow, Optional<String> fatal) {}

  /**
   * How long a freshly acquired, refreshed or re-armed lease stays usable on our clock, given the ttl the DCS
   * confirmed it stores: {@link LeaseTerms}'s {@code min(stored, configured) - retry_timeout}.
   */
  static long validForNanos(java.time.Duration storedTtl, DynamicConfig dyn, PlantedBugs bugs) {
    if (bugs.active(HaBug.LEASE_IGNORES_DRIFT)) {
      // PLANTED BUG (test harness only): no margin, so a slow local clock lets the lease outlive the DCS's.
      return dyn.ttl() * 1_000_000_000L;
    }
    return LeaseTerms.validForNanos(storedTtl, dyn);
  }

  /** Whether executing {@code action} can change PostgreSQL's state (so the loop probes again afterwards). */
  static boolean touchesPostgres(Action action) {
    return action instanceof Action.Promote || action instanceof Action.Demote
        || action instanceof Action.StopPostgres || action instanceof Action.StartPrimary
        || action instanceof Action.Follow;
  }

  public Outcome execute(Decision decision, Optional<ClusterSnapshot> cluster, PgState pg, DynamicConfig dyn) {
    OptionalLong token = cluster.flatMap(ClusterSnapshot::leader)
        .filter(l -> l.name().equals(config.name()))
        .map(l -> OptionalLong.of(l.fencingToken()))
        .orElse(lease.token());
    PgState current = pg;
    boolean stoppedInPlan = false;
    for (Action action : decision.actions()) {
      if (action instanceof Action.RaceInitialize) {
        if (!mayHoldLease.getAsBoolean()) {
          // The race would be won and given back every cycle: the lock that must follow it cannot be taken.
          log.warn("not racing to bootstrap: watchdog.mode is required and the watchdog is not usable");
          return new Outcome(false, Optional.empty());
        }
        if (!store.raceInitialize()) {
          log.info("failed to acquire initialize lock");
          return new Outcome(false, Optional.empty());
        }
      } else if (action instanceof Action.AcquireLock) {
        if (!mayHoldLease.getAsBoolean()) {
          log.warn("not taking the leader lock: watchdog.mode is required and the watchdog process is not running");
          return new Outcome(false, Optional.empty());
        }
        long sent = nanoClock.getAsLong();
        Optional<LeaderLock> got = store.acquireLeader(dyn.ttlDuration());
        if (got.isEmpty()) {
          log.info("failed to acquire the leader lock: another member took it first");
          return new Outcome(true, Optional.empty());
        }
        lease.extend(got.get().fencingToken(), sent, validForNanos(got.get().ttl(), dyn, bugs));
        token = OptionalLong.of(got.get().fencingToken());
        log.info("acquired the leader lock with fencing token {}", token.getAsLong());
      } else if (action instanceof Action.RefreshLock r) {
        if (!mayHoldLease.getAsBoolean()) {
          // The lease runs out on its own (the guard fences); another member takes over unless the watchdog
          // comes back first.
          log.warn("not refreshing the leader lock: watchdog.mode is required and the watchdog process is not "
              + "running");
          return new Outcome(false, Optional.empty());
        }
        Renewal renewal = renew(r.fencingToken(), dyn);
        if (!(renewal instanceof Renewal.Confirmed)) {
          // Lost: re-decide at once. Unknown: the deadline stays where the last confirmed write put it.
          return new Outcome(renewal instanceof Renewal.Lost, Optional.empty());
        }
        token = OptionalLong.of(r.fencingToken());
      } else if (action instanceof Action.RearmLock ra) {
        if (!mayHoldLease.getAsBoolean()) {
          log.warn("not refreshing the leader lock: watchdog.mode is required and the watchdog process is not "
              + "running");
          return new Outcome(false, Optional.empty());
        }
        Renewal renewal = renew(ra.fencingToken(), dyn);
        if (!(renewal instanceof Renewal.Confirmed confirmed)) {
          return new Outcome(renewal instanceof Renewal.Lost, Optional.empty());
        }
        token = OptionalLong.of(ra.fencingToken());
        if (!rearm(confirmed.grant(), ra.ttl(), dyn)) {
          return new Outcome(true, Optional.empty());
        }
      } else if (action instanceof Action.ReleaseLock) {
        lease.clear();
        // Disarm only when PostgreSQL is verifiably gone: not "not accepting connections" (a frozen or starting
        // postmaster has a pid) and not a probe that could not tell.
        if (stoppedInPlan || (!current.running() && current.pid().isEmpty() && !current.isUnknown())) {
          lease.postgresStopped();
        }
        if (store.releaseLeader()) {
          log.info("released the leader lock");
        }
      } else if (action instanceof Action.RecordInitialize ri) {
        store.writeInitialize(ri.systemIdentifier(), cluster.flatMap(ClusterSnapshot::initialize));
      } else if (action instanceof Action.CancelInitialize) {
        cluster.flatMap(ClusterSnapshot::initialize).ifPresent(store::cancelInitialize);
      } else if (action instanceof Action.SeedConfig) {
        store.writeConfigIfAbsent(config.bootstrap().dcs());
      } else if (action instanceof Action.PublishStatus) {
        // The cycle's probe is fresh enough for the leader's optime (milliseconds old); only a promotion in this
        // plan changes the role, and then the probe after it is used.
        // The status key has no TTL: when the cycle's snapshot already shows this position (an idle primary),
        // rewriting it would be a Raft write per cycle that changes nothing.
        long position = current.walPosition();
        boolean unchanged = cluster.flatMap(ClusterSnapshot::status)
            .filter(s -> s.optime() == position && s.slots().isEmpty()).isPresent();
        if (current.isPrimary() && !unchanged) {
          store.writeStatus(position, java.util.Map.of());
        }
      } else if (action instanceof Action.PublishLastPosition last) {
        PgState stopped = postgres.probe();
        if (!stopped.running() && !stopped.isUnknown() && stopped.timeline() == last.timeline()
            && stopped.walPosition() > 0) {
          store.writeStatus(stopped.walPosition(), java.util.Map.of());
          log.info("published the stopped primary's last position {} on timeline {}", stopped.walPosition(),
              last.timeline());
        }
      } else if (action instanceof Action.Bootstrap) {
        long t = requireToken(token, "bootstrap");
        startBootstrap(t, cluster);
      } else if (action instanceof Action.CloneReplica c) {
        tasks.start("clone", () -> {
          postgres.cloneReplica(c.from());
          postgres.startReplica(c.from());
        }, wakeLoop);
      } else if (action instanceof Action.Rejoin rj) {
        startRejoin(rj.upstream(), dyn);
      } else if (action instanceof Action.StartPrimary) {
        long t = requireToken(token, "start as primary");
        startTask(Action.StartPrimary.TASK, () -> {
          // Checked here, right before the start, not when the plan was made: the task may begin later.
          requireValidLease("start PostgreSQL as primary");
          postgres.startPrimary(t);
        });
      } else if (action instanceof Action.Promote) {
        long t = requireToken(token, "promote");
        startTask(Action.Promote.TASK, () -> {
          requireValidLease("promote PostgreSQL");
          postgres.promote(t);
          log.info("promoted PostgreSQL to primary with fencing token {}", t);
        });
      } else if (action instanceof Action.RecordHistory rh) {
        if (!recordHistory(rh.timeline(), cluster)) {
          return new Outcome(false, Optional.empty());
        }
      } else if (action instanceof Action.Demote d) {
        lease.clear();
        if (bugs.active(HaBug.SKIP_DEMOTE_ON_LOST_LEASE)) {
          // PLANTED BUG (test harness only): a primary without the lock keeps running.
          log.warn("PLANTED BUG {}: not demoting", HaBug.SKIP_DEMOTE_ON_LOST_LEASE.id());
          continue;
        }
        postgres.stop(d.mode());
        stoppedInPlan = true;
        lease.postgresStopped();
        log.info("demoted: PostgreSQL stopped ({})", d.mode().name().toLowerCase());
      } else if (action instanceof Action.StopPostgres s) {
        postgres.stop(s.mode());
        stoppedInPlan = true;
        lease.postgresStopped();
      } else if (action instanceof Action.Follow f) {
        postgres.follow(f.upstream());
      } else if (action instanceof Action.SyncSlots s) {
        postgres.syncReplicationSlots(s.slotNames());
      } else if (action instanceof Action.Fatal f) {
        return new Outcome(false, Optional.of(f.reason()));
      } else {
        throw new IllegalStateException("no executor for " + action);
      }
    }
    return new Outcome(false, Optional.empty());
  }

  /** How a refresh ended: confirmed (with what the DCS stored), lost, or unknown (a DCS error). */
  private sealed interface Renewal {
    record Confirmed(LeaseGrant grant) implements Renewal {}

    record Lost() implements Renewal {}

    record Unknown() implements Renewal {}
  }

  /**
   * Refreshes the lease with {@code fencingToken}. Confirmed: the deadline moves, from the send, by what the
   * stored ttl allows. Lost: the lease is cleared. Unknown (a DCS error, the write may or may not have been
   * applied): the deadline stays where the last confirmed write put it.
   */
  private Renewal renew(long fencingToken, DynamicConfig dyn) {
    long sent = nanoClock.getAsLong();
    Optional<LeaseGrant> grant;
    try {
      grant = store.renewLeader(fencingToken);
    } catch (DcsException e) {
      log.warn("failed to refresh the leader lock: {}", e.getMessage());
      return new Renewal.Unknown();
    }
    if (grant.isEmpty()) {
      lease.clear();
      log.warn("failed to update leader lock: it is no longer ours");
      return new Renewal.Lost();
    }
    lease.extend(fencingToken, sent, validForNanos(grant.get().ttl(), dyn, bugs));
    return new Renewal.Confirmed(grant.get());
  }

  /**
   * Re-puts the leader key with {@code ttl} (see {@link Action.RearmLock}); false when the key changed under us
   * (the lock is treated as lost). A DCS error ends the plan through the exception, the deadline capped.
   *
   * <p>Ordering: the deadline is first lowered to what the new lease guarantees counted from this send
   * ({@code sent + min(ttl, configured) - retry_timeout}). Once the put is sent the DCS may arm the new, possibly
   * shorter, lease at any moment, with or without a reply reaching us; the old, longer deadline must not outlive
   * it. When the ttl rises the cap changes nothing, and the longer deadline is used only after the DCS confirmed
   * the longer ttl.
   */
  private boolean rearm(LeaseGrant current, java.time.Duration ttl, DynamicConfig dyn) {
    long sent = nanoClock.getAsLong();
    lease.cap(current.fencingToken(), sent + validForNanos(ttl, dyn, bugs));
    Optional<LeaseGrant> stored = store.rearmLeader(current, ttl);
    if (stored.isEmpty()) {
      lease.clear();
      log.warn("failed to re-arm the leader lock with ttl {} s: the key changed since the refresh",
          ttl.toSeconds());
      return false;
    }
    lease.extend(current.fencingToken(), sent, validForNanos(stored.get().ttl(), dyn, bugs));
    log.info("re-armed the leader lock with ttl {} s (was {} s)", stored.get().ttl().toSeconds(),
        current.ttl().toSeconds());
    return true;
  }

  private void startBootstrap(long fencingToken, Optional<ClusterSnapshot> cluster) {
    tasks.start("bootstrap", () -> {
      boolean started = false;
      try {
        postgres.bootstrap();
        requireValidLease("start the new cluster's primary");
        postgres.startPrimary(fencingToken);
        started = true;
        postgres.createRoles();
        PgState now = postgres.probe();
        String sysid = now.systemIdentifier()
            .orElseThrow(() -> new PostgresException("bootstrap: the new cluster reports no system identifier"));
        // Re-read: our own race write is the current initialize value.
        ClusterSnapshot fresh = store.load();
        if (!store.writeInitialize(sysid, fresh.initialize())) {
          throw new IllegalStateException("could not record the system identifier in the initialize key");
        }
        store.writeConfigIfAbsent(config.bootstrap().dcs());
        log.info("initialized a new cluster with system identifier {}", sysid);
      } catch (Exception e) {
        if (started) {
          safeStop();
        }
        safeMoveAside("bootstrap failed");
        throw e;
      }
    }, wakeLoop);
  }

  private void startRejoin(Optional<Upstream> upstream, DynamicConfig dyn) {
    tasks.start("rejoin", () -> {
      if (upstream.isPresent()) {
        Upstream up = upstream.get();
        if (postgres.needsRewind(up)) {
          boolean usePgRewind = config.postgresql().usePgRewind().orElse(dyn.usePgRewind());
          boolean rewound = usePgRewind && postgres.rewind(up);
          if (!rewound) {
            boolean mayReclone = usePgRewind
                ? config.postgresql().removeDataDirectoryOnRewindFailure()
                : config.postgresql().removeDataDirectoryOnDivergedTimelines();
            if (!mayReclone) {
              throw new PostgresException("this node's timeline diverged from leader " + up.name() + " and "
                  + (usePgRewind ? "pg_rewind failed" : "use_pg_rewind is off")
                  + "; set postgresql.remove_data_directory_on_"
                  + (usePgRewind ? "rewind_failure" : "diverged_timelines")
                  + " to re-clone automatically, or reinitialize the node");
            }
            postgres.moveDataDirectoryAside(usePgRewind ? "rewind failed" : "diverged timeline");
            postgres.cloneReplica(up);
          }
        }
      }
      postgres.startReplica(upstream.orElse(null));
    }, wakeLoop);
  }

  /**
   * Starts {@code body} as the background task {@code name} (the loop keeps cycling, and a holder keeps refreshing
   * its lease, while it runs). The decider plans a task only when none runs, and only this thread starts tasks.
   */
  private void startTask(String name, TaskRunner.Body body) {
    if (!tasks.start(name, body, wakeLoop)) {
      throw new IllegalStateException("cannot start " + name + ": " + tasks.running().orElse("another task")
          + " is still running");
    }
  }

  /**
   * Makes {@code history} record every timeline switch up to {@code timeline}, from PostgreSQL's own timeline
   * history file (exact switch points); false when a compare-and-set kept losing (the plan ends, so status is
   * not published on a timeline history does not know; the next cycle plans it again).
   */
  private boolean recordHistory(int timeline, Optional<ClusterSnapshot> cluster) {
    java.util.List<TimelineSwitch> switches;
    try {
      switches = postgres.timelineHistory(timeline);
    } catch (PostgresException e) {
      // PostgreSQL keeps its history files, so this is a damaged or hand-assembled data directory. Patroni leaves
      // history alone then; so do we, rather than stop publishing status and slots for good. Said once.
      if (historyUnreadableWarned != timeline) {
        historyUnreadableWarned = timeline;
        log.warn("cannot record timeline {} in history: {}", timeline, e.getMessage());
      }
      return true;
    }
    for (TimelineSwitch sw : switches) {
      if (cluster.map(c -> c.historyRecordsEndOf(sw.timeline())).orElse(false)) {
        continue;
      }
      // The switch into our own timeline was made by this node's promotion, recorded now; older ones that are
      // missing are filled in without a time or a new leader (Patroni writes such rows as three fields).
      boolean ours = sw.timeline() == timeline - 1;
      HistoryEntry entry = new HistoryEntry(sw.timeline(), sw.lsn(), sw.reason(),
          ours ? Optional.of(wallClock.instant().toString()) : Optional.empty(),
          ours ? Optional.of(config.name()) : Optional.empty());
      if (!store.appendHistory(entry)) {
        log.warn("could not record the switch from timeline {} in history yet (the key kept changing)",
            sw.timeline());
        return false;
      }
      log.info("recorded in history: timeline {} ended at {}", sw.timeline(), sw.lsn());
    }
    return true;
  }

  private void requireValidLease(String what) {
    if (!lease.validAt(nanoClock.getAsLong())) {
      throw new IllegalStateException("refusing to " + what + ": the leader lease is not valid any more");
    }
  }

  private static long requireToken(OptionalLong token, String what) {
    if (token.isEmpty()) {
      throw new IllegalStateException("cannot " + what + " without a fencing token (no leader lock held)");
    }
    return token.getAsLong();
  }

  private void safeStop() {
    try {
      postgres.stop(StopMode.IMMEDIATE);
    } catch (RuntimeException e) {
      log.warn("could not stop PostgreSQL after a failed bootstrap: {}", e.getMessage());
    }
  }

  private void safeMoveAside(String reason) {
    try {
      postgres.moveDataDirectoryAside(reason);
    } catch (RuntimeException e) {
      log.warn("could not move the data directory aside: {}", e.getMessage());
    }
  }
}
