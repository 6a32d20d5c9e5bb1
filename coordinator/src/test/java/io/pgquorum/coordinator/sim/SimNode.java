package io.pgquorum.coordinator.sim;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.cluster.LeaseOwner;
import io.pgquorum.coordinator.config.BootstrapConfig;
import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.HostPort;
import io.pgquorum.coordinator.config.LogConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.PostgresConfig;
import io.pgquorum.coordinator.config.RaftConfig;
import io.pgquorum.coordinator.config.RestApiConfig;
import io.pgquorum.coordinator.config.Tags;
import io.pgquorum.coordinator.ha.HaBug;
import io.pgquorum.coordinator.ha.HaLoop;
import io.pgquorum.coordinator.ha.HeldLease;
import io.pgquorum.coordinator.ha.LeaseGuard;
import io.pgquorum.coordinator.ha.LeaseListener;
import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.ha.PeerView;
import io.pgquorum.coordinator.ha.TaskRunner;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.StopMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One simulated machine: its clock, its PostgreSQL, its watchdog processes, and (while the daemon runs) the real
 * {@link HaLoop} with its {@link HeldLease}, {@link LeaseGuard} and {@link TaskRunner}, wired as the daemon wires
 * them, but driven by the simulator: the loop's cycles, the guard's checks and the tasks' bodies run when the
 * scheduler says, on this machine's virtual clock.
 */
final class SimNode {
  static final String SCOPE = "t";
  static final long NEVER = Long.MAX_VALUE;

  final SimCluster cluster;
  final int index;
  final String name;
  final NodeConfig config;
  final DriftingClock clock;
  final SimPostgres pg;
  final long guardDelay;
  /** Watchdog processes of this and earlier daemons (an orphan outlives its daemon until it fenced). */
  final List<SimWatchdog> watchdogs = new ArrayList<>();

  boolean daemonUp;
  boolean paused;
  int incarnation;
  HeldLease lease;
  /** This daemon's DCS client (to freeze its loop mid-cycle). */
  SimDcs dcs;
  /** Paused right after its loop read a snapshot: on resume that cycle finishes first, with that snapshot. */
  boolean pausedMidCycle;
  LeaseGuard guard;
  TaskRunner tasks;
  HaLoop loop;
  NodeStatus status;
  Runnable queuedTask;
  String queuedTaskName = "";
  long taskAt = NEVER;
  long cycleAt = NEVER;
  /** The loop is stalled (blocked mid-cycle, its other threads running) until this true instant (0: not stalled). */
  long loopStalledUntil;
  String lastMessage = "";
  /** A clean stop (SIGTERM) is under way: every cycle is a shutdown cycle until one is not held back. */
  boolean stopping;
  /** The clean stop is a restart of the daemon: it starts again once the stop ends. */
  private boolean restartAfterStop;
  /** This machine's clock when the clean stop was asked for. */
  private long stopAskedAt;
  /** The same instant in true time. */
  private long stopAskedAtTrue;

  SimNode(SimCluster cluster, int index, DriftingClock clock, long guardDelay) {
    this.cluster = cluster;
    this.index = index;
    this.name = "n" + index;
    this.config = config(name, index, cluster);
    this.clock = clock;
    this.pg = new SimPostgres(cluster, this);
    this.guardDelay = guardDelay;
  }

  private static NodeConfig config(String name, int index, SimCluster cluster) {
    String host = "10.0.0." + index;
    return new NodeConfig(SCOPE, "/service/", name,
        new RestApiConfig(new HostPort(host, 8008), new HostPort(host, 8008), Optional.empty(), List.of()),
        new RaftConfig(host + ":7000", Optional.empty(), List.of(), Path.of("/sim/raft"), Optional.empty()),
        new BootstrapConfig(cluster.options.dyn, Optional.empty(), Map.of(), List.of(), List.of(), Optional.empty()),
        new PostgresConfig(new HostPort(host, 5432), new HostPort(host, 5432), Path.of("/sim/pg"),
            PostgresConfig.DEFAULT_BIN_DIR, Path.of("/sim/pgpass"), Credentials.of("postgres", "x"),
            Credentials.of("replicator", "y"), Optional.empty(), Map.of(), List.of(), List.of("basebackup"),
            // remove_data_directory_on_rewind_failure and _on_diverged_timelines on: a node whose data is known to be
            // another fork of the leader's timeline (LeaderTimeline.otherEpoch) is re-cloned, the only repair
            // (pg_rewind never fails here otherwise: the simulated one always succeeds).
            Map.of(), List.of(), false, Optional.empty(), 60, true, true),
        Tags.none(), LogConfig.defaults(), List.of());
  }

  /** Starts a daemon (a new incarnation: fresh lease, tasks and DCS session), as the daemon's main wires it. */
  void startDaemon() {
    if (daemonUp) {
      throw new IllegalStateException(name + ": the daemon already runs");
    }
    incarnation++;
    String me = name;
    // Owners as the daemon names them (name@node-id#start), so that the decider's owner checks see real ids.
    LeaseOwner owner = new LeaseOwner(me, String.format("%016x", index), incarnation);
    dcs = new SimDcs(cluster.dcs.client(owner.id()), cluster, this);
    ClusterStore store = new ClusterStore(dcs,
        new DcsKeys("/service/" + SCOPE + "/"), me, owner::isEarlierIncarnationOfThisNode);
    lease = new HeldLease();
    boolean skipDemote = cluster.options.bugs.active(HaBug.SKIP_DEMOTE_ON_LOST_LEASE);
    if (!skipDemote && !cluster.options.bugs.active(HaBug.NO_WATCHDOG)) {
      SimWatchdog w = new SimWatchdog(this);
      watchdogs.add(w);
      // As PreviousWatchdog: a previous daemon's orphaned watchdog is stopped once this daemon's lease is armed on
      // its own watchdog (a re-adopted lease is the same lease; a new one exists only after the old deadline).
      lease.setListener(new LeaseListener() {
        @Override
        public void armed(long fencingToken, long deadlineNanos) {
          w.armed(fencingToken, deadlineNanos);
          watchdogs.removeIf(o -> o != w);
        }

        @Override
        public void disarmed() {
          w.disarmed();
        }
      });
    } else {
      lease.setListener(LeaseListener.NONE);
    }
    HeldLease l = lease;
    guard = new LeaseGuard(lease, () -> {
      if (skipDemote) {
        return; // PLANTED BUG skip-demote-on-lost-lease: the daemon's fence does nothing (as PgQuorumNode.fence)
      }
      pg.stop(StopMode.IMMEDIATE);
      l.postgresStopped();
    }, clock::now, name);
    tasks = new TaskRunner(name, (threadName, work) -> {
      queuedTask = work;
      // "task-<name>-<node>": the task's own name is what a reader wants.
      queuedTaskName = threadName.substring("task-".length(), threadName.length() - me.length() - 1);
      taskAt = cluster.time.now() + cluster.taskDuration();
    });
    loop = new HaLoop(config, store, pg, lease, tasks, this::peerViews, clock::now, cluster.time.wallClock(),
        s -> status = s, cluster.options.bugs, () -> true);
    loop.useFailsafeAsker((peers, leader, ttl, slots) -> cluster.failsafeRound(this, peers.keySet(), leader, ttl,
        slots));
    daemonUp = true;
    paused = false;
    pausedMidCycle = false;
    loopStalledUntil = 0;
    cycleAt = cluster.time.now();
  }

  /** kill -9 of the daemon: its loop, lease and running task are gone; PostgreSQL and the watchdog are not. */
  void killDaemon() {
    daemonUp = false;
    stopping = false;
    restartAfterStop = false;
    paused = false;
    pausedMidCycle = false;
    queuedTask = null;
    taskAt = NEVER;
    cycleAt = NEVER;
    watchdogs.forEach(SimWatchdog::orphan);
  }

  /**
   * A clean stop (SIGTERM): shutdown cycles (stop PostgreSQL, release the lock, delete the member key) until one is
   * not held back (a synchronous standby leaves its duty first, as HaLoop.run keeps cycling), then exit; with
   * {@code thenStart}, a new daemon starts once it has. A frozen daemon is ended at once (no cycle can run).
   */
  void stopDaemon(boolean thenStart) {
    if (stopping) {
      restartAfterStop |= thenStart;
      return;
    }
    if (paused) {
      killDaemon();
      if (thenStart) {
        startDaemon();
      }
      return;
    }
    stopping = true;
    restartAfterStop = thenStart;
    stopAskedAt = clock.now();
    stopAskedAtTrue = cluster.time.now();
    cycle();
  }

  void stopDaemon() {
    stopDaemon(false);
  }

  /** A clean stop under way is followed by a start of a new daemon once it ends. */
  void startAfterStop() {
    restartAfterStop = true;
  }

  /** The loop's next cycle: a shutdown cycle while a clean stop is under way, and the exit after the last one. */
  void cycle() {
    if (!stopping) {
      runCycle(false);
      return;
    }
    // Whom its PostgreSQL streamed from before this cycle: only a standby that served the primary's commits can make
    // them wait by going away (one cut off from the primary already could not acknowledge anything).
    Optional<String> streamedFrom = pg.running && pg.role == PgState.Role.REPLICA && pg.streaming
        ? pg.upstream.map(u -> u.name()) : Optional.empty();
    boolean dcsReachable = cluster.dcsReachable(this);
    runCycle(true);
    if (!daemonUp || loop.shutdownHeld()) {
      return;
    }
    if (streamedFrom.isPresent() && dcsReachable && !pg.running) {
      checkDeparted(streamedFrom.get());
    }
    boolean again = restartAfterStop;
    boolean held = cluster.time.now() > stopAskedAtTrue;
    killDaemon();
    if (again) {
      startDaemon();
    }
    if (held) {
      // The stop was held back (the command's line said so): the exit shows when it happens.
      cluster.effect(this, again ? "daemon exited and started again" : "daemon exited");
    }
  }

  /**
   * A replica's clean stop has just stopped its PostgreSQL, having read the DCS, while it streamed from
   * {@code upstream}: if that is the primary (the lock holder, still reachable), its synchronous_standby_names must
   * not name this node any more, or every commit waits for a standby that is gone (the departure,
   * LocalOperations.leavingSyncBeforeShutdown). Not checked once 2 loop_waits of this machine's clock have passed
   * since the stop was asked for: the departure's wait may then have run out, as it may (a primary that does not
   * act, a strict mode with no other standby), and the stop goes ahead anyway.
   */
  private void checkDeparted(String upstream) {
    long bound = 2L * cluster.options.dyn.loopWait().toNanos();
    if (clock.now() - stopAskedAt >= bound) {
      return;
    }
    cluster.leaderKey().map(l -> cluster.node(l.name()))
        .filter(h -> h != this && h.pg.isPrimary() && h.name.equals(upstream) && cluster.linkUp(this, h))
        .filter(h -> io.pgquorum.coordinator.ha.sync.SyncStandbyNames.parse(h.pg.syncNames).lists(name))
        .ifPresent(h -> cluster.violation("sync departure: " + name + " stopped PostgreSQL in a clean stop while "
            + h.name + "'s synchronous_standby_names still names it ('" + h.pg.syncNames + "')"));
  }

  void runCycle(boolean shutdown) {
    boolean recheck = loop.cycle(shutdown);
    lastMessage = status == null ? "" : status.message();
    long next = recheck ? cluster.time.now() + SimOptions.MS
        : clock.trueTimeOf(clock.now() + cluster.options.dyn.loopWait().toNanos()) + cluster.jitter();
    cycleAt = Math.max(next, cluster.time.now() + 1);
    if (loop.fatalReason().isPresent()) {
      cluster.violation(name + " stopped its loop: " + loop.fatalReason().get());
      killDaemon();
    }
  }

  void runTask() {
    Runnable work = queuedTask;
    queuedTask = null;
    taskAt = NEVER;
    work.run();
    // The task's onDone wakes the loop (HaLoop.wake): the next cycle starts at once.
    cycleAt = Math.min(cycleAt, cluster.time.now() + SimOptions.MS);
  }

  /** When the lease guard, checking every interval, notices the deadline (NEVER when no lease is held). */
  long guardAt() {
    if (!daemonUp || paused) {
      return NEVER;
    }
    OptionalLong d = lease.deadlineNanos();
    return d.isPresent() ? clock.trueTimeOf(d.getAsLong()) + guardDelay : NEVER;
  }

  boolean active() {
    return daemonUp && !paused;
  }

  /** When the loop's next cycle runs: its schedule, held back while the loop is stalled. */
  long loopAt() {
    return Math.max(cycleAt, loopStalledUntil);
  }

  /** Whether the loop is stalled now (the transcript's {@code stall-loop}). */
  boolean loopStalled() {
    return loopStalledUntil > cluster.time.now();
  }

  /**
   * When the lease keeper next refreshes (NEVER when it will not under its license and lease): it runs on its own
   * thread, so a stalled loop does not hold it back, a frozen daemon does.
   */
  long keeperAt() {
    if (!active()) {
      return NEVER;
    }
    OptionalLong due = loop.keeper().nextRefreshNanos();
    return due.isPresent() ? clock.trueTimeOf(due.getAsLong()) : NEVER;
  }

  /** What this node's REST API would say to a peer during a race ({@code /patroni}). */
  private Map<String, PeerView> peerViews(Map<String, String> urls) {
    Map<String, PeerView> out = new LinkedHashMap<>();
    for (String peer : urls.keySet()) {
      SimNode p = cluster.node(peer);
      if (p == null || !p.active() || !cluster.linkUp(this, p)) {
        out.put(peer, PeerView.unreachable(peer));
        continue;
      }
      PgState s = p.pg.probe();
      Optional<String> role = s.dataDir() != PgState.DataDirState.INITIALIZED ? Optional.of("uninitialized")
          : Optional.of(s.isPrimary() ? "primary" : "replica");
      out.put(peer, new PeerView(peer, true, role, s.running(),
          s.running() || s.walPosition() > 0 ? OptionalLong.of(s.walPosition()) : OptionalLong.empty(),
          s.timeline(), 1, false, s.timelineEpoch()));
    }
    return out;
  }

  /** {@code n1 [daemon up] primary token=3 tl=2 lsn=...}: how transcripts show this node. */
  String describe() {
    String daemon = !daemonUp ? "daemon down" : paused ? "daemon paused" : loopStalled() ? "daemon up, loop stalled"
        : "daemon up";
    String held = daemonUp && lease.deadlineNanos().isPresent() ? ", holds lease" : "";
    return name + ": " + daemon + held + "; pg " + pg.describe();
  }
}
