package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.metrics.NodeMetrics;
import io.pgquorum.coordinator.metrics.PrometheusText;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.Postgres;
import io.pgquorum.dcs.api.DcsException;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HA loop: one cycle every loop_wait (earlier when the leader key changes), each cycle
 * <ol>
 *   <li>loads one cluster snapshot (a DCS failure is an input, not an exception),
 *   <li>probes PostgreSQL,
 *   <li>asks the peers {@link Decider#peersToAsk} names for their positions (none unless a race is possible),
 *   <li>decides ({@link Decider}, pure) and logs the decision's message,
 *   <li>executes the actions ({@link ActionExecutor}),
 *   <li>plans the publishing step ({@link Publication}, pure) from PostgreSQL as the actions left it, performs its
 *       member key write, and publishes an immutable {@link NodeStatus}.
 * </ol>
 * The loop holds no rule of its own: it gathers inputs, hands back what the pure steps remember, and performs.
 * One catch-all at the cycle boundary: an unexpected exception is logged and the next cycle decides afresh.
 *
 * <p>An {@link Error} (out of memory, stack overflow, a failed assertion) is not caught there: the JVM may be in no
 * state to go on. It ends the loop as a crash: {@link #fatalReason()} says so (the daemon then exits non-zero, so a
 * supervisor restarts it), and the crash handler ({@link #onCrash}) runs first, so a primary does not outlive the
 * loop that kept its lease. Before, such an error killed the loop's thread silently and left a daemon without a
 * loop, serving a REST API that reported the last cycle's state.
 */
public final class HaLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(HaLoop.class);
  /** The file whose appearance next to the data directory stalls the loop once ({@link HaBug#STALL_HA_LOOP}). */
  public static final String STALL_TRIGGER = "stall-ha-loop";
  /** An action type's metric label, computed once per type (snakeCase runs a regex: not on every cycle). */
  private static final ClassValue<String> ACTION_LABEL = new ClassValue<>() {
    @Override
    protected String computeValue(Class<?> type) {
      return PrometheusText.snakeCase(type.getSimpleName());
    }
  };

  private final NodeConfig config;
  private final ClusterStore store;
  private final Postgres postgres;
  private final HeldLease lease;
  private final TaskRunner tasks;
  private final PeerFetcher peers;
  private final LongSupplier nanoClock;
  /** Wall time, for display only (dcsLastSeen, cycleAt); injected so a simulation's statuses are reproducible. */
  private final Clock wallClock;
  private final Consumer<NodeStatus> publish;
  /** The role in the last published status (null before the first): see {@link #publishEarlyOnRoleChange}. */
  private String publishedRole;
  /** {@link TaskRunner#ended} as the last cycle saw it (only the loop's thread touches it). */
  private long seenEndedTasks;
  private final ActionExecutor executor;
  /** Where cycles and decisions are counted; replaced once by the node before the loop runs (useMetrics). */
  private volatile NodeMetrics metrics = NodeMetrics.withoutRaft();
  /** Samples this node's DCS member's Raft leadership each cycle ({@link #useDcsLeadership}); unknown until set. */
  private volatile java.util.function.Supplier<DcsLeadership> dcsLeadership = () -> DcsLeadership.UNKNOWN;
  /** pgBackRest's stanza work ({@link #useBackrest}); off without a backrest section. */
  private volatile StanzaJob backrest = StanzaJob.off();
  /** pgBackRest's backups ({@link #useBackups}); off without a backrest section. */
  private volatile BackupJob backups = BackupJob.off();
  private final PlantedBugs bugs;
  private final BooleanSupplier mayHoldLease;
  private final Object wakeup = new Object();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicReference<String> fatal = new AtomicReference<>();
  private volatile boolean shutdownRequested;
  private volatile boolean wakeRequested;
  private volatile boolean stopped;
  private volatile Runnable crashHandler = () -> { };
  private Optional<Instant> dcsLastSeen = Optional.empty();
  private Optional<ClusterSnapshot> lastSnapshot = Optional.empty();
  private String lastMessage = "";
  private long cycles;
  /** What the last decision asked to remember (only the loop's thread touches it). */
  private HaMemory memory = HaMemory.NONE;
  /** What the last publishing step remembered of the member key (only the loop's thread touches it). */
  private MemberKeyRefresh memberKey = MemberKeyRefresh.NONE;
  private final NodeSettings node;
  private final OperatorRequests requests;
  /** The dynamic configuration of the last snapshot read: a change rewrites PostgreSQL's config and reloads it. */
  private DynamicConfig lastDynamic;
  private final PauseNotice pauseNotice = new PauseNotice();
  private final FailsafePromises failsafe;
  /** Refreshes the lock between cycles under the license each plan grants or revokes ({@link LeaseKeeping}). */
  private final LeaseKeeper keeper;

  public HaLoop(NodeConfig config, ClusterStore store, Postgres postgres, HeldLease lease, TaskRunner tasks,
      PeerFetcher peers, LongSupplier nanoClock, Consumer<NodeStatus> publish) {
    this(config, store, postgres, lease, tasks, peers, nanoClock, publish, PlantedBugs.NONE, () -> true);
  }

  /** As above, with planted bugs (test harness only) and the required-watchdog gate for the lock. */
  public HaLoop(NodeConfig config, ClusterStore store, Postgres postgres, HeldLease lease, TaskRunner tasks,
      PeerFetcher peers, LongSupplier nanoClock, Consumer<NodeStatus> publish, PlantedBugs bugs,
      BooleanSupplier mayHoldLease) {
    this(config, store, postgres, lease, tasks, peers, nanoClock, Clock.systemUTC(), publish, bugs, mayHoldLease);
  }

  /**
   * As above, with the wall clock injected too: the deterministic simulator runs every node on virtual time, so
   * nothing a cycle publishes or writes may read the real clock.
   */
  public HaLoop(NodeConfig config, ClusterStore store, Postgres postgres, HeldLease lease, TaskRunner tasks,
      PeerFetcher peers, LongSupplier nanoClock, Clock wallClock, Consumer<NodeStatus> publish, PlantedBugs bugs,
      BooleanSupplier mayHoldLease) {
    this.config = config;
    this.wallClock = wallClock;
    this.store = store;
    this.postgres = postgres;
    this.lease = lease;
    this.tasks = tasks;
    this.peers = peers;
    this.nanoClock = nanoClock;
    this.publish = publish;
    this.bugs = bugs;
    this.node = settingsOf(config);
    this.mayHoldLease = mayHoldLease;
    this.requests = new OperatorRequests(this::wake);
    this.executor = new ActionExecutor(config, store, postgres, lease, tasks, nanoClock, wallClock, this::wake,
        requests);
    executor.plantedBugs(bugs);
    this.failsafe = new FailsafePromises(lease, nanoClock, nanoClock.getAsLong());
    // PLANTED BUG failsafe-ignores-promise: both halves, the rule and this gate, or the gate would still hold it.
    failsafe.ignorePromises(bugs.active(HaBug.FAILSAFE_IGNORES_PROMISE));
    executor.useFailsafe(failsafe, FailsafeAsker.NONE);
    this.keeper = new LeaseKeeper(store, lease, nanoClock, this::wake, config.name(), bugs);
  }

  /**
   * The lease keeper: {@link #run()} starts its thread and closes it when the loop ends; a driver that runs
   * {@link #cycle} itself (the deterministic simulator) calls {@link LeaseKeeper#tick()} at the instants it chooses.
   */
  public LeaseKeeper keeper() {
    return keeper;
  }

  /**
   * What this node knows locally for a decision now: {@code failed} and {@code request} are taken once per cycle by
   * the caller (the task runner and the operator's queue hand each out once).
   */
  private LocalState localState(PgState pg, boolean shutdown, Optional<String> failed,
      Optional<LocalRequest> request) {
    return new LocalState(pg, tasks.running(), failed, lease.deadlineNanos(), shutdown, memory,
        mayHoldLease.getAsBoolean(), request, backrest.view().withBackups(backups.plan(), backups.running()),
        tasks.refusal(), failsafe.sample(), dcsLeadership.get());
  }

  /**
   * Where the loop samples its DCS member's leadership ({@link DcsLeadershipRules}); unknown (never handed off)
   * until set, as for an embedded node without a local member.
   */
  public void useDcsLeadership(java.util.function.Supplier<DcsLeadership> source) {
    this.dcsLeadership = java.util.Objects.requireNonNull(source);
  }

  /** Failsafe mode's promises (the REST API records them; this loop samples them and races only through them). */
  public FailsafePromises failsafe() {
    return failsafe;
  }

  /** How this node, as a primary without a DCS, asks its peers in failsafe mode ({@code POST /failsafe}). */
  public void useFailsafeAsker(FailsafeAsker asker) {
    executor.useFailsafe(failsafe, asker);
  }

  /** How the executor hands the DCS's Raft leadership to another member ({@link DcsLeadershipRules}). */
  public void useDcsHandOff(java.util.function.Consumer<String> handOff) {
    executor.useDcsHandOff(handOff);
  }

  /** pgBackRest's stanza work: with a backrest section, the decision plans it and the executor starts it. */
  public void useBackrest(StanzaJob job) {
    backrest = job;
    executor.useBackrest(job);
  }

  /** pgBackRest's backups: with a backrest section, the decision plans them and the executor starts them. */
  public void useBackups(BackupJob job) {
    backups = job;
    executor.useBackups(job);
  }

  /** Where operators' requests for this node's PostgreSQL are posted (REST, SIGHUP); read once per cycle. */
  public OperatorRequests requests() {
    return requests;
  }

  /** Asks for an early cycle (a task finished, the lock was lost). */
  public void wake() {
    wakeRequested = true;
    synchronized (wakeup) {
      wakeup.notifyAll();
    }
  }

  /**
   * Requests a clean shutdown: the next cycle stops PostgreSQL (fast) and, on the leader, releases the lock, so
   * the handover does not wait for the lease to expire. Returns at once; {@link #awaitFinished} waits.
   */
  public void requestShutdown() {
    shutdownRequested = true;
    wake();
  }

  public boolean awaitFinished(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Whether the last cycle held a requested shutdown back: this synchronous standby leaves its duty first
   * (LocalOperations.leavingSyncBeforeShutdown), and the loop keeps cycling until it has. {@link #run} ends on the
   * first shutdown cycle that does not; a driver calling {@link #cycle} itself (the simulator) follows the same rule.
   */
  public boolean shutdownHeld() {
    return memory.leavingSync().isPresent();
  }

  /**
   * The member key this loop's wait also watches (LocalOperations.memberToWatch): the leader's while this node leaves
   * synchronous duty. Public for the simulator, which wakes its loops itself.
   */
  public Optional<String> watchedMember() {
    return LocalOperations.memberToWatch(memory, lastSnapshot);
  }

  /** The reason the loop stopped on its own (a fatal decision, or a crash), if it did. */
  public Optional<String> fatalReason() {
    return Optional.ofNullable(fatal.get());
  }

  /**
   * What to do when the loop's thread dies of an unexpected {@link Error}, before {@link #awaitFinished} returns
   * (the embedding node fences a primary there). Must not block for long; its own failures are logged.
   */
  public void onCrash(Runnable handler) {
    this.crashHandler = handler;
  }

  @Override
  public void run() {
    keeper.start();
    try {
      while (!stopped) {
        boolean finalCycle = shutdownRequested;
        boolean recheck = cycle(finalCycle);
        if (finalCycle && !shutdownHeld()) {
          break;
        }
        if (fatal.get() != null) {
          // A fatal decision ends the loop and the process exits: the same rule as a crash, nothing will refresh
          // the lease any more, so a primary must not outlive it (even without a watchdog).
          crashHandler.run();
          break;
        }
        if (!recheck) {
          awaitNextCycle();
        }
      }
    } catch (Throwable t) {
      // RuntimeExceptions never get here (the cycle catches them): this is an Error, or a bug in the loop itself.
      // Nothing may refresh a lease whose loop is gone: the license is revoked before the crash handler fences.
      closeKeeper();
      fatal.compareAndSet(null, "the HA loop stopped on an unexpected error: " + t);
      try {
        log.error("the HA loop stopped on an unexpected error", t);
      } catch (Throwable ignored) {
        // Logging may fail too (out of memory); the fatal reason still reaches the exit path.
      }
      try {
        crashHandler.run();
      } catch (Throwable handlerFailure) {
        try {
          log.error("the crash handler failed: {}", handlerFailure.toString());
        } catch (Throwable ignored) {
          // as above
        }
      }
    } finally {
      // The loop is done (shutdown, halt, fatal decision or crash): the keeper stops with it, so that a primary
      // left running (a paused cluster's shutdown, an embedding node) is not kept alive by a loop that no longer runs.
      closeKeeper();
      finished.countDown();
    }
  }

  private void closeKeeper() {
    try {
      keeper.close();
    } catch (Throwable t) {
      // Out of memory, say: the license expires on its own (LeaseKeeping's span) and the guard fences after that.
    }
  }

  /** Counts cycles, decisions and lease refreshes into {@code m} from now on (call before the loop runs). */
  public void useMetrics(NodeMetrics m) {
    metrics = m;
    executor.useMetrics(m);
    keeper.useMetrics(m);
  }

  private void count(Decision decision) {
    metrics.decision(decision.actions().stream().map(a -> ACTION_LABEL.get(a.getClass())).toList());
  }

  private DynamicConfig dynamic() {
    return lastSnapshot.flatMap(ClusterSnapshot::config).map(v -> v.value()).orElse(config.bootstrap().dcs());
  }

  /**
   * One cycle; returns true when the next one should start at once. Public for drivers that own the schedule
   * instead of {@link #run()} (the deterministic simulator, which runs many nodes' cycles on one thread).
   */
  public boolean cycle(boolean shutdown) {
    stallIfTriggered();
    long t0 = System.nanoTime();
    long tLoad = t0;
    long tProbe = t0;
    long tPeers = t0;
    long endedTasks = tasks.ended();
    if (endedTasks != seenEndedTasks && publishedRole != null) {
      // A task ended since the last cycle (a promotion, say): what PostgreSQL is now is published before this
      // cycle's DCS read (see publishSoonAfterTask).
      publishSoonAfterTask(shutdown);
    }
    seenEndedTasks = endedTasks;
    Optional<ClusterSnapshot> cluster;
    try {
      cluster = Optional.of(store.load());
      tLoad = System.nanoTime();
      dcsLastSeen = Optional.of(wallClock.instant());
      lastSnapshot = cluster;
      failsafe.active(false); // the DCS answers: the lease is the DCS's again
    } catch (DcsException e) {
      cluster = Optional.empty();
      log.warn("DCS read failed: {}", e.getMessage());
    } catch (RuntimeException e) {
      // A snapshot that cannot be decoded (a value another tool wrote, a bug in a decoder) is no reason to crash
      // and fence: it reads like an unreachable DCS (the lease is ridden out to its deadline, nothing is written).
      cluster = Optional.empty();
      log.error("DCS snapshot unusable: {}", e.toString());
    }
    DynamicConfig dyn = dynamic();
    pauseNotice.seen(dyn.paused()).ifPresent(log::info);
    HaPolicy policy = policy(dyn);
    PgState pg = PgState.stopped(PgState.DataDirState.MISSING);
    boolean recheck = false;
    try {
      pg = postgres.probe();
      tProbe = System.nanoTime();
      publishEarlyOnRoleChange(cluster, pg, policy, shutdown);
      LocalState local = localState(pg, shutdown, tasks.takeFailure(), requests.take());
      Map<String, String> urls = Decider.peersToAsk(cluster, local, policy, nanoClock.getAsLong());
      Map<String, PeerView> peerViews = urls.isEmpty() ? Map.of() : peers.fetch(urls);
      tPeers = System.nanoTime();
      long decidedAt = nanoClock.getAsLong();
      Decision decision = Decider.decide(cluster, local, policy, peerViews, decidedAt, wallClock.instant());
      // Before the plan's first step: a plan that gives the lock up must find the keeper stopped (LeaseKeeper).
      relicense(decision, cluster.isPresent(), shutdown, decidedAt, dyn);
      count(decision);
      memory = decision.memory();
      // A message that depends on a gate's outcome is reported once the plan ran (a claim such as "promoted self
      // to leader" is logged only when the lock was taken); any other before the plan runs, so that what a long
      // step does follows the reason for it in the log. The texts and whether to log are the decision's.
      boolean afterPlan = decision.ifGateFails().isPresent();
      if (!afterPlan) {
        report(decision, decision.message());
      }
      ActionExecutor.Outcome outcome = executor.execute(decision, cluster,
          withdrawBeforeStop(decision, cluster, pg, policy, shutdown));
      if (afterPlan) {
        report(decision, decision.messageAfter(outcome.gateFailed()));
      }
      if (outcome.dcsUnanswered() && cluster.isPresent() && decision.memory().failsafe().isPresent()) {
        // The DCS stopped answering within this cycle (the lock's refresh timed out after a good read) and the
        // decision remembers failsafe peers: decide again at once as a cycle without the DCS, and write nothing more
        // this cycle. Why not wait for the next cycle: its read would time out too, so a primary in failsafe mode
        // would first ask its members two DCS timeouts and a loop_wait after its last refresh, which with ttl 8 and
        // retry_timeout 2 (the defaults when FailsafeModeIT showed it) is after its lease ran out. Without failsafe
        // mode there is nothing such a decision would do (it rides the lease out), so the cycle ends as before.
        cluster = Optional.empty();
        // The failure and the request were taken by the first decision: the second one sees neither again.
        decidedAt = nanoClock.getAsLong();
        decision = Decider.decide(cluster, localState(pg, shutdown, Optional.empty(), Optional.empty()), policy,
            Map.of(), decidedAt, wallClock.instant());
        relicense(decision, false, shutdown, decidedAt, dyn);
        count(decision);
        memory = decision.memory();
        report(decision, decision.message());
        outcome = executor.execute(decision, cluster);
      }
      recheck = outcome.recheckNow() || requests.pending();
      if (outcome.fatal().isPresent()) {
        fatal.set(outcome.fatal().get());
        log.error("stopping: {}", outcome.fatal().get());
      }
      if (decision.probesAgain()) {
        pg = postgres.probe(); // publish what PostgreSQL is now, not what it was before the actions
      }
    } catch (RuntimeException e) {
      // The loop boundary's catch-all: report, and let the next cycle decide from fresh state.
      String msg = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
      lastMessage = "error: " + msg;
      log.error("HA cycle failed: {}", msg, log.isDebugEnabled() ? e : null);
    }
    boolean holds = lease.deadlineNanos().isPresent();
    // A shutdown held while this synchronous standby leaves its duty keeps its member key (saying nosync) until
    // the cycle that stops PostgreSQL.
    Publication publication = Publication.plan(cluster, pg, tasks.running(),
        shutdown && memory.leavingSync().isEmpty(), policy, memberKey, nanoClock.getAsLong(), memory);
    memberKey = publication.advance(publication.memberKey().map(executor::publish).orElse(OptionalLong.empty()));
    cycles++;
    publishedRole = publication.role();
    if (log.isDebugEnabled()) {
      // Where a cycle's time goes (real time, not nanoClock: what an operator tuning loop_wait needs to see).
      long end = System.nanoTime();
      log.debug("cycle {} took {} ms: DCS read {} ms, probe {} ms, peers {} ms, decide and act {} ms", cycles,
          (end - t0) / 1_000_000, (tLoad - t0) / 1_000_000, Math.max(0, tProbe - tLoad) / 1_000_000,
          Math.max(0, tPeers - tProbe) / 1_000_000, Math.max(0, end - Math.max(tPeers, tProbe)) / 1_000_000);
    }
    // Real time, as the debug line above: what an operator tuning loop_wait needs (not the simulator's nanoClock).
    metrics.haCycle(System.nanoTime() - t0);
    publish.accept(status(pg, publication, holds));
    if (cluster.isPresent()) {
      if (lastDynamic != null && !lastDynamic.equals(dyn)) {
        // Patroni reloads PostgreSQL when the config key changes: a new parameter value is then in force, or, for
        // one that needs a restart, shown as pending_restart. Posted after the publication, not before the
        // decision: PostgreSQL's configuration is written from the published status's snapshot, which only now
        // has the new value (the reload is taken by the next cycle, which the post wakes at once).
        requests.post(new LocalRequest.Reload(0));
        recheck = true;
      }
      lastDynamic = dyn;
    }
    return recheck;
  }

  /**
   * PLANTED BUG stall-ha-loop (test harness only): once the trigger file appears next to the data directory, this
   * cycle deletes it and blocks for 1.5 ttl before it starts, as a long GC pause or a hung probe would stall the loop
   * while the daemon's other threads (REST, lease guard, lease keeper) go on. The sleep is the stall itself.
   */
  private void stallIfTriggered() {
    if (!bugs.active(HaBug.STALL_HA_LOOP)) {
      return;
    }
    java.nio.file.Path trigger = config.postgresql().dataDir().resolveSibling(STALL_TRIGGER);
    try {
      if (!java.nio.file.Files.deleteIfExists(trigger)) {
        return;
      }
    } catch (java.io.IOException e) {
      log.warn("PLANTED BUG {}: cannot delete {}: {}", HaBug.STALL_HA_LOOP.id(), trigger, e.getMessage());
      return;
    }
    long stallMs = dynamic().ttl().toMillis() * 3 / 2;
    log.warn("PLANTED BUG {}: the HA loop stalls for {} ms", HaBug.STALL_HA_LOOP.id(), stallMs);
    try {
      Thread.sleep(stallMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.warn("PLANTED BUG {}: the HA loop resumes after its stall", HaBug.STALL_HA_LOOP.id());
  }

  /**
   * Publishes the status at once when the probe shows PostgreSQL in another role than the last published status
   * (a promotion that just finished, a server that went down), before this cycle decides and acts; the member key
   * is still written at the end of the cycle, as always.
   *
   * <p>Why: health checks answer from the published status, and the rest of a cycle can take a few hundred
   * milliseconds (a new primary records history and creates slots first), during which a load balancer would still
   * send writes to the old primary's address and none to the new one. The early status is as true as the one at
   * the end of a cycle: the same probe, lease and snapshot, only without this cycle's decision.
   */
  private void publishEarlyOnRoleChange(Optional<ClusterSnapshot> cluster, PgState pg, HaPolicy policy,
      boolean shutdown) {
    Publication early = Publication.plan(cluster, pg, tasks.running(), shutdown, policy, memberKey,
        nanoClock.getAsLong(), memory);
    if (publishedRole == null || publishedRole.equals(early.role())) {
      return;
    }
    publishedRole = early.role();
    publish.accept(status(pg, early, lease.deadlineNanos().isPresent()));
  }

  /**
   * For a plan that gives up the lock ({@link Decision#givesUpLock}): publishes the status without the lock right
   * before the plan stops PostgreSQL, so that {@code /primary} answers 503 from then on, not from the end of the
   * cycle. Why then: a load balancer that still sees this node as primary sends new connections to a PostgreSQL that
   * refuses them once its postmaster has exited, and HAProxy waits its retry turnaround (min(timeout connect, 1 s))
   * before trying again, which was most of the switchover bench's client outage beyond the write gap. Why not
   * earlier (at the decision): HAProxy's {@code on-marked-down shutdown-sessions} would then cut the clients off
   * while the primary still takes writes during its checkpoint (measured: 0.2-0.9 s of extra outage). Nothing new is
   * claimed: the cycle's probe, snapshot and publication, without the lock the plan gives up.
   */
  private Runnable withdrawBeforeStop(Decision decision, Optional<ClusterSnapshot> cluster, PgState pg,
      HaPolicy policy, boolean shutdown) {
    if (!decision.givesUpLock()) {
      return () -> { };
    }
    return () -> {
      Publication now = Publication.plan(cluster, pg, tasks.running(), shutdown, policy, memberKey,
          nanoClock.getAsLong(), memory);
      publish.accept(status(pg, now, false).withoutLock());
    };
  }

  /**
   * After a task ended: probes and publishes at once if PostgreSQL's role changed, against the last snapshot, before
   * the cycle reads the DCS. Why: a finished promotion is what health checks wait for; the cycle's own early
   * publication ({@link #publishEarlyOnRoleChange}) comes only after a linearizable DCS read, which on a busy
   * machine was 15-80 ms more of the client outage. The status is as true as any other: this probe, the lease as
   * this node holds it, and the snapshot of the last cycle (the lock's holder does not change under its lease).
   */
  private void publishSoonAfterTask(boolean shutdown) {
    try {
      PgState now = postgres.probe();
      publishEarlyOnRoleChange(lastSnapshot, now, policy(dynamic()), shutdown);
    } catch (RuntimeException e) {
      // The cycle's own probe and publication follow; nothing is lost but this shortcut.
      log.debug("probing after a task ended: {}", e.getMessage());
    }
  }

  /**
   * Hands the keeper the license {@code decision} grants (empty revokes), unless the plan leaves the one in force
   * ({@link LeaseKeeping#keepsLicense}: a cycle without the DCS that plans nothing). Before the plan's first step.
   */
  private void relicense(Decision decision, boolean dcsRead, boolean shutdown, long decidedAt, DynamicConfig dyn) {
    if (!LeaseKeeping.keepsLicense(decision, dcsRead, shutdown)) {
      keeper.license(LeaseKeeping.license(decision, shutdown, decidedAt, dyn.loopWait(), bugs));
    }
  }

  private HaPolicy policy(DynamicConfig dyn) {
    return new HaPolicy(config.name(), config.tags(), dyn, bugs, node);
  }

  /** The status to publish: what the probe showed, as {@code publication} names it, with the loop's own state. */
  private NodeStatus status(PgState pg, Publication publication, boolean holds) {
    return new NodeStatus(config.scope(), config.name(), pg, publication.state(), publication.role(), holds,
        lastSnapshot, dcsLastSeen, lastMessage, config.tags(), wallClock.instant(), nanoClock.getAsLong(), cycles,
        lease.deadlineNanos(), lease.token(), "", bugs.ids()).withStoppedDiverged(publication.stoppedDiverged());
  }

  /** Publishes {@code message} as the cycle's, and logs it unless the decision says the log already has it. */
  private void report(Decision decision, String message) {
    lastMessage = message;
    if (decision.logged()) {
      log.info(message);
    }
  }

  private void awaitNextCycle() {
    long waitMs = Math.max(100, dynamic().loopWait().toMillis());
    boolean holder = lease.deadlineNanos().isPresent();
    if (!holder && lastSnapshot.isPresent() && tasks.running().isEmpty() && !wakeRequested) {
      // Replicas wake as soon as the leader key changes (an expiry, a release): failover starts at once instead
      // of at the next tick; and as soon as a request, the configuration or the sync key changes, so that an
      // operator's switchover, pause or edited setting reaches them without waiting out loop_wait. The holder
      // ticks at loop_wait: its refresh cadence is what keeps the lease. A standby leaving synchronous duty also
      // wakes on the leader's member key, which ends its departure (watchedMember).
      try {
        boolean changed = store.awaitClusterChange(lastSnapshot.get().revision(), Duration.ofMillis(waitMs),
            watchedMember());
        log.debug("woke: {}", changed ? "the cluster's keys changed" : "loop_wait passed");
        wakeRequested = false;
        return;
      } catch (DcsException e) {
        // fall through to a plain wait
      }
    }
    synchronized (wakeup) {
      // Real time on purpose, not nanoClock: this bounds a real Object.wait (only run() waits; a simulator
      // driving cycle() itself never gets here).
      long deadline = System.nanoTime() + waitMs * 1_000_000L;
      while (!wakeRequested && !stopped) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          break;
        }
        try {
          wakeup.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stopped = true;
        }
      }
      wakeRequested = false;
    }
  }

  /** Stops the loop without the shutdown cycle (embedding code that manages PostgreSQL itself). */
  public void halt() {
    stopped = true;
    wake();
  }

  /**
   * The values the decision reads from this node's configuration file. Here, not in {@link NodeSettings}: the
   * configuration holds paths and addresses, and the pure types must not reach them (ArchitectureTest).
   */
  static NodeSettings settingsOf(NodeConfig config) {
    return new NodeSettings("postgres://" + config.postgresql().connectAddress() + "/postgres",
        config.restapi().apiUrl(), config.bootstrap().method().isPresent(), config.postgresql().usePgRewind(),
        config.postgresql().removeDataDirectoryOnRewindFailure(),
        config.postgresql().removeDataDirectoryOnDivergedTimelines(), config.bootstrap().dcs(),
        config.postgresql().createReplicaMethods().stream().anyMatch(m -> !m.equals("basebackup")
            && !m.equals("pg_basebackup") && config.postgresql().replicaMethods().containsKey(m)
            && config.postgresql().replicaMethods().get(m).noLeader()),
        new Hooks(config.postgresql().callbacks().callbacks().keySet(),
            config.postgresql().callbacks().prePromote().isPresent(),
            config.postgresql().callbacks().beforeStop().isPresent()));
  }
}
