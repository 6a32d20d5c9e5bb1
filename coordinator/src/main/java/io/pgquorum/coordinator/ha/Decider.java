package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.HistoryEntry;
import io.pgquorum.coordinator.cluster.Initialize;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.cluster.LeaderTimeline;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.TimeUnits;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.coordinator.postgres.RefusedCopy;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.coordinator.postgres.Upstream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The HA decision: a pure function of (cluster snapshot, local state, policy, peer views, now) to ordered
 * actions and a message. No I/O, no clock, no sleeping; every input is a value, so the rules are written down as
 * decision transcripts without PostgreSQL or a DCS ({@code coordinator/src/test/testdata/decider}, run by
 * {@code DeciderTranscriptTest}). Every message comes from {@link DecisionMessage}, whose every entry some
 * transcript must show.
 *
 * <p>The branches follow Patroni's HA cycle (see the compatibility reference) in this order: shutdown, DCS
 * unreachable, long task in progress, system-identifier check, empty data directory (bootstrap or clone), a
 * PostgreSQL whose state cannot be probed, we hold the lock, someone else holds it, nobody does (leader race).
 *
 * <p>What the rules need to remember across cycles (when the current attempt to bring the primary up began, how
 * many cycles in a row PostgreSQL could not be probed) is an input ({@link LocalState#memory()}) and an output
 * ({@link Decision#memory()}), never hidden state: time enters only as {@code nowNanos}.
 *
 * <p>Safety rule this function keeps: it never plans a start or promotion as primary unless the same plan first
 * acquires or refreshes the lock (a gate), and it demotes a running primary whenever the snapshot shows the lock
 * is not ours. The local lease deadline is enforced twice: here (DCS unreachable) and by {@link LeaseGuard},
 * which does not depend on this loop making progress.
 */
public final class Decider {
  /**
   * Consecutive cycles (outside long tasks) in which the probe could not tell PostgreSQL's state (an unreadable
   * {@code postmaster.pid}, or a postmaster that says it accepts connections but does not answer the probe)
   * before the node treats it as unhealthy: the holder stops refreshing, fences (an immediate stop, which fails
   * unless PostgreSQL is verifiably gone) and releases the lock only after that stop, so a replica takes over; a
   * node without the lock stops it (it might be a primary nobody may see).
   *
   * <p>Why 3: one failed probe is common and harmless (a connection timeout under a load spike, a postmaster that
   * became ready or exited between reading its pid file and connecting), two in a row still happen under heavy
   * load; three consecutive failures a loop_wait apart mean PostgreSQL has been unobservable for at least two
   * loop_waits, longer than any transient we want to ride out, while the holder's lease (refreshed meanwhile) stays
   * valid, so the handover is a clean stop and release rather than a lease running out.
   */
  static final int UNPROBEABLE_CYCLES = 3;

  private Decider() {}

  /**
   * Before a primary gives its lock up on purpose: record its timeline in history if missing, so that no replica
   * still on the timeline before it can take over (see {@link #whyNotHealthiest}).
   */
  private static List<Action> historyBeforeHandover(Optional<ClusterSnapshot> cluster, PgState pg) {
    if (cluster.isPresent() && pg.isPrimary() && pg.timeline() > 1
        && !cluster.get().historyRecordsEndOf(pg.timeline() - 1L)) {
      return List.of(new Action.RecordHistory(pg.timeline()));
    }
    return List.of();
  }

  /** The period of the planted bug {@link HaBug#FLAPPING_LEADER}, in seconds of the node's monotonic clock. */
  static final long FLAP_PERIOD_SECONDS = 6;

  /**
   * How many seconds at the start of every {@link #FLAP_PERIOD_SECONDS} the planted flapping leader hands its lock
   * back in. Why a window and not one second: a cycle lands in a one-second slot only if cycles come at least once a
   * second, and on a loaded machine (CI, two cores) they came slower, so the bug sometimes did not fire for the ten
   * seconds the stability check watches and its check stayed green. Any cycle interval up to three seconds lands in
   * this window once per period, so the planted bug fires in every window of one period or more.
   */
  static final long FLAP_WINDOW_SECONDS = 3;

  /**
   * The peers whose REST API the loop asks for a {@link PeerView} before deciding, by name (their {@code api_url}s,
   * in the snapshot's member order); empty when the decision does not depend on peers this cycle. Members that
   * published no api_url cannot be asked.
   */
  public static Map<String, String> peersToAsk(Optional<ClusterSnapshot> cluster, LocalState local,
      HaPolicy policy, long nowNanos) {
    if (!needsPeerViews(cluster, local, policy, nowNanos)) {
      return Map.of();
    }
    Map<String, String> urls = new LinkedHashMap<>();
    for (Member m : cluster.get().members().values()) {
      if (!m.name().equals(policy.name()) && !m.apiUrl().isEmpty()) {
        urls.put(m.name(), m.apiUrl());
      }
    }
    // A member the failsafe key lists without a member key (its daemon down, or cut off) is asked at the key's
    // api_url: a node the key leaves out races only once every listed member answered (FailsafeRules).
    if (policy.dynamic().failsafeMode()) {
      cluster.get().failsafe().orElse(Map.of()).forEach((name, url) -> {
        if (!name.equals(policy.name()) && !url.isEmpty()) {
          urls.putIfAbsent(name, url);
        }
      });
    }
    return urls;
  }

  /**
   * Whether the decision depends on {@link PeerView}s (asking peers costs a network round trip): when the cluster
   * is unlocked and this node could take part in the race (except as a switchover's named candidate: see
   * {@link ManualFailover#switchoverCandidate}), or when this node holds the lock, its PostgreSQL is not
   * up as primary and {@code primary_start_timeout} has run out (or is 0): whether a failover is possible depends
   * on the peers.
   */
  public static boolean needsPeerViews(Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy,
      long nowNanos) {
    if (cluster.isEmpty() || local.shutdownRequested()) {
      return false;
    }
    PgState pg = local.pg();
    if (cluster.get().isLeader(policy.name())) {
      if (ManualFailover.holderAsksPeers(cluster.get(), pg)) {
        return true;
      }
      if (local.memory().catchUp().isPresent() && pg.isReplica() && local.runningTask().isEmpty()) {
        return true; // a catch-up before promotion (CatchUp) follows its source's position
      }
      boolean starting = pg.dataDir() == DataDirState.INITIALIZED && !pg.running() && !pg.isUnknown()
          && local.runningTask().map(t -> t == Task.START_PRIMARY).orElse(true);
      return starting && startTimeoutLeftNanos(local, policy, nowNanos) <= 0;
    }
    if (ManualFailover.stoppedAsksPeers(cluster.get(), local, policy.name())) {
      return true;
    }
    return cluster.get().isUnlocked()
        && !ManualFailover.switchoverCandidate(cluster.get(), policy.name())
        && cluster.get().initialize().map(i -> !i.bootstrapInProgress()).orElse(false)
        && pg.running()
        && local.runningTask().isEmpty()
        && policy.tags().canFailover();
  }

  /** Nanoseconds left of {@code primary_start_timeout}, counted from the remembered start (or now). */
  private static long startTimeoutLeftNanos(LocalState local, HaPolicy policy, long nowNanos) {
    if (LocalOperations.restartTimedOut(local)) {
      return 0; // the restart's own timeout (which replaces primary_start_timeout for its start) ran out
    }
    long since = local.memory().primaryStartSinceNanos().orElse(nowNanos);
    return since + policy.dynamic().primaryStartTimeout() * 1_000_000_000L - nowNanos;
  }

  public static Decision decide(Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy,
      Map<String, PeerView> peers, long nowNanos) {
    // Without a wall clock a scheduled switchover never comes due (it waits): the safe reading for callers that
    // predate scheduled switchovers.
    return decide(cluster, local, policy, peers, nowNanos, java.time.Instant.EPOCH);
  }

  /**
   * As above, with the wall-clock time of this cycle ({@code wallNow}), which only scheduled switchovers use (their
   * time is a wall-clock instant every node reads alike); every other rule times itself with {@code nowNanos}.
   */
  public static Decision decide(Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy,
      Map<String, PeerView> peers, long nowNanos, java.time.Instant wallNow) {
    // Counted outside long tasks only: a task drives PostgreSQL through states the probe cannot read yet.
    int unprobeable = local.runningTask().isEmpty() && local.pg().isUnknown()
        ? local.memory().unprobeableCycles() + 1 : 0;
    // Maintenance mode cuts the cycle's plan down (PauseRules); an operator's request (restart, reinitialize) then
    // amends it, as Patroni allows those while paused; the callback rules see the whole plan (they follow its steps).
    Decision cycle = PauseRules.apply(backoff(decideCycle(cluster, local, policy, peers, nowNanos, wallNow,
        unprobeable).unprobeableFor(unprobeable), cluster, local, policy, nowNanos), cluster, local, policy);
    Decision d = BackupRules.apply(BackrestRules.apply(CallbackRules.apply(LocalOperations.apply(cycle, cluster,
        local, policy, nowNanos), cluster, local, policy, nowNanos), cluster, local, policy, nowNanos), cluster, local,
        policy, wallNow);
    d = TimelineEpochs.streamed(d, cluster, local);
    d = SlotRetention.remembered(d, cluster, local, policy, nowNanos);
    d = FailsafeRules.remembered(FailsafeRules.upkept(d, cluster, policy), cluster, local, policy);
    d = DcsLeadershipRules.apply(d, cluster, local, policy, nowNanos);
    return d.withActions(watchdogRules(underLeaseRules(d.actions(), local.mayHoldLease(), policy), local.pg(),
        local.leaseDeadlineNanos().isPresent()));
  }

  /**
   * The tasks that bring this node up as a replica. They are planned again on every cycle that finds PostgreSQL
   * not running, and a task's end wakes the loop at once ({@link TaskRunner}), so without a pause a failure that
   * repeats (a leader that cannot be reached, a PostgreSQL that refuses to start) is retried as fast as it fails:
   * seen as 686 task errors in 23 s, and 20,000 failed rejoins in 7 minutes at a quarter of a core per daemon.
   * Counted together: a failed clone is often followed by a rejoin of what it left, failing for the same reason.
   */
  private static final java.util.Set<Task> BACKED_OFF = java.util.EnumSet.of(Task.REJOIN, Task.CLONE);

  /**
   * The longest pause between two attempts of a task that keeps failing. Why 5 minutes: after about ten failures
   * the log gets three lines per attempt (the attempt, its error, and this rule's one-line summary) every 5
   * minutes instead of one per cycle, while a cause the operator fixes (a firewall rule, pg_hba.conf, disk space)
   * is picked up within 5 minutes without a restart; a restart of pgquorum (memory is per process) retries at once.
   */
  static final long MAX_BACKOFF_SECONDS = 300;

  /**
   * Retries of the tasks that bring this node up as a replica ({@link #BACKED_OFF}), with a growing pause. The
   * first failure is retried at once, as before: a single failure is often transient (the leader changed while a
   * rewind check ran). From the second failure in a row on, the task is not planned again until a pause has
   * passed: {@code loop_wait}, then twice as long after each further failure, up to {@link #MAX_BACKOFF_SECONDS}.
   * Other steps of the plan are kept. The failure that starts a pause is logged with what is wrong and what the
   * operator can do, once (a failure with the same error again gets one short line); the cycles that only wait
   * are published (REST) but not logged. The failures are forgotten once PostgreSQL runs, and when the leader
   * changes (the first attempt against a new leader is not delayed by failures against the old one).
   *
   * <p>Time enters only as {@code nowNanos}; the count, the earliest next attempt and the last error are in
   * {@link HaMemory#retry()}.
   */
  static Decision backoff(Decision d, Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy,
      long nowNanos) {
    // An unreadable DCS is no change of leader: what was remembered stays.
    String leader = cluster.map(c -> c.leader().map(LeaderLock::name).orElse(HaMemory.TaskRetry.NO_LEADER))
        .orElse(local.memory().retry().map(HaMemory.TaskRetry::leader).orElse(HaMemory.TaskRetry.NO_LEADER));
    Optional<HaMemory.TaskRetry> retry = local.memory().retry().filter(r -> r.leader().equals(leader));
    Optional<Task> planned = d.actions().stream()
        .filter(a -> a instanceof Action.TaskAction t && BACKED_OFF.contains(t.task()))
        .map(a -> ((Action.TaskAction) a).task()).findFirst();
    Optional<String> failure = local.failedTask()
        .filter(f -> Task.ofFailure(f).filter(BACKED_OFF::contains).isPresent());
    if (failure.isPresent()) {
      int failures = retry.map(HaMemory.TaskRetry::failures).orElse(0) + 1;
      java.time.Duration pause = failures == 1 ? java.time.Duration.ZERO : backoff(failures, policy);
      HaMemory remembered = d.memory().withRetry(Optional.of(
          new HaMemory.TaskRetry(failures, nowNanos + pause.toNanos(), failure.get(), leader)));
      if (failures == 1 || planned.isEmpty()) {
        return d.withMemory(remembered);
      }
      String label = Task.ofFailure(failure.get()).orElseThrow().label();
      // The advice was given at the previous failure if that one already started a pause (the first does not).
      boolean same = retry.map(r -> r.failures() >= 2 && r.lastFailure().equals(failure.get())).orElse(false);
      String shown = TimeUnits.seconds(pause);
      String message = same ? DecisionMessage.TASK_FAILED_AGAIN.format(label, failures, shown)
          : DecisionMessage.TASK_FAILED_BACKING_OFF.format(label, failures, Task.errorOf(failure.get()), shown,
              MAX_BACKOFF_SECONDS);
      return new Decision(withoutTasks(d.actions()), message, remembered, Optional.empty(), true);
    }
    if (retry.isEmpty()) {
      return d;
    }
    if (local.runningTask().isEmpty() && local.pg().running()) {
      return d.withMemory(d.memory().withRetry(Optional.empty()));
    }
    HaMemory remembered = d.memory().withRetry(retry);
    long leftNanos = retry.get().notBeforeNanos() - nowNanos;
    if (planned.isEmpty() || leftNanos <= 0) {
      return d.withMemory(remembered);
    }
    String last = retry.get().lastFailure();
    String message = DecisionMessage.TASK_BACKOFF_WAITING.format(
        Task.ofFailure(last).map(Task::label).orElse(planned.get().label()), retry.get().failures(),
        Task.errorOf(last), (leftNanos + 999_999_999L) / 1_000_000_000L);
    return new Decision(withoutTasks(d.actions()), message, remembered, Optional.empty(), false);
  }

  /**
   * The pause after the {@code failures}-th failure in a row (2 or more): loop_wait (at least a second), doubled each
   * time, capped at {@link #MAX_BACKOFF_SECONDS}.
   */
  static java.time.Duration backoff(int failures, HaPolicy policy) {
    java.time.Duration cap = java.time.Duration.ofSeconds(MAX_BACKOFF_SECONDS);
    java.time.Duration pause = TimeUnits.max(java.time.Duration.ofSeconds(1), policy.dynamic().loopWait());
    for (int i = 2; i < failures && pause.compareTo(cap) < 0; i++) {
      pause = pause.multipliedBy(2);
    }
    return TimeUnits.min(pause, cap);
  }

  private static List<Action> withoutTasks(List<Action> plan) {
    return plan.stream().filter(a -> !(a instanceof Action.TaskAction)).toList();
  }

  /**
   * When the watchdog is disarmed on the strength of the cycle's probe ({@link Action.DisarmWatchdog}); a step
   * that stops PostgreSQL itself tells the watchdog once the stop is done, without this rule. The probe must show
   * PostgreSQL verifiably stopped: not running, no postmaster pid (a frozen or starting postmaster has one), and
   * not a probe that could not tell. Then:
   * <ul>
   *   <li>right after a {@link Action.ReleaseLock} (which forgets the lease): the node gives the lock up with
   *       nothing running;
   *   <li>right before a {@link Action.Rejoin} or {@link Action.CloneReplica}, when no lease is held. Why: a
   *       watchdog that fenced at a deadline keeps guarding until it is armed or disarmed, and kills every
   *       PostgreSQL that appears, so a replica could never start. Normally the lease guard's fence disarms it,
   *       but when the loop learns first that the lock is gone (a refresh that comes back lost after the daemon
   *       was frozen past its deadline) the lease is forgotten without that fence, and nothing else would.
   * </ul>
   * Ordering assumption that keeps the probe true until the step runs: only this loop starts PostgreSQL, through
   * its tasks, and these plans are made with no task running (the shutdown plan, made whatever runs, stops
   * PostgreSQL itself before its release); the Rejoin or CloneReplica that is the start comes after the disarm in
   * list order. Only this loop's gates take a lease, and none precedes these steps in a plan; the executor still
   * checks that no lease is held when it disarms ({@link HeldLease#postgresStopped()}).
   */
  static List<Action> watchdogRules(List<Action> plan, PgState pg, boolean leaseHeld) {
    if (pg.running() || pg.pid().isPresent() || pg.isUnknown()) {
      return plan;
    }
    List<Action> out = new ArrayList<>();
    for (Action a : plan) {
      if (!leaseHeld && (a instanceof Action.Rejoin || a instanceof Action.CloneReplica
          || a instanceof Action.CloneAgain || a instanceof Action.Reinitialize)) {
        out.add(new Action.DisarmWatchdog());
      }
      out.add(a);
      if (a instanceof Action.ReleaseLock) {
        out.add(new Action.DisarmWatchdog());
      }
    }
    return out;
  }

  /**
   * Two rules that apply to every plan, whichever branch made it, so they are applied here once rather than in
   * each branch (the message stays the branch's):
   * <ul>
   *   <li>With {@code watchdog.mode: required} and the watchdog process not running ({@link
   *       LocalState#mayHoldLease()} false), the lock is neither raced for, taken nor kept: the first step that
   *       would, and everything after it (which depends on it), becomes a {@link Action.LeaseBlocked} gate that
   *       says why. A bootstrap race is not run either: it would be won and given back every cycle, since the lock
   *       that must follow it cannot be taken.
   *   <li>PLANTED BUG {@link HaBug#SKIP_DEMOTE_ON_LOST_LEASE} (fault-injection harness only): every
   *       {@link Action.Demote} becomes a {@link Action.SkippedDemote}.
   * </ul>
   */
  static List<Action> underLeaseRules(List<Action> plan, boolean mayHoldLease, HaPolicy policy) {
    List<Action> out = new ArrayList<>();
    for (Action a : plan) {
      Optional<String> blocked = mayHoldLease ? Optional.empty() : watchdogBlocks(a);
      if (blocked.isPresent()) {
        out.add(new Action.LeaseBlocked(blocked.get()));
        break;
      }
      if (a instanceof Action.Demote d && policy.bugs().active(HaBug.SKIP_DEMOTE_ON_LOST_LEASE)) {
        out.add(new Action.SkippedDemote(d.mode()));
      } else {
        out.add(a);
      }
    }
    return out;
  }

  /** The warning for a step a required watchdog that is not running forbids, if it is one. */
  private static Optional<String> watchdogBlocks(Action a) {
    if (a instanceof Action.RaceInitialize) {
      return Optional.of(DecisionMessage.WATCHDOG_BLOCKS_RACE.format());
    }
    if (a instanceof Action.AcquireLock) {
      return Optional.of(DecisionMessage.WATCHDOG_BLOCKS_ACQUIRE.format());
    }
    if (a instanceof Action.RefreshLock || a instanceof Action.RearmLock) {
      return Optional.of(DecisionMessage.WATCHDOG_BLOCKS_REFRESH.format());
    }
    return Optional.empty();
  }


  /** The gate that takes the lock, with the ttl and lease terms in force. */
  private static Action acquireLock(HaPolicy policy) {
    return new Action.AcquireLock(policy.dynamic().ttl(), LeaseTerms.of(policy.dynamic(), policy.bugs()));
  }

  /**
   * {@link Action.PublishStatus} with the primary's position and slots, unless the snapshot already shows exactly
   * that: the key has no TTL, so rewriting an idle primary's status changes nothing (an idle primary's slots do not
   * move either). Patroni 4's {@code slots}: the positions of the slots the leader keeps for the members and of
   * the permanent ones (physical and logical), so that replicas keep copies and move them along ({@link SlotWants},
   * {@link LogicalSlotWants});
   * {@code retain_slots}: the member slots' names, with those kept for gone members ({@code gone},
   * {@link SlotRetention}). Slots pgquorum does not manage are not published.
   */
  private static List<Action> publishStatus(ClusterSnapshot c, PgState pg, String me, HaPolicy policy,
      Set<String> gone) {
    long position = pg.walPosition();
    Set<String> memberSlots = memberSlots(c, me);
    memberSlots.addAll(gone);
    // Every configured slot, physical and logical alike (their positions are published the same way).
    Set<String> permanent = io.pgquorum.coordinator.config.PermanentSlots.from(policy.dynamic().raw()).keySet();
    Map<String, Long> slots = new TreeMap<>();
    List<String> retain = new ArrayList<>();
    pg.slots().forEach((name, at) -> {
      if (memberSlots.contains(name) || permanent.contains(name)) {
        slots.put(name, at); // permanent ones too (Patroni's): replicas copy and move them like member slots
      }
      if (memberSlots.contains(name)) {
        retain.add(name);
      }
    });
    boolean unchanged = c.status().filter(s -> s.optime() == position && s.slots().equals(slots)
        && new TreeSet<>(s.retainSlots()).equals(new TreeSet<>(retain))).isPresent();
    return unchanged ? List.of() : List.of(new Action.PublishStatus(position, slots, retain));
  }

  private static Decision decideCycle(Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy,
      Map<String, PeerView> peers, long nowNanos, java.time.Instant wallNow, int unprobeable) {
    String me = policy.name();
    PgState pg = local.pg();

    if (local.shutdownRequested()) {
      boolean holder = cluster.map(c -> c.isLeader(me)).orElse(local.leaseDeadlineNanos().isPresent());
      if (holder) {
        // A handover: the racers next must see where this primary ended. The timeline it runs on goes into
        // history first (a promotion a moment ago may not have recorded it yet: a replica still on the old timeline
        // would otherwise qualify and the new timeline's writes be lost), and its last position into status.
        List<Action> actions = new ArrayList<>(historyBeforeHandover(cluster, pg));
        actions.add(new Action.StopPostgres(StopMode.FAST));
        if (cluster.isPresent() && pg.isPrimary()) {
          actions.add(new Action.PublishLastPosition(pg.timeline(), cluster.get().statusRevision()));
        }
        actions.addAll(FailsafeRules.beforeHandover(cluster));
        actions.add(new Action.ReleaseLock());
        return new Decision(actions, DecisionMessage.SHUTDOWN_RELEASING_LOCK.format());
      }
      return LocalOperations.leavingSyncBeforeShutdown(cluster, local, policy, nowNanos)
          .orElseGet(() -> Decision.of(DecisionMessage.SHUTDOWN.format(), new Action.StopPostgres(StopMode.FAST)));
    }

    if (cluster.isEmpty()) {
      Decision d = dcsUnreachable(local, policy, nowNanos);
      // A DCS blip does not restart primary_start_timeout's clock.
      return local.memory().primaryStartSinceNanos().isPresent()
          ? d.startedAt(local.memory().primaryStartSinceNanos().getAsLong()) : d;
    }
    ClusterSnapshot c = cluster.get();
    boolean holder = c.isLeader(me);

    if (local.runningTask().isPresent()) {
      Task running = local.runningTask().get();
      String task = running.label();
      if (holder && running == Task.START_PRIMARY) {
        return primaryStarting(c, local, policy, peers, nowNanos, true);
      }
      if (holder) {
        return Decision.of(DecisionMessage.TASK_IN_PROGRESS.format(task), keepLock(c, policy));
      }
      if (pg.isPrimary()) {
        return Decision.of(DecisionMessage.TASK_IN_PROGRESS_DEMOTING.format(task),
            new Action.Demote(StopMode.IMMEDIATE));
      }
      return Decision.of(DecisionMessage.TASK_IN_PROGRESS.format(task));
    }

    // A cluster-wide restore (pgctl restore) suspends the usual rules while it stops and resets the cluster.
    Optional<Decision> restore = RestoreRules.decide(c, local, policy);
    if (restore.isPresent()) {
      return restore.get();
    }

    Optional<Initialize> init = c.initialize();
    if (init.isPresent() && !init.get().bootstrapInProgress() && pg.systemIdentifier().isPresent()
        && !init.get().systemIdentifier().equals(pg.systemIdentifier().get())) {
      return Decision.of(DecisionMessage.SYSTEM_ID_MISMATCH.format(),
          new Action.Fatal(DecisionMessage.SYSTEM_ID_MISMATCH_FATAL.format(pg.systemIdentifier().get(),
              init.get().systemIdentifier())));
    }

    if (pg.dataDir() == DataDirState.NOT_EMPTY) {
      // Files pgquorum did not create (a mistyped data_dir naming a home directory, a mount point's lost+found):
      // never bootstrap or clone into it, and do not keep racing for what it cannot use. The operator fixes it.
      List<Action> actions = new ArrayList<>();
      if (c.initialize().map(i -> i.bootstrapInProgress() && me.equals(i.owner())).orElse(false)) {
        // A bootstrap race this node won cannot go on here: give it back, or every other node waits for ever.
        actions.add(new Action.CancelInitialize());
      }
      if (holder) {
        actions.add(new Action.ReleaseLock());
      }
      return new Decision(actions, (holder ? DecisionMessage.DATA_DIR_NOT_EMPTY_RELEASING_LOCK
          : DecisionMessage.DATA_DIR_NOT_EMPTY).format());
    }

    if (pg.dataDir() != DataDirState.INITIALIZED) {
      return emptyDataDirectory(c, local, policy);
    }

    if (pg.isUnknown()) {
      return unprobeable(c, pg, policy, unprobeable);
    }

    Optional<Initialize> bootstrapping = c.initialize().filter(Initialize::bootstrapInProgress);
    if (!holder && c.leader().isEmpty() && bootstrapping.isPresent()) {
      Optional<Decision> d = bootstrapEnded(bootstrapping.get(), local, policy);
      if (d.isPresent()) {
        return d.get();
      }
    }

    if (holder) {
      return holdingLock(c, local, policy, peers, nowNanos, wallNow);
    }
    if (c.leader().isPresent()) {
      return followingLeader(c, local, policy);
    }
    return leaderRace(c, local, policy, peers, nowNanos);
  }

  /**
   * The DCS cannot be read this cycle. Patroni's "offline" demote: a leader that can no longer refresh its lease
   * stops PostgreSQL and starts it again as a read-only standby without an upstream (a {@code standby.signal}, no
   * {@code primary_conninfo}), so reads survive the outage; once the DCS answers, the usual rules take over (a
   * replica without an upstream is stopped and checked against the new leader before it follows it, see
   * {@link #followingLeader}, or it races for the lock if the cluster has none).
   *
   * <p>Safety: PostgreSQL is writable only while the lease is valid. The lease deadline is the bound, enforced by
   * {@link LeaseGuard} and the watchdog whatever this loop does (normally the guard has fenced before a cycle sees
   * the deadline pass). A read-only start happens only once no lease is held (a {@link Action.Demote} forgets it
   * first, in the same plan), because the guard and the watchdog kill any PostgreSQL that runs past a held lease's
   * deadline; a standby without an upstream cannot be written to, so it needs no lease.
   */
  private static Decision dcsUnreachable(LocalState local, HaPolicy policy, long nowNanos) {
    PgState pg = local.pg();
    String me = policy.name();
    if (pg.isPrimary() || local.leaseDeadlineNanos().isPresent()) {
      if (local.leaseDeadlineNanos().isPresent() && nowNanos < local.leaseDeadlineNanos().getAsLong()) {
        Optional<Decision> failsafe = FailsafeRules.whileDcsUnreachable(local, policy, nowNanos);
        if (failsafe.isPresent()) {
          return failsafe.get();
        }
        long leftMs = (local.leaseDeadlineNanos().getAsLong() - nowNanos) / 1_000_000;
        // Our lease is still valid on the majority side: keep serving, and keep trying to refresh.
        // Patroni demotes at the first failed update; the local deadline lets us ride out a short DCS blip
        // without giving up safety (LeaseGuard fences at the deadline even if this loop is stuck). No planned
        // demote before the deadline: the guard's fence is then the one path every outage takes, which the
        // simulator's planted lease bugs exercise (an earlier planned stop would hide a deadline set too late).
        return Decision.of(DecisionMessage.DCS_UNREACHABLE_LEASE_VALID.format(me, leftMs));
      }
      // No valid lease (normally the guard has fenced already, and this stop finds nothing): stop at once and
      // forget the lease, then, in the same plan, start read-only (not while a task may still start a server).
      boolean restart = mayStartReadOnly(local);
      List<Action> actions = new ArrayList<>();
      actions.add(new Action.Demote(StopMode.IMMEDIATE));
      if (restart) {
        actions.add(startReadOnly());
      }
      DecisionMessage message = pg.running() ? DecisionMessage.DCS_UNREACHABLE_DEMOTED
          : restart ? DecisionMessage.DCS_UNREACHABLE_LEASE_RAN_OUT_READ_ONLY
          : DecisionMessage.DCS_UNREACHABLE_LEASE_RAN_OUT;
      return new Decision(actions, message.format());
    }
    if (pg.isReplica()) {
      // Keeps replaying (and streaming, if its upstream is reachable) exactly as it is; its copies of the leader's
      // slots follow the positions a primary on failsafe sent (FailsafeRules.slotAdvance).
      List<Action> actions = FailsafeRules.slotAdvance(local, policy, nowNanos).map(List::of).orElse(List.of());
      return new Decision(actions, DecisionMessage.DCS_UNREACHABLE_SECONDARY.format(me));
    }
    if (mayStartReadOnly(local) && !pg.running() && pg.pid().isEmpty()) {
      // No lease (so nothing fences a server that appears) and nothing running: typically a primary the lease
      // guard fenced at its deadline. A standby without an upstream cannot be written to, so it may run without
      // the DCS; Patroni's offline demote leaves the same read-only server behind.
      return Decision.of(DecisionMessage.DCS_UNREACHABLE_STARTING_READ_ONLY.format(me), startReadOnly());
    }
    return Decision.of(DecisionMessage.DCS_UNREACHABLE_STOPPED.format(me));
  }

  /**
   * Whether a DCS-less cycle may start this node read-only: an initialized data directory whose state the probe
   * could tell, and no task that might start a server itself.
   */
  private static boolean mayStartReadOnly(LocalState local) {
    return local.runningTask().isEmpty() && local.pg().dataDir() == DataDirState.INITIALIZED
        && !local.pg().isUnknown();
  }

  /** A read-only start without an upstream: a standby with nothing to follow, no divergence check possible. */
  private static Action startReadOnly() {
    return new Action.Rejoin(Optional.empty(), Divergence.NOT_CHECKED);
  }

  /**
   * No usable data directory: missing, empty, or a cluster whose bootstrap did not finish. Bootstrap races,
   * cloning, and the end of a bootstrap of ours that failed.
   *
   * <p>A failed bootstrap is given up once and for all, as Patroni's {@code cancel_initialization} does: the task
   * already stopped what it started and moved the data directory aside; the plan gives the initialize key back and
   * ends this daemon with the reason (exit 1). Why not race again: the cause (a parameter PostgreSQL rejects, a
   * failing custom method) is nearly always in the configuration, and each attempt left a moved-aside copy; a
   * retry loop re-ran initdb every cycle and filled the disk (issue 17). Another node may still race and try.
   */
  private static Decision emptyDataDirectory(ClusterSnapshot c, LocalState local, HaPolicy policy) {
    String me = policy.name();
    Optional<Initialize> init = c.initialize();
    boolean ownRace = init.map(i -> i.bootstrapInProgress() && me.equals(i.owner())).orElse(false);
    if (local.pg().dataDir() == DataDirState.BOOTSTRAP_INCOMPLETE) {
      // Our bootstrap was cut short (the daemon was killed during it) or its own cleanup failed: its roles,
      // passwords or post_bootstrap may be missing, so it is never started for clients. Whatever of it may still
      // run (its private server) is stopped first: the move needs it stopped. Without a failed task (a restart)
      // the race runs again next cycle, once per restart of the daemon.
      List<Action> actions = new ArrayList<>(List.of(new Action.StopPostgres(StopMode.IMMEDIATE),
          new Action.MoveDataDirectoryAside(DecisionMessage.BOOTSTRAP_INCOMPLETE.format())));
      actions.addAll(giveUpRace(c, me, ownRace));
      local.failedTask().ifPresent(f -> actions.add(
          new Action.Fatal(DecisionMessage.BOOTSTRAP_FAILED_FATAL.format(f))));
      return new Decision(actions, DecisionMessage.BOOTSTRAP_INCOMPLETE.format());
    }
    if (local.failedTask().isPresent() && ownRace) {
      List<Action> actions = new ArrayList<>(giveUpRace(c, me, true));
      actions.add(new Action.Fatal(DecisionMessage.BOOTSTRAP_FAILED_FATAL.format(local.failedTask().get())));
      return new Decision(actions, DecisionMessage.BOOTSTRAP_FAILED.format(local.failedTask().get()));
    }
    if (init.isEmpty()) {
      if (c.leader().isPresent() && !c.isLeader(me)) {
        return cloneOrWait(c, local, policy);
      }
      if (!policy.tags().canFailover()) {
        return Decision.of(DecisionMessage.BOOTSTRAP_NOT_ALLOWED.format());
      }
      Optional<Upstream> remote = remoteOf(policy);
      if (remote.isPresent()) {
        // Patroni's bootstrap_standby_leader: the race winner copies the remote instead of running initdb, and
        // starts as its standby. No lock yet: once that standby runs, the leader race (with the initialize key
        // still ours) takes it, and the holder records the system identifier and seeds the config key.
        return Decision.of(DecisionMessage.STANDBY_BOOTSTRAP.format(describe(remote.get())),
            new Action.RaceInitialize(), new Action.CloneReplica(remote.get()));
      }
      // Patroni's order: the initialize key guards the bootstrap; the lock is taken once the cluster is ready
      // (bootstrapEnded), so the REST API never calls a primary that serves clients "initializing new cluster".
      return Decision.of(DecisionMessage.BOOTSTRAP_RACE.format(), new Action.RaceInitialize(),
          new Action.Bootstrap(policy.node().bootstrapDcs()));
    }
    if (init.get().bootstrapInProgress()) {
      if (me.equals(init.get().owner())) {
        // We won the race earlier but no bootstrap task runs: the daemon restarted mid-bootstrap.
        List<Action> actions = new ArrayList<>();
        actions.add(new Action.CancelInitialize());
        if (c.isLeader(me)) {
          actions.add(new Action.ReleaseLock());
        }
        return new Decision(actions, DecisionMessage.BOOTSTRAP_INTERRUPTED.format());
      }
      return Decision.of(DecisionMessage.BOOTSTRAP_WAITING.format());
    }
    if (c.isLeader(me)) {
      return Decision.of(DecisionMessage.NO_DATA_DIR_RELEASING_LOCK.format(),
          new Action.ReleaseLock());
    }
    if (c.leader().isPresent()) {
      return cloneOrWait(c, local, policy);
    }
    if (policy.node().cloneWithoutLeader()) {
      // Patroni's "bootstrap (without leader)": an initialized cluster with no leader at all (every member lost,
      // say) can only come back from a backup; a no_leader method restores one (ReplicaCreator runs only those
      // without an upstream), and the node then starts as a standby with nothing to follow and takes part in the
      // leader race like any replica. Not while a bootstrap runs (handled above): that one makes the data.
      String message = local.failedTask()
          .map(f -> DecisionMessage.CLONE_WITHOUT_LEADER_AFTER_FAILURE.format(f))
          .orElseGet(() -> DecisionMessage.CLONE_WITHOUT_LEADER.format());
      return Decision.of(message, new Action.CloneReplica(null));
    }
    return Decision.of(DecisionMessage.BOOTSTRAP_WAITING.format());
  }

  /** Gives a bootstrap race of ours back: the initialize key (when it is ours and in progress) and the lock. */
  private static List<Action> giveUpRace(ClusterSnapshot c, String me, boolean ownRace) {
    List<Action> actions = new ArrayList<>();
    if (ownRace) {
      actions.add(new Action.CancelInitialize());
    }
    if (c.isLeader(me)) {
      actions.add(new Action.ReleaseLock());
    }
    return actions;
  }

  /**
   * The cluster is being bootstrapped (initialize is "") and nobody holds the lock, and this node has an
   * initialized data directory. Ours: the bootstrap task finished (it leaves the new cluster stopped and never
   * marks it done otherwise), so take the lock and start it as primary; the holder then records the system
   * identifier. Someone else's: wait, whatever data this node has (another cluster's, left behind): it must not
   * take the lock while the new cluster is being made. Empty when neither applies (our PostgreSQL runs or starts:
   * the usual rules handle it).
   *
   * <p>Why no other node can take the lock between the end of our bootstrap and this plan: nodes without data
   * wait while initialize is in progress, and nodes with data wait here. A daemon killed in between finds the
   * finished, stopped cluster and takes the lock on its first cycle, as here (a bootstrap cut short is marked
   * BOOTSTRAP_INCOMPLETE instead and handled in emptyDataDirectory). The primary starts only under the lock just
   * taken (the start task checks the lease again).
   */
  private static Optional<Decision> bootstrapEnded(Initialize init, LocalState local, HaPolicy policy) {
    PgState pg = local.pg();
    if (!policy.name().equals(init.owner())) {
      if (pg.isPrimary()) {
        return Optional.of(Decision.of(DecisionMessage.BOOTSTRAP_WAITING_FOR_OWNER_DEMOTING.format(init.owner()),
            new Action.Demote(StopMode.IMMEDIATE)));
      }
      return Optional.of(Decision.of(DecisionMessage.BOOTSTRAP_WAITING_FOR_OWNER.format(init.owner())));
    }
    if (pg.running() || pg.pid().isPresent() || remoteOf(policy).isPresent()) {
      // A standby cluster's bootstrap is a clone of the remote, never started as a primary: the usual rules start it
      // read-only and the race makes it the standby leader.
      return Optional.empty();
    }
    Optional<String> failedStart = local.failedTask().filter(f -> f.startsWith(Task.START_PRIMARY.label()));
    if (failedStart.isPresent()) {
      // The first start failed and the lock is gone already (it ran out): give up as the holder would.
      String why = DecisionMessage.BOOTSTRAP_START_FAILED.format(failedStart.get());
      return Optional.of(new Decision(List.of(new Action.StopPostgres(StopMode.IMMEDIATE),
          new Action.MoveDataDirectoryAside(why), new Action.CancelInitialize(),
          new Action.Fatal(DecisionMessage.BOOTSTRAP_FAILED_FATAL.format(failedStart.get()))), why));
    }
    List<Action> start = new ArrayList<>(List.of(acquireLock(policy)));
    // A new cluster has no sync key of its own yet: strict mode starts it with '*'.
    start.addAll(SyncDuty.beforeStart(Optional.empty(), policy));
    start.add(new Action.StartPrimary(FencingToken.acquired()));
    return Optional.of(new Decision(start, DecisionMessage.BOOTSTRAP_FINISHED.format()));
  }

  private static Decision cloneOrWait(ClusterSnapshot c, LocalState local, HaPolicy policy) {
    String me = policy.name();
    LeaderLock leader = c.leader().get();
    Optional<Upstream> up = c.leaderMember().flatMap(Decider::upstreamOf);
    // Where the copy streams from once made: where a running replica of this node would (followingLeader), so its
    // first connection finds its slot (the leader keeps one for every member that does not cascade).
    Cascade cascade = cascadeSource(c, me, policy.tags().replicatefrom());
    Optional<Upstream> follow = cascade.via().isPresent() ? cascade.via().flatMap(Decider::upstreamOf) : up;
    // A failed clone is retried from the leader: the clonefrom member may be why it failed (Patroni's random pick
    // would likely try another source; a pure decision cannot, so it takes the one source that must serve).
    boolean failedBefore = local.failedTask().isPresent() || local.memory().retry().isPresent();
    Optional<Member> source = failedBefore ? Optional.empty() : cloneSource(c, me);
    if (source.isPresent()) {
      Upstream from = upstreamOf(source.get()).orElseThrow();
      return Decision.of(DecisionMessage.CLONE_FROM_REPLICA.format(source.get().name()),
          new Action.CloneReplica(from, follow.orElse(from)));
    }
    if (up.isEmpty()) {
      return Decision.of(DecisionMessage.CLONE_WAITING_FOR_ADDRESS.format(leader.name()));
    }
    Member leaderMember = c.leaderMember().get();
    if (!leaderMember.isRunning()) {
      // A lock holder whose PostgreSQL does not run (yet) has nothing to copy. A method that never contacts it (a
      // restore from a backup repository) would still "succeed", with the repository's newest state rather than
      // the leader's: after a point-in-time restore that is the timeline the restore just cut off.
      return Decision.of(DecisionMessage.CLONE_WAITING_FOR_RUNNING_LEADER.format(leader.name(),
          leaderMember.state()));
    }
    String message = local.failedTask()
        .map(f -> DecisionMessage.CLONE_AFTER_FAILURE.format(f, leader.name()))
        .orElseGet(() -> DecisionMessage.CLONE.format(leader.name()));
    return Decision.of(message, new Action.CloneReplica(up.get(), follow.orElseThrow()));
  }

  /**
   * Patroni's clone member: a running member tagged {@code clonefrom} (never this node or the leader: the leader is
   * the fallback anyway), that has an address and is not off the leader's timeline (a copy of it would be too).
   * Patroni picks at random among several; the decision must be a function of its inputs, so it takes the first by
   * name: every node then agrees which source is used, and an operator can tell from the names alone. (Spreading
   * clones over several sources was the random pick's only gain, and clonefrom is usually set on one backup node.)
   */
  static Optional<Member> cloneSource(ClusterSnapshot c, String me) {
    return c.members().values().stream()
        .filter(m -> m.clonefrom() && !m.name().equals(me) && !c.isLeader(m.name()) && m.isRunning()
            && upstreamOf(m).isPresent() && LeaderTimeline.ofMember(c, m).isEmpty())
        .min(java.util.Comparator.comparing(Member::name));
  }

  /**
   * Where a member streams from by its {@code replicatefrom} tag: {@code via} the tagged member while that one can
   * serve (a running replica with an address, on the leader's timeline), else empty (the leader), with
   * {@code whyNot} saying why a tagged member cannot. A chain of tags that leads back on itself would leave every
   * member in it streaming from another that receives nothing; each member on it finds the cycle alike and
   * follows the leader instead. Every node computes this for every member from the same snapshot, so a replica
   * and the node that keeps its slot agree on where it streams (see {@link #memberSlots}).
   *
   * <p>Unlike Patroni, which keeps following the tagged member until its member key is gone, a tagged member
   * whose PostgreSQL is not running is not followed: its cascading replicas would receive nothing until its
   * daemon died too.
   */
  record Cascade(Optional<Member> via, Optional<String> whyNot) {
    static final Cascade LEADER = new Cascade(Optional.empty(), Optional.empty());
  }

  static Cascade cascadeSource(ClusterSnapshot c, String name, Optional<String> replicatefrom) {
    if (replicatefrom.isEmpty() || replicatefrom.get().equals(name) || c.isLeader(replicatefrom.get())) {
      return Cascade.LEADER;
    }
    Optional<Member> first = c.member(replicatefrom.get());
    Optional<String> why = cannotServe(c, first);
    if (why.isPresent()) {
      return new Cascade(Optional.empty(), why);
    }
    // Names, not member keys, are followed: a cycle through a member without a key (this node's own, not yet
    // published) is still one. Ends at the leader, at a member that cannot serve (its own replicas fall back to
    // the leader), or at one without the tag.
    List<String> chain = new ArrayList<>(List.of(name));
    String next = replicatefrom.get();
    while (true) {
      boolean seen = chain.contains(next);
      chain.add(next);
      if (seen) {
        return new Cascade(Optional.empty(), Optional.of(DecisionMessage.REPLICATEFROM_CYCLE.format(chain)));
      }
      Optional<Member> hop = c.member(next);
      if (hop.isEmpty() || c.isLeader(next) || cannotServe(c, hop).isPresent()) {
        break;
      }
      String here = next;
      Optional<String> after = hop.get().replicatefrom().filter(n -> !n.equals(here));
      if (after.isEmpty()) {
        break;
      }
      next = after.get();
    }
    return new Cascade(first, Optional.empty());
  }

  /** Why a member named by a replicatefrom tag cannot be streamed from, or empty when it can. */
  private static Optional<String> cannotServe(ClusterSnapshot c, Optional<Member> member) {
    if (member.isEmpty()) {
      return Optional.of(DecisionMessage.REPLICATEFROM_GONE.format());
    }
    Member m = member.get();
    if (!m.isRunning() || upstreamOf(m).isEmpty() || !"replica".equals(m.role())) {
      return Optional.of(DecisionMessage.REPLICATEFROM_NOT_RUNNING.format(m.state(), m.role()));
    }
    return LeaderTimeline.ofMember(c, m).map(DecisionMessage.REPLICATEFROM_OFF_LINE::format);
  }

  /**
   * PostgreSQL's state cannot be probed ({@link PgState#isUnknown()}): nothing may be started next to a server
   * that may be running, and after {@link #UNPROBEABLE_CYCLES} such cycles it counts as unhealthy.
   */
  private static Decision unprobeable(ClusterSnapshot c, PgState pg, HaPolicy policy, int cycles) {
    String why = pg.unknown().orElseThrow();
    if (c.isLeader(policy.name())) {
      if (cycles >= UNPROBEABLE_CYCLES) {
        // No refresh. The immediate stop is the fencing procedure: it returns only once no process of the data
        // directory is left (it never gives up), so the release after it cannot hand the lock over while this
        // PostgreSQL still runs. A pid file that stays unreadable after that (PostgreSQL itself refuses to start
        // with bogus data in its lock file) keeps the node out until an operator looks at it.
        return Decision.of(DecisionMessage.UNPROBEABLE_HOLDER_FENCING.format(cycles, why),
            new Action.Demote(StopMode.IMMEDIATE), new Action.ReleaseLock());
      }
      return Decision.of(DecisionMessage.UNPROBEABLE_HOLDER_WAITING.format(why, UNPROBEABLE_CYCLES - cycles),
          keepLock(c, policy));
    }
    if (cycles >= UNPROBEABLE_CYCLES) {
      return Decision.of(DecisionMessage.UNPROBEABLE_STOPPING.format(cycles, why),
          new Action.Demote(StopMode.IMMEDIATE));
    }
    return Decision.of(DecisionMessage.UNPROBEABLE_WAITING.format(why));
  }

  private static Decision holdingLock(ClusterSnapshot c, LocalState local, HaPolicy policy,
      Map<String, PeerView> peers, long nowNanos, java.time.Instant wallNow) {
    String me = policy.name();
    PgState pg = local.pg();
    List<Action> actions = new ArrayList<>();
    Set<String> gone = policy.dynamic().useSlots() ? SlotRetention.keptNow(c, local, policy, nowNanos) : Set.of();
    actions.add(keepLock(c, policy));
    if (pg.isPrimary() && policy.bugs().active(HaBug.FLAPPING_LEADER)
        && Math.floorMod(nowNanos / 1_000_000_000L, FLAP_PERIOD_SECONDS) < FLAP_WINDOW_SECONDS) {
      // PLANTED BUG flapping-leader (fault-injection harness only): hand the lock back for no reason (but the way
      // every voluntary release does, history first: the bug is about stability, not durability).
      List<Action> flap = new ArrayList<>(historyBeforeHandover(Optional.of(c), pg));
      flap.add(new Action.Demote(StopMode.IMMEDIATE));
      flap.add(new Action.ReleaseLock());
      return new Decision(flap, DecisionMessage.FLAPPING_LEADER_BUG.format());
    }
    Optional<Upstream> remote = remoteOf(policy);
    if (remote.isPresent()) {
      return standbyLeader(c, local, policy, actions, remote.get(), gone);
    }
    if (pg.isPrimary() && pg.fencingToken().isPresent()
        && pg.fencingToken().getAsLong() != c.leader().get().fencingToken()) {
      // A primary runs with its lock's fencing token. Taking a new lock while running as primary plans the new token
      // with the acquire (ACQUIRED_AS_PRIMARY); a daemon that died between that acquire and its promote task left the
      // server on the lost lock's token, and the next daemon re-adopts the lock as it is: set it here, or nothing
      // ever would (the simulator's seed 1274000000733: a primary that ran on failsafe past its lock took a new one
      // after the partition healed, and its daemon was killed a moment later).
      return Decision.of(DecisionMessage.HOLDER_TOKEN_BEHIND.format(me, pg.fencingToken().getAsLong(),
          c.leader().get().fencingToken()), keepLock(c, policy),
          new Action.Promote(FencingToken.held(c.leader().get().fencingToken())));
    }
    if (pg.isPrimary()) {
      if (pg.timeline() > 1 && !c.historyRecordsEndOf(pg.timeline() - 1L)) {
        // Before PublishStatus: status must never show a position on a timeline history does not know.
        actions.add(new Action.RecordHistory(pg.timeline()));
      }
      actions.addAll(publishStatus(c, pg, me, policy, gone));
      if (c.initialize().map(Initialize::bootstrapInProgress).orElse(true) && pg.systemIdentifier().isPresent()) {
        actions.add(new Action.RecordInitialize(pg.systemIdentifier().get()));
      }
      if (c.config().isEmpty()) {
        actions.add(new Action.SeedConfig(policy.node().bootstrapDcs()));
      }
      if (policy.dynamic().useSlots()) {
        TreeSet<String> physical = leaderSlots(c, me, policy, gone);
        actions.add(new Action.SyncSlots(physical));
        LogicalSlotWants logical = LogicalSlotWants.atPrimary(policy);
        if (logical.worthSyncing(pg, physical)) {
          actions.add(Action.SyncLogicalSlots.of(logical));
        }
      }
      // Synchronous replication last: a lost compare-and-set of the sync key skips only the sync steps after it.
      SyncDuty.LeaderPart sync = SyncDuty.atLeader(c, pg, policy, local.memory().syncMark());
      return ManualFailover.atLeader(c, pg, policy, peers, wallNow,
          SyncDuty.leading(new Decision(actions, DecisionMessage.LEADER.format(me)), sync, me));
    }
    if (pg.isReplica()) {
      // Before any promotion, the catch-up from a more advanced peer (CatchUp): while it runs, only the lock is kept.
      CatchUp.Step catchUp = CatchUp.atHolder(c, local, policy, peers, actions, nowNanos);
      if (catchUp.waiting().isPresent()) {
        return catchUp.waiting().get();
      }
      List<Action> claim = SyncDuty.beforePromotion(c, pg, policy);
      if (!claim.isEmpty()) {
        // Synchronous mode: the holder promotes only if the key lets it, and only after rewriting the key to name
        // itself (a lost race for the lock's promotion plan, or a lost compare-and-set, leaves it here).
        Optional<String> refused = SyncDuty.whyNotPromotable(c, pg, policy, peers);
        if (refused.isPresent()) {
          return Decision.of(DecisionMessage.SYNC_HOLDER_NOT_PROMOTABLE.format(refused.get()),
              new Action.ReleaseLock());
        }
        actions.addAll(claim);
        actions.add(new Action.Promote(FencingToken.held(c.leader().get().fencingToken())));
        return new Decision(actions, DecisionMessage.SYNC_HOLDER_CLAIMING.format(
            policy.dynamic().synchronous().mode().word())).ifGateFails(
            DecisionMessage.SYNC_POSTPONING_PROMOTION.format());
      }
      actions.add(new Action.Promote(FencingToken.held(c.leader().get().fencingToken())));
      return new Decision(actions, catchUp.promoting().orElseGet(DecisionMessage.HOLDER_PROMOTING::format));
    }
    if (pg.pid().isPresent()) {
      // The postmaster is alive but does not accept connections yet: crash recovery (ours, or its own after a
      // backend crash), or a start pg_ctl gave up waiting for. Never start a second one; count the timeout.
      return primaryStarting(c, local, policy, peers, nowNanos, false);
    }
    Optional<String> failedStart = local.failedTask().filter(f -> f.startsWith(Task.START_PRIMARY.label()));
    if (failedStart.isPresent() && c.initialize().map(i -> i.bootstrapInProgress() && me.equals(i.owner()))
        .orElse(false)) {
      // The first start of the cluster we just bootstrapped failed: Patroni's cancel_initialization (a bootstrap
      // whose PostgreSQL does not run has failed). Stopped before the release and the move; no retry loop.
      String why = DecisionMessage.BOOTSTRAP_START_FAILED.format(failedStart.get());
      return new Decision(List.of(new Action.Demote(StopMode.IMMEDIATE), new Action.ReleaseLock(),
          new Action.MoveDataDirectoryAside(why), new Action.CancelInitialize(),
          new Action.Fatal(DecisionMessage.BOOTSTRAP_FAILED_FATAL.format(failedStart.get()))), why);
    }
    if (failedStart.isPresent()) {
      // Patroni's post_recover: a start that failed outright (bad parameter, port in use, disk full) gives the
      // lock up at once; trying again is for whoever wins the next race (possibly this node, read-only first).
      return Decision.of(DecisionMessage.START_FAILED_RELEASING_LOCK.format(failedStart.get()),
          new Action.ReleaseLock());
    }
    Optional<String> failedRestart = LocalOperations.restartFailedDown(local);
    if (failedRestart.isPresent()) {
      return Decision.of(DecisionMessage.START_FAILED_RELEASING_LOCK.format(failedRestart.get()),
          new Action.ReleaseLock());
    }
    Optional<Decision> toCandidate = ManualFailover.holderDown(c, pg, policy, peers);
    if (toCandidate.isPresent()) {
      return toCandidate.get();
    }
    if (policy.dynamic().primaryStartTimeout() == 0 && failoverPossible(c, policy, peers)) {
      return Decision.of(DecisionMessage.CRASH_FAILOVER.format(),
          new Action.ReleaseLock());
    }
    actions.addAll(SyncDuty.beforeStart(c.sync(), policy));
    actions.add(new Action.StartPrimary(FencingToken.held(c.leader().get().fencingToken())));
    return new Decision(actions, DecisionMessage.STARTING_PRIMARY.format())
        .startedAt(local.memory().primaryStartSinceNanos().orElse(nowNanos));
  }

  /**
   * The holder's PostgreSQL is being brought up as primary (our start task runs, or the postmaster is alive but
   * not accepting connections yet). Patroni's {@code primary_start_timeout}: keep the lock (refreshing it every
   * cycle, so a long crash recovery is never cut short by our own lease) for that long since the attempt began;
   * then, if some replica could take over (reachable, allowed, within {@code maximum_lag_on_failover}, not on an
   * older timeline), stop PostgreSQL and release the lock; if none could, keep waiting.
   *
   * <p>While our start task still runs (a {@code primary_start_timeout} shorter than {@code pg_ctl_timeout}) the
   * stop comes without the release: a {@code pg_ctl start} in flight could still bring a postmaster up after the
   * stop, and the lock must still be ours if it does. The stop makes the task fail; the next cycle, with no task
   * running, releases the lock as after any failed start (or, should the server have come up after all, keeps
   * leading with the lock it still holds).
   */
  private static Decision primaryStarting(ClusterSnapshot c, LocalState local, HaPolicy policy,
      Map<String, PeerView> peers, long nowNanos, boolean taskRunning) {
    boolean restartTimedOut = LocalOperations.restartTimedOut(local);
    // A restart's timeout that ran out is remembered as a primary_start_timeout already spent, so the next cycles
    // (which no longer see the task's failure) keep the timed-out rule.
    long since = restartTimedOut ? nowNanos - policy.dynamic().primaryStartTimeout() * 1_000_000_000L
        : local.memory().primaryStartSinceNanos().orElse(nowNanos);
    long leftNanos = startTimeoutLeftNanos(local, policy, nowNanos);
    if (leftNanos <= 0) {
      if (failoverPossible(c, policy, peers) && restartTimedOut) {
        return Decision.of(DecisionMessage.RESTART_TIMEOUT_RELEASING.format(),
            new Action.Demote(StopMode.IMMEDIATE), new Action.ReleaseLock());
      }
      if (failoverPossible(c, policy, peers)) {
        int timeout = policy.dynamic().primaryStartTimeout();
        if (taskRunning) {
          return Decision.of(DecisionMessage.START_TIMEOUT_STOPPING.format(timeout),
              new Action.Demote(StopMode.IMMEDIATE)).startedAt(since);
        }
        return Decision.of(DecisionMessage.START_TIMEOUT_RELEASING.format(timeout),
            new Action.Demote(StopMode.IMMEDIATE), new Action.ReleaseLock());
      }
      return Decision.of(DecisionMessage.START_TIMEOUT_WAITING.format(), keepLock(c, policy)).startedAt(since);
    }
    long leftSeconds = (leftNanos + 999_999_999L) / 1_000_000_000L;
    return Decision.of(DecisionMessage.PRIMARY_STILL_STARTING.format(leftSeconds), keepLock(c, policy))
        .startedAt(since);
  }

  /**
   * Patroni's {@code is_failover_possible}: some other member could take over now. Only peers that answered
   * count; each must run, be a replica allowed to fail over, be within {@code maximum_lag_on_failover} of the last
   * published primary position, and not be on a timeline older than the cluster's.
   */
  static boolean failoverPossible(ClusterSnapshot c, HaPolicy policy, Map<String, PeerView> peers) {
    long optime = c.lastLeaderOptime();
    long maxLag = policy.dynamic().maximumLagOnFailover();
    long clusterTimeline = c.clusterTimeline();
    for (PeerView p : peers.values()) {
      if (p.name().equals(policy.name()) || !p.reachable() || !p.running() || p.nofailover()
          || p.failoverPriority() <= 0 || p.role().map("primary"::equals).orElse(false)
          || p.walPosition().isEmpty()) {
        continue;
      }
      if (optime > 0 && optime - p.walPosition().getAsLong() > maxLag) {
        continue;
      }
      if (LeaderTimeline.otherEpoch(c, p.timeline(), p.timelineEpoch()).isPresent()) {
        continue; // on another fork of the cluster's timeline: it refuses the race (whyNotHealthiest)
      }
      if (clusterTimeline > 0 && p.timeline() > 0 && p.timeline() < clusterTimeline) {
        continue;
      }
      return true;
    }
    return false;
  }

  private static Decision followingLeader(ClusterSnapshot c, LocalState local, HaPolicy policy) {
    String me = policy.name();
    PgState pg = local.pg();
    LeaderLock leader = c.leader().get();
    if (pg.isPrimary()) {
      return Decision.of(DecisionMessage.NO_LOCK_DEMOTING.format(),
          new Action.Demote(StopMode.IMMEDIATE));
    }
    Cascade cascade = cascadeSource(c, me, policy.tags().replicatefrom());
    Optional<String> via = cascade.via().map(Member::name);
    Optional<Upstream> up = cascade.via().isPresent() ? cascade.via().flatMap(Decider::upstreamOf)
        : c.leaderMember().flatMap(Decider::upstreamOf);
    if (up.isEmpty()) {
      return Decision.of(DecisionMessage.LEADER_WITHOUT_ADDRESS.format(me, leader.name()));
    }
    if (pg.isReplica()) {
      String want = up.get().host() + ":" + up.get().port();
      // A nostream replica runs without an upstream on purpose (it replays from the archive): neither stopped for
      // having none nor re-pointed; only one that still streams is re-pointed, which drops its primary_conninfo.
      boolean nostream = policy.tags().nostream();
      if (pg.upstream().isEmpty() && !nostream) {
        // A replica without an upstream was started while the cluster had no leader: typically a primary that just
        // demoted itself (fence, lost lease, unprobeable), whose local WAL may run past the point where the new
        // leader's timeline forked, and the divergence check (and pg_rewind) needs a stopped cluster. Even without
        // divergence a reload is not enough: seen in PrimaryHealthIT (PostgreSQL 15), a fenced primary restarted
        // as a standby that had replayed its own WAL exactly to the fork point (history: timeline 2 ended at
        // 0/50001F0) refused the new timeline for ever after the reload ("new timeline 3 forked off current
        // database system timeline 2 before current recovery point 0/50001F0"), and streamed at once after a
        // restart. So stop it; the next cycle's Rejoin checks it against the leader, rewinds it if needed and
        // starts it following the leader. Patroni similarly checks a demoted primary for divergence before it
        // follows. Costs one restart of a replica that was streaming from nobody.
        return Decision.of(DecisionMessage.STOPPING_WITHOUT_UPSTREAM.format(leader.name()),
            new Action.StopPostgres(StopMode.FAST));
      }
      Optional<String> fork = LeaderTimeline.otherFork(c, pg.timeline(), ownSwitches(pg))
          .or(() -> LeaderTimeline.otherEpoch(c, pg.timeline(), pg.timelineEpoch()));
      if (fork.isPresent()) {
        // Item 12 of issue 17 (the simulator's timeline-id collision): a replica that followed a primary promoted
        // on another fork now follows a leader whose timeline has the same number. Nothing in the numbers differs,
        // so no other rule here notices, and PostgreSQL may even stream the leader's WAL on top of the other
        // fork's records once the leader's position passes the replica's. Its own history file tells: it says
        // the parent timeline ended elsewhere than the cluster's history does. Streaming or not, it must be
        // stopped so that the next cycle's Rejoin runs the divergence check (which compares the same two
        // histories) and rewinds or re-clones it.
        return Decision.of(DecisionMessage.STOPPING_OTHER_FORK.format(fork.get(), leader.name()),
            new Action.StopPostgres(StopMode.FAST));
      }
      Optional<HistoryEntry> ended = c.historyEndOf(pg.timeline());
      if (ended.isPresent() && pg.replayedLsn().isPresent() && pg.replayedLsn().getAsLong() > ended.get().lsn()
          && !pg.replicationState().map("streaming"::equals).orElse(false)) {
        // A replica that replayed its timeline past the point where the cluster's history says that timeline ended
        // holds WAL the leader's timeline branched away from (it streamed from a primary that died while a
        // replica behind it was promoted). PostgreSQL then refuses the new timeline for ever ("new timeline 2
        // forked off current database system timeline 1 before current recovery point"), replays nothing and
        // serves ever staler reads. Like the demoted primary above it needs the divergence check, which only a
        // stopped cluster allows: stop it, and the next cycle's Rejoin rewinds it (use_pg_rewind) or re-clones
        // it (remove_data_directory_on_diverged_timelines), or says why it cannot. The probe reports the timeline
        // the startup process replays, so a healthy replica past the switch reads the new timeline and never
        // matches; a streaming one is left alone (PostgreSQL streams only what it can replay).
        return Decision.of(DecisionMessage.STOPPING_PAST_HISTORY.format(pg.timeline(),
            pg.replayedLsn().getAsLong(), ended.get().lsn(), leader.name()), new Action.StopPostgres(StopMode.FAST));
      }
      // PLANTED BUG ignore-later-replica-timeline (fault-injection harness only): the rule below is skipped, and the
      // replica is re-pointed or left as if it were on the leader's line.
      Optional<String> later = LeaderTimeline.laterThanLeader(c, pg.timeline(),
          pg.replicationState().map("streaming"::equals).orElse(false), policy.dynamic().standbyCluster().isPresent());
      if (later.isPresent() && !policy.bugs().active(HaBug.IGNORE_LATER_REPLICA_TIMELINE)) {
        // Off the leader's line whatever history says (LeaderTimeline.laterThanLeader). Stop it so that the next
        // cycle's Rejoin runs the divergence check against the upstream itself (a later local timeline is a
        // divergence there) and rewinds or re-clones it. If a replica that is between connections is stopped right
        // after a promotion (the leader's key not yet showing the new timeline), the rejoin's check finds no
        // divergence and only restarts it.
        long leaderTimeline = c.leaderMember().map(Member::timeline).orElse(0);
        return Decision.of(DecisionMessage.STOPPING_LATER_TIMELINE.format(pg.timeline(), leader.name(),
            leaderTimeline), new Action.StopPostgres(StopMode.FAST));
      }
      List<Action> actions = new ArrayList<>(cascadeSlots(c, me, pg, policy));
      LogicalSlotWants logical = LogicalSlotWants.atReplica(c.status(), pg, policy);
      if (policy.dynamic().useSlots() && logical.worthSyncing(pg, replicaSlotWants(c, me, policy).names())) {
        actions.add(Action.SyncLogicalSlots.of(logical));
      }
      if (nostream ? pg.upstream().isPresent() : !pg.upstream().get().equals(want)) {
        actions.add(0, new Action.Follow(up.get()));
        String message;
        if (via.isPresent()) {
          message = DecisionMessage.FOLLOWING_NEW_REPLICATEFROM.format(via.get());
        } else if (cascade.whyNot().isPresent()) {
          message = DecisionMessage.FOLLOWING_LEADER_INSTEAD.format(leader.name(),
              policy.tags().replicatefrom().orElseThrow(), cascade.whyNot().get());
        } else {
          message = DecisionMessage.FOLLOWING_NEW_LEADER.format(leader.name());
        }
        return new Decision(actions, message);
      }
      Optional<Decision> reload = StandbyRules.memberSettingsChanged(policy, pg, actions, up.get(), leader.name());
      if (reload.isPresent()) {
        return reload.get();
      }
      Optional<Upstream> primary = c.leaderMember().flatMap(Decider::upstreamOf);
      if (policy.dynamic().useSlots() && !logical.copy().isEmpty() && primary.isPresent()) {
        // Only on a replica that stays where it is (no re-point, no reload this cycle): the copy restarts it.
        actions.add(new Action.CopyLogicalSlots(primary.get(), up.get(), logical.copy()));
        return new Decision(actions, DecisionMessage.COPYING_LOGICAL_SLOTS.format(me, leader.name(),
            logical.copy().stream().map(io.pgquorum.coordinator.config.PermanentSlots.Slot::name).toList()));
      }
      return new Decision(actions, via.map(v -> DecisionMessage.FOLLOWING_REPLICATEFROM.format(me, v, leader.name()))
          .orElseGet(() -> DecisionMessage.FOLLOWING.format(me, leader.name())));
    }
    if (pg.pid().isPresent()) {
      return Decision.of(DecisionMessage.SECONDARY_STILL_STARTING.format(me));
    }
    if (local.refusedCopy().isPresent()) {
      return copyRefused(c, local.refusedCopy().get(), up.get());
    }
    String message;
    if (via.isPresent()) {
      message = local.failedTask()
          .map(f -> DecisionMessage.REJOINING_REPLICATEFROM_AFTER_FAILURE.format(f, via.get()))
          .orElseGet(() -> DecisionMessage.REJOINING_REPLICATEFROM.format(via.get()));
    } else {
      message = local.failedTask()
          .map(f -> DecisionMessage.REJOINING_AFTER_FAILURE.format(f, leader.name()))
          .orElseGet(() -> DecisionMessage.REJOINING.format(leader.name()));
    }
    // A cascading rejoin checks for divergence against (and rewinds from) the replica it will follow: it runs on
    // the leader's timeline (cannotServe), and pg_rewind accepts a standby as its source since PostgreSQL 14.
    // A node whose data is another fork of the leader's timeline number (LeaderTimeline.otherEpoch) cannot be
    // repaired by pg_rewind, which compares history files (equal here) and would rewind from the wrong point: the
    // rejoin re-clones it (moved aside) when the settings allow, else fails saying why.
    Optional<String> fork = LeaderTimeline.otherEpoch(c, pg.timeline(), pg.timelineEpoch());
    return Decision.of(message, new Action.Rejoin(up, fork.isPresent()
        ? Divergence.anotherFork(up.get(), policy, fork.get()) : Divergence.decide(up.get(), policy)));
  }

  /**
   * PostgreSQL refused this node's copy at its start: it cannot reach the leader's timeline (a backup from before
   * a point-in-time recovery's branch point, restored by a method that always takes the newest). Starting it again
   * changes nothing, so the copy is moved aside and the node clones again from the leader without the methods whose
   * copies were refused. Bounded: each refusal removes one method, and with none left the node stays stopped (no
   * clone, no start) until the operator reinitializes it.
   */
  private static Decision copyRefused(ClusterSnapshot c, RefusedCopy refused, Upstream follow) {
    String leader = c.leader().get().name();
    Optional<Upstream> from = c.leaderMember().flatMap(Decider::upstreamOf);
    if (refused.remaining().isEmpty() || from.isEmpty()) {
      return Decision.of(DecisionMessage.COPY_REFUSED_NO_METHOD_LEFT.format(refused.methodText(), refused.message(),
          refused.skipText(), leader));
    }
    return Decision.of(DecisionMessage.COPY_REFUSED_CLONING_AGAIN.format(refused.methodText(), refused.message(),
        leader, refused.skipText()), new Action.CloneAgain(from.get(), follow, refused.skip()));
  }

  /**
   * A running replica's slots ({@link SlotWants#atReplica}): those of the members that stream from it (Patroni's
   * "its slot is kept on the upstream") and copies of the leader's slots and of the leader's own, moved to the
   * positions the leader publishes (Patroni 4), so that they exist on whichever replica is promoted next. Planned
   * while it wants some slot or holds any: a slot it made for a member whose tag was removed later (or that left)
   * would otherwise keep WAL here for ever; the sync drops the ones pgquorum created once inactive.
   */
  private static List<Action> cascadeSlots(ClusterSnapshot c, String me, PgState pg, HaPolicy policy) {
    if (!policy.dynamic().useSlots()) {
      return List.of();
    }
    SlotWants wants = replicaSlotWants(c, me, policy);
    if (wants.names().isEmpty() && pg.slots().isEmpty()) {
      return List.of();
    }
    return List.of(Action.SyncSlots.of(wants));
  }

  /** A running replica's physical slots ({@link SlotWants}), the configured logical ones left out. */
  private static SlotWants replicaSlotWants(ClusterSnapshot c, String me, HaPolicy policy) {
    return SlotWants.atReplica(c, me, memberSlots(c, me), LogicalSlotWants.configured(policy).keySet());
  }

  private static Decision leaderRace(ClusterSnapshot c, LocalState local, HaPolicy policy,
      Map<String, PeerView> peers, long nowNanos) {
    String me = policy.name();
    PgState pg = local.pg();
    if (!pg.running() && pg.pid().isPresent()) {
      return Decision.of(DecisionMessage.RACE_STILL_STARTING.format());
    }
    if (!pg.running()) {
      Optional<Upstream> remote = StandbyRules.remoteWhileUnlocked(c, policy, false);
      if (remote.isPresent()) {
        // Patroni's recover() in a standby cluster without a standby leader: start following the remote.
        return Decision.of(DecisionMessage.STANDBY_UNHEALTHY_FOLLOWING_REMOTE.format(),
            new Action.Rejoin(remote, StandbyRules.divergenceCheck(remote.get(), policy)));
      }
      Optional<String> waitFor = ManualFailover.whyStandBack(c, policy, peers);
      if (waitFor.isPresent()) {
        // A requested switchover or failover whose healthy candidate is about to take the lock (typically this
        // node just handed it over and stopped): start nothing until it holds the lock, then start once, as its
        // replica (followingLeader's rejoin, with the divergence check). A read-only start without an upstream now
        // would be stopped again for that check a moment later: a second restart, and CPU taken from the
        // candidate's promotion. Patroni's graceful demote likewise gives the candidate time (two seconds) before
        // it starts following whoever holds the lock. Bounded by the candidate's fitness, asked every cycle: once
        // it stops being fit, this node starts read-only and races like everyone (Patroni's rule).
        return Decision.of(DecisionMessage.RACE_WAITING_FOR_CANDIDATE.format(waitFor.get()));
      }
      // Patroni starts a stopped node read-only first: it can then report a WAL position and race next cycle.
      return Decision.of(DecisionMessage.RACE_STARTING_READ_ONLY.format(),
          new Action.Rejoin(Optional.empty(), Divergence.NOT_CHECKED));
    }
    if (!policy.tags().canFailover()) {
      if (pg.isPrimary()) {
        return Decision.of(DecisionMessage.NOT_ALLOWED_DEMOTING.format(),
            new Action.Demote(StopMode.IMMEDIATE));
      }
      return Decision.of(DecisionMessage.NOT_ALLOWED.format(), StandbyRules.followRemoteWhileUnlocked(c, policy, pg));
    }
    if (!pg.isPrimary() && policy.bugs().active(HaBug.REPLICAS_NEVER_RACE)) {
      // PLANTED BUG replicas-never-race (fault-injection harness only): never take the free lock.
      return Decision.of(DecisionMessage.REPLICAS_NEVER_RACE_BUG.format());
    }
    // Failsafe mode: a promise to a primary running without the DCS, a restart too recent to know of one, or a node
    // the failsafe key does not list (FailsafeRules).
    Optional<String> failsafeHold = FailsafeRules.whyNoRace(c, local, policy, peers, nowNanos);
    if (failsafeHold.isPresent()) {
      if (pg.isPrimary()) {
        return Decision.of(DecisionMessage.FAILSAFE_NO_RACE_DEMOTING.format(failsafeHold.get()),
            new Action.Demote(StopMode.IMMEDIATE));
      }
      // Patroni's replica takes a primary on failsafe as the leader for the slots too: its copies follow the
      // positions that primary sent, since the status it cannot publish meanwhile goes stale.
      List<Action> actions = new ArrayList<>(List.of(StandbyRules.followRemoteWhileUnlocked(c, policy, pg)));
      FailsafeRules.slotAdvance(local, policy, nowNanos).ifPresent(actions::add);
      return new Decision(actions, DecisionMessage.FAILSAFE_NO_RACE.format(failsafeHold.get()));
    }
    // A requested switchover or failover: its healthy candidate alone races, without the healthiest-node test.
    // The candidate skips the healthiest-node test, but never the fork test (LeaderTimeline.otherEpoch): an
    // operator naming a node on another fork of the cluster's timeline would lose the recorded fork's writes.
    Optional<String> unhealthy = ManualFailover.whyStandBack(c, policy, peers).or(() -> ManualFailover
        .isCandidate(c, me) ? LeaderTimeline.otherEpoch(c, pg.timeline(), pg.timelineEpoch())
            .map(DecisionMessage.ON_ANOTHER_FORK::format).or(() -> ManualFailover.whyCandidateWaits(c, peers, me))
        : whyNotHealthiest(c, pg, policy, peers)).or(() -> SyncDuty.whyNotPromotable(c, pg, policy, peers));
    if (unhealthy.isPresent()) {
      if (pg.isPrimary()) {
        return Decision.of(DecisionMessage.NOT_HEALTHIEST_DEMOTING.format(unhealthy.get()),
            new Action.Demote(StopMode.IMMEDIATE));
      }
      return Decision.of(DecisionMessage.NOT_HEALTHIEST.format(unhealthy.get()),
          StandbyRules.followRemoteWhileUnlocked(c, policy, pg));
    }
    // The message claims the lock, so it holds only once the gate passed: the alternative is what a lost race
    // reports instead (the loop logs after the plan ran and picks by the gate's outcome). A required watchdog
    // that is not running forbids the attempt itself (underLeaseRules turns the acquire into a LeaseBlocked
    // gate), so that plan says so up front.
    if (pg.isPrimary()) {
      List<Action> actions = new ArrayList<>();
      actions.add(acquireLock(policy));
      actions.addAll(SyncDuty.beforePromotion(c, pg, policy));
      actions.addAll(ManualFailover.clearAfterAcquire(c));
      // The new lock has a new fencing token, and a primary runs with its lock's token (clients, GET /patroni and
      // the checkers go by it): promoting a server that is already primary only sets the token and reloads.
      // Without this step the server kept the token of the lock it lost, for good: nothing else changes a
      // running primary's token.
      actions.add(new Action.Promote(FencingToken.acquired()));
      actions.addAll(publishStatus(c, pg, me, policy, Set.of()));
      if (!local.mayHoldLease()) {
        return new Decision(actions, DecisionMessage.WATCHDOG_NOT_ACQUIRING.format());
      }
      return new Decision(actions, DecisionMessage.ACQUIRED_AS_PRIMARY.format())
          .ifGateFails(DecisionMessage.RACE_LOST_AS_PRIMARY.format());
    }
    if (!local.mayHoldLease()) {
      return Decision.of(DecisionMessage.WATCHDOG_NOT_PROMOTING.format(),
          acquireLock(policy), new Action.Promote(FencingToken.acquired()));
    }
    Optional<Upstream> remote = remoteOf(policy);
    if (remote.isPresent()) {
      // Patroni's enforce_follow_remote_member: the new standby leader re-points itself at the remote rather than
      // promoting. A reload suffices (PostgreSQL 13+ reads primary_conninfo, primary_slot_name and
      // restore_command on reload), so replication from the remote resumes without a restart.
      return Decision.of(DecisionMessage.STANDBY_LEADER_BY_ACQUIRING.format(describe(remote.get())),
          acquireLock(policy), new Action.Follow(remote.get())).ifGateFails(DecisionMessage.RACE_LOST.format());
    }
    // A reachable replica has WAL beyond ours on our timeline (it may not fail over itself, or the rules chose us):
    // take the lock but fetch that WAL before promoting (CatchUp). The synchronous mode's claim waits for the
    // promotion itself (holdingLock), after the catch-up.
    Optional<Decision> catchUp = CatchUp.afterAcquiring(c, pg, policy, peers, acquireLock(policy),
        ManualFailover.clearAfterAcquire(c), nowNanos);
    if (catchUp.isPresent()) {
      return catchUp.get();
    }
    // The promotion starts (in the background) before the request is cleared: clearing is a DCS write the promotion
    // need not wait for, and in a switchover this plan is the critical path of the write gap.
    List<Action> promote = new ArrayList<>(List.of(acquireLock(policy)));
    promote.addAll(SyncDuty.beforePromotion(c, pg, policy));
    promote.add(new Action.Promote(FencingToken.acquired()));
    promote.addAll(ManualFailover.clearAfterAcquire(c));
    return new Decision(promote, DecisionMessage.PROMOTED_BY_ACQUIRING.format())
        .ifGateFails(DecisionMessage.RACE_LOST.format());
  }

  /**
   * The holder's cycle in a standby cluster: its PostgreSQL stays a standby of the remote ({@code standby_cluster})
   * and is never promoted while the section is there; removing the section makes the next cycle's
   * {@link #holdingLock} promote it as any holder's replica. Otherwise a primary holder's duties, for a standby:
   * the initialize key of a standby cluster it just bootstrapped, the config key, its position in {@code status}
   * (the race after it compares against it, {@code maximum_lag_on_failover}), and a slot per member, since the
   * other members stream from it with their slots.
   */
  private static Decision standbyLeader(ClusterSnapshot c, LocalState local, HaPolicy policy, List<Action> actions,
      Upstream remote, Set<String> gone) {
    String me = policy.name();
    PgState pg = local.pg();
    if (pg.isPrimary()) {
      // A cluster the section was added to (Patroni's demote-cluster): the lock stays ours; the next cycle starts
      // the stopped server as the remote's standby.
      actions.add(new Action.StopPostgres(StopMode.FAST));
      return new Decision(actions, DecisionMessage.STANDBY_LEADER_STOPPING_PRIMARY.format());
    }
    if (pg.isReplica()) {
      if (c.initialize().map(Initialize::bootstrapInProgress).orElse(true) && pg.systemIdentifier().isPresent()) {
        actions.add(new Action.RecordInitialize(pg.systemIdentifier().get()));
      }
      if (c.config().isEmpty()) {
        actions.add(new Action.SeedConfig(policy.node().bootstrapDcs()));
      }
      actions.addAll(publishStatus(c, pg, me, policy, gone));
      if (policy.dynamic().useSlots()) {
        actions.add(new Action.SyncSlots(leaderSlots(c, me, policy, gone)));
      }
      Optional<String> want = remote.streams() ? Optional.of(remote.address()) : Optional.empty();
      if (!pg.upstream().equals(want)) {
        actions.add(new Action.Follow(remote));
        return new Decision(actions, DecisionMessage.STANDBY_LEADER_FOLLOWING_REMOTE.format(describe(remote)));
      }
      Optional<Decision> reload = StandbyRules.leaderSettingsChanged(policy, pg, actions, remote);
      if (reload.isPresent()) {
        return reload.get();
      }
      return new Decision(actions, DecisionMessage.STANDBY_LEADER.format(me, describe(remote)));
    }
    if (pg.pid().isPresent()) {
      return new Decision(actions, DecisionMessage.STANDBY_LEADER_STILL_STARTING.format());
    }
    // Patroni's recover() in a standby cluster: the rewind check against the remote primary, pg_rewind from it when
    // diverged (the remote's primary failed over to a timeline that forked before our position).
    actions.add(new Action.Rejoin(Optional.of(remote), StandbyRules.divergenceCheck(remote, policy)));
    return new Decision(actions, DecisionMessage.STANDBY_LEADER_STARTING.format(describe(remote)));
  }

  /** The remote a standby cluster's leader follows, when the dynamic configuration makes this one. */
  private static Optional<Upstream> remoteOf(HaPolicy policy) {
    return policy.dynamic().standbyCluster().map(Upstream::remote);
  }

  /** A remote for a message: host:port, or that it is the archive only. */
  private static String describe(Upstream remote) {
    return remote.streams() ? remote.address() : DecisionMessage.REMOTE_ARCHIVE.format();
  }

  /**
   * The slots the leader keeps: one per member that streams from it ({@link #memberSlots}), those of gone members
   * still kept ({@code gone}, {@link SlotRetention}) and the permanent physical slots of the configuration
   * ({@link #permanentPhysicalSlots}).
   */
  private static TreeSet<String> leaderSlots(ClusterSnapshot c, String me, HaPolicy policy, Set<String> gone) {
    TreeSet<String> slots = memberSlots(c, me);
    slots.addAll(gone);
    slots.addAll(permanentPhysicalSlots(policy));
    return slots;
  }

  /**
   * Patroni's permanent physical slots ({@code slots} in the dynamic configuration): kept on the primary, and
   * published with their positions in {@code status} so that every replica keeps a copy ({@link SlotWants}).
   * The logical ones are {@link LogicalSlotWants}'.
   */
  private static Set<String> permanentPhysicalSlots(HaPolicy policy) {
    return io.pgquorum.coordinator.config.PermanentSlots.from(policy.dynamic().raw()).values().stream()
        .filter(slot -> !slot.logical()).map(io.pgquorum.coordinator.config.PermanentSlots.Slot::name)
        .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
  }

  /**
   * One physical slot per other member that streams from this node: on the leader, every member but those that
   * cascade from another member ({@link #cascadeSource}); on a replica, those that cascade from it (never the
   * leader). Why the leader keeps none for a cascading member: nothing would consume or advance it, and it would
   * hold the leader's WAL for ever. When that member falls back to the leader its slot is created there in the
   * same cycle its tagged upstream is seen not running, and until then PostgreSQL's walreceiver retries.
   */
  private static TreeSet<String> memberSlots(ClusterSnapshot c, String me) {
    boolean holder = c.isLeader(me);
    TreeSet<String> slots = new TreeSet<>();
    for (Member m : c.members().values()) {
      if (m.name().equals(me) || c.isLeader(m.name()) || m.nostream()) {
        continue; // a nostream member does not stream: a slot for it would only hold WAL back
      }
      Optional<String> via = cascadeSource(c, m.name(), m.replicatefrom()).via().map(Member::name);
      if (holder ? via.isEmpty() : via.map(me::equals).orElse(false)) {
        slots.add(slotName(m.name()));
      }
    }
    return slots;
  }

  /**
   * The gate that keeps the lock we hold: a plain refresh while the key's stored ttl is the configured one, else a
   * re-arm with the configured ttl. Why: the DCS expires the key with the ttl stored on it, and the holder's
   * deadline may use only what the DCS confirmed ({@link LeaseTerms}); after an operator changes {@code ttl} the
   * key must be re-put with it, or a raised ttl would never take effect and a lowered one never be enforced by the
   * DCS. The re-arm's compare-and-set keeps the fencing token.
   */
  static Action keepLock(ClusterSnapshot c, HaPolicy policy) {
    LeaderLock l = c.leader().orElseThrow();
    java.time.Duration configured = policy.dynamic().ttl();
    LeaseTerms terms = LeaseTerms.of(policy.dynamic(), policy.bugs());
    if (!l.ttl().equals(configured)) {
      return new Action.RearmLock(l.fencingToken(), configured, terms);
    }
    return new Action.RefreshLock(l.fencingToken(), terms);
  }

  /**
   * Patroni's "healthiest node" test. Empty means this node may take the lock; otherwise the reason it may not.
   * Peers that did not answer are ignored (a dead node must not block failover); peers that may not fail over
   * never count as better candidates.
   */
  static Optional<String> whyNotHealthiest(ClusterSnapshot c, PgState pg, HaPolicy policy,
      Map<String, PeerView> peers) {
    long myWal = pg.walPosition();
    // The timeline first: a position means something only on its timeline (hole 6 of issue 10). A node on a
    // timeline older than the cluster's may hold WAL the cluster's history branched away from, however far its
    // LSN reaches; only once it is on the cluster's timeline (or a later one) is comparing its LSN with
    // status.optime meaningful, and status is only published after history records the primary's timeline.
    long clusterTimeline = c.clusterTimeline();
    if (pg.timeline() > 0 && clusterTimeline > 0 && pg.timeline() < clusterTimeline) {
      return Optional.of(DecisionMessage.TIMELINE_BEHIND.format(pg.timeline(), clusterTimeline));
    }
    // The fork next (the simulator's seed 62986978671179): a node whose timeline has the cluster's number but was
    // started by another promotion than the one history records (a primary promoted while cut off from the DCS,
    // fenced before it could record its switch) holds WAL the cluster's line never had, and lacks the writes the
    // recorded fork acknowledged, however far its LSN reaches. It must never win; it is repaired (stopped, checked
    // against the leader, rewound or re-cloned) once there is one. See LeaderTimeline.otherEpoch for the argument.
    Optional<String> fork = LeaderTimeline.otherEpoch(c, pg.timeline(), pg.timelineEpoch());
    if (fork.isPresent()) {
      return Optional.of(DecisionMessage.ON_ANOTHER_FORK.format(fork.get()));
    }
    long optime = c.lastLeaderOptime();
    long maxLag = policy.dynamic().maximumLagOnFailover();
    if (policy.bugs().active(HaBug.IGNORE_MAXIMUM_LAG_ON_FAILOVER)) {
      // PLANTED BUG (test harness only): skip the maximum_lag_on_failover test below.
      maxLag = Long.MAX_VALUE;
    }
    if (!pg.isPrimary() && optime > 0 && optime - myWal > maxLag) {
      return Optional.of(DecisionMessage.LAGGING.format(myWal, optime - myWal, optime, maxLag));
    }
    for (PeerView p : peers.values()) {
      if (p.name().equals(policy.name()) || !p.reachable()) {
        continue;
      }
      if (p.running() && p.role().map("primary"::equals).orElse(false)) {
        return Optional.of(DecisionMessage.PEER_IS_PRIMARY.format(p.name()));
      }
      if (p.nofailover() || p.failoverPriority() <= 0 || !p.running() || SyncDuty.neverPromoted(c, policy, p.name())) {
        continue;
      }
      if (LeaderTimeline.otherEpoch(c, p.timeline(), p.timelineEpoch()).isPresent()) {
        // A peer on another fork of the cluster's timeline number refuses the race itself (above); its LSN, on
        // that other fork, says nothing about ours, so it must not make us defer either (else nobody wins).
        continue;
      }
      long theirs = p.walPosition().orElse(-1);
      int ahead = comparePositions(p.timeline(), theirs, pg.timeline(), myWal);
      if (ahead > 0) {
        if (p.timeline() > pg.timeline() && pg.timeline() > 0) {
          return Optional.of(DecisionMessage.PEER_ON_LATER_TIMELINE.format(p.name(), p.timeline(), pg.timeline()));
        }
        return Optional.of(DecisionMessage.PEER_AHEAD.format(p.name(), theirs, myWal));
      }
      if (ahead == 0 && p.failoverPriority() > policy.tags().failoverPriority()) {
        return Optional.of(DecisionMessage.PEER_PREFERRED.format(p.name(), p.failoverPriority(),
            policy.tags().failoverPriority()));
      }
    }
    return Optional.empty();
  }

  /**
   * Orders two (timeline, LSN) positions: a later timeline is ahead whatever its LSN (its history includes the
   * switch the older one has not seen), and LSNs are compared only on the same timeline. When either timeline is
   * unknown (0) only the LSNs can be compared.
   */
  static int comparePositions(long timelineA, long lsnA, long timelineB, long lsnB) {
    if (timelineA > 0 && timelineB > 0 && timelineA != timelineB) {
      return Long.compare(timelineA, timelineB);
    }
    return Long.compare(lsnA, lsnB);
  }

  /**
   * Why this node's PostgreSQL, a running replica, is not on the line of history its leader's timeline continues
   * ({@link LeaderTimeline}), or empty when it is, when it is no running replica, or when history cannot tell.
   * Judged from the replay position (what readers see).
   */
  public static Optional<String> offLeaderLine(ClusterSnapshot c, PgState pg) {
    if (!pg.isReplica()) {
      return Optional.empty();
    }
    boolean standbyCluster = c.config().map(v -> v.value().standbyCluster().isPresent()).orElse(false);
    return LeaderTimeline.offLine(c, pg.timeline(), pg.replayedLsn().orElse(pg.walPosition()), ownSwitches(pg),
        pg.timelineEpoch()).or(() -> LeaderTimeline.laterThanLeader(c, pg.timeline(),
            pg.replicationState().map("streaming"::equals).orElse(false), standbyCluster));
  }

  /** The probe's own timeline history as ended timeline to end position. */
  static Map<Long, Long> ownSwitches(PgState pg) {
    Map<Long, Long> out = new LinkedHashMap<>();
    pg.timelineHistory().forEach(sw -> out.put((long) sw.timeline(), sw.lsn()));
    return out;
  }

  /** The upstream to stream from, from a member's conn_url ({@code postgres://host:port/db}). */
  public static Optional<Upstream> upstreamOf(Member m) {
    try {
      URI uri = URI.create(m.connUrl());
      if (uri.getHost() == null || uri.getPort() <= 0) {
        return Optional.empty();
      }
      return Optional.of(new Upstream(m.name(), uri.getHost(), uri.getPort()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A member's replication slot name (the one rule shared with the replica's primary_slot_name). */
  public static String slotName(String member) {
    return io.pgquorum.coordinator.postgres.SlotNames.forMember(member);
  }
}
