package io.pgquorum.coordinator.sim;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.ha.LeaseKeeper;
import io.pgquorum.dcs.memory.InMemoryDcs;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The in-memory interaction environment: N simulated machines ({@link SimNode}) around one in-memory DCS with the
 * real lease semantics (expiry stepped on the DCS leader's drifting clock), a simulated network (links between
 * machines; a daemon reaches the DCS only through a majority of live members), a client that writes to every
 * writable primary, and the checkers ({@link History}) run after every step.
 *
 * <p>Single-threaded and deterministic: time moves only in {@link #runUntil}, which runs the earliest due event
 * (a DCS expiry check, a lease guard or watchdog deadline, a task body, a loop cycle, a replication or write tick)
 * one at a time; the execution's own choices come from one seeded generator.
 */
final class SimCluster implements AutoCloseable {
  final SimOptions options;
  final SimTime time = new SimTime();
  final DriftingClock dcsClock;
  final InMemoryDcs dcs;
  private boolean leaderWrittenSinceHeal = true;
  final History history;
  private final SplittableRandom rnd;
  /**
   * Lost replies of the lease keepers' refreshes: a stream of its own, so that a keeper's refresh (which the loop's
   * schedule does not know about) leaves the draws of everything else, and so every recorded schedule, as they were.
   */
  private final SplittableRandom keeperRnd;
  private final ClusterStore observer;
  private final List<SimNode> nodes = new ArrayList<>();
  /** Cut links, as "i-j" with i < j. */
  private final Set<String> cut = new HashSet<>();
  /**
   * Links cut for the DCS alone ({@code partition-dcs}: the Raft port blocked, REST and replication still through), the
   * case failsafe mode exists for: a primary cut off from the DCS majority that still reaches every member.
   */
  private final Set<String> dcsCut = new HashSet<>();
  private int branches;
  private long pids = 100;
  private long dcsTickAt;
  private long replicationAt;
  private long writeAt;
  private boolean leaderChanged;
  /** See {@link #watchedKeyChanged}. */
  private boolean watchedChanged;
  /** Member keys written in this step (memberKeyChanged). */
  private final java.util.Set<String> changedMembers = new java.util.HashSet<>();
  private String leaderSeen = "";
  /** Transcript output (null: not recorded). */
  private StringBuilder out;
  private boolean verbose;
  private final List<String> effects = new ArrayList<>();

  SimCluster(SimOptions options) {
    this.options = options;
    this.rnd = new SplittableRandom(options.executionSeed);
    this.keeperRnd = new SplittableRandom(options.executionSeed ^ 0x6b656570L);
    this.dcsClock = new DriftingClock(time, new Random(options.executionSeed).nextLong() >>> 20, 1.0);
    this.dcs = InMemoryDcs.stepped(dcsClock::now, time::wallMillis, options.rho, options.bugs);
    this.observer = new ClusterStore(dcs.client("observer"), new DcsKeys("/service/" + SimNode.SCOPE + "/"),
        "observer");
    this.history = new History(this);
  }

  // ---- world -----------------------------------------------------------------------------------------------

  List<SimNode> nodes() {
    return nodes;
  }

  SimNode node(String name) {
    for (SimNode n : nodes) {
      if (n.name.equals(name)) {
        return n;
      }
    }
    return null;
  }

  SimNode node(int index) {
    if (index < 1 || index > nodes.size()) {
      throw new IllegalArgumentException("no node " + index + " (there are " + nodes.size() + ")");
    }
    return nodes.get(index - 1);
  }

  /** Adds {@code count} machines with empty data directories and starts their daemons. */
  void addNodes(int count, double[] rates) {
    for (int i = 0; i < count; i++) {
      int index = nodes.size() + 1;
      double rate = rates == null ? 1.0 : rates[i];
      // Arbitrary, unrelated offsets: no code may compare monotonic instants of two machines.
      long offset = (rnd.nextLong() >>> 24) + index * 1_000_000_000_000L;
      SimNode n = new SimNode(this, index, new DriftingClock(time, offset, rate),
          options.guardDelayMax == 0 ? 0 : rnd.nextLong(options.guardDelayMax + 1));
      nodes.add(n);
      n.startDaemon();
    }
  }

  int nextBranch() {
    return ++branches;
  }

  long nextPid() {
    return ++pids;
  }

  long taskDuration() {
    return options.taskMax <= options.taskMin ? options.taskMin
        : options.taskMin + rnd.nextLong(options.taskMax - options.taskMin + 1);
  }

  long jitter() {
    return options.cycleJitterMax == 0 ? 0 : rnd.nextLong(options.cycleJitterMax + 1);
  }

  boolean loseReply() {
    return options.lostReplyRate > 0 && rnd.nextDouble() < options.lostReplyRate;
  }

  /** As {@link #loseReply()}, for a lease keeper's refresh (at the same rate, from {@link #keeperRnd}). */
  boolean loseKeeperReply() {
    return options.lostReplyRate > 0 && keeperRnd.nextDouble() < options.lostReplyRate;
  }

  private static String link(SimNode a, SimNode b) {
    return Math.min(a.index, b.index) + "-" + Math.max(a.index, b.index);
  }

  boolean linkUp(SimNode a, SimNode b) {
    return a == b || !cut.contains(link(a, b));
  }

  /** Cuts every link between the groups (node indexes); links inside a group are left as they are. */
  void partition(List<List<Integer>> groups) {
    cutBetween(groups, cut);
  }

  /** As {@link #partition}, for the DCS's links alone. */
  void partitionDcs(List<List<Integer>> groups) {
    cutBetween(groups, dcsCut);
  }

  /** Adds every link between two different groups to {@code links}. */
  private void cutBetween(List<List<Integer>> groups, Set<String> links) {
    for (int g = 0; g < groups.size(); g++) {
      for (int h = g + 1; h < groups.size(); h++) {
        for (int a : groups.get(g)) {
          for (int b : groups.get(h)) {
            links.add(link(node(a), node(b)));
          }
        }
      }
    }
  }

  void heal() {
    if (!cut.isEmpty() || !dcsCut.isEmpty()) {
      leaderWrittenSinceHeal = false;
    }
    cut.clear();
    dcsCut.clear();
  }

  /** A put or refresh of the leader key was applied (its reply may still be lost). */
  void leaderKeyWritten() {
    leaderWrittenSinceHeal = true;
  }

  /**
   * Whether the leader key was written (taken or refreshed) since links last healed (true when never cut). A key not
   * written since then may be one its holder could not refresh while cut off (on failsafe, or in a minority), still
   * about to run out and be taken again with a new token: the fault's tail, not a settled cluster
   * ({@link Interaction#stableState}). A lease refresh does not change the key's revision, hence a flag.
   */
  boolean leaderWrittenSinceHeal() {
    return leaderWrittenSinceHeal;
  }

  /**
   * One failsafe round of {@code from} (FailsafeAsker, as FailsafeClient sends it): every listed peer whose daemon
   * runs and whose REST API {@code from} reaches answers from memory as FailsafeEndpoint does (502 without failsafe
   * mode, which the simulated cluster's configuration never changes), and the names of those that promised come back.
   * The round takes no virtual time: the real one is bounded by min(2 s, retry_timeout), which the rules allow for.
   */
  Set<String> failsafeRound(SimNode from, Set<String> peers, String leader, java.time.Duration ttl,
      java.util.Map<String, Long> slots) {
    Set<String> accepted = new java.util.TreeSet<>();
    if (!options.dyn.failsafeMode()) {
      return accepted;
    }
    for (String p : peers) {
      SimNode to = node(p);
      if (to != null && to != from && to.active() && linkUp(from, to) && to.loop.failsafe().promise(leader, ttl,
          slots) == io.pgquorum.coordinator.ha.FailsafePromises.Answer.ACCEPTED) {
        accepted.add(p);
      }
    }
    return accepted;
  }

  /**
   * Whether {@code n}'s DCS calls succeed: the embedded Raft group needs a majority of members whose daemons run
   * (a member lives in its daemon's JVM: a paused or dead daemon is a dead member) that {@code n} can reach.
   */
  boolean dcsReachable(SimNode n) {
    int live = 0;
    for (SimNode m : nodes) {
      if (m.active() && linkUp(n, m) && (m == n || !dcsCut.contains(link(n, m)))) {
        live++;
      }
    }
    return live * 2 > nodes.size();
  }

  /** The leader key as the DCS holds it now. */
  Optional<LeaderLock> leaderKey() {
    return snapshot().leader();
  }

  ClusterSnapshot snapshot() {
    return observer.load();
  }

  /**
   * An operator's switchover or failover request, written as the REST API writes it (the failover key, by
   * compare-and-set on its current revision); the API's wait for the outcome is the transcript's to run.
   */
  boolean requestFailover(Optional<String> leader, Optional<String> candidate, Optional<String> scheduledAt) {
    return observer.writeFailover(leader, candidate, scheduledAt, observer.failoverRevision());
  }

  /**
   * A key the replicas' watch covers besides the leader's changed ({@code sync}, {@code failover}, {@code config},
   * {@code initialize}; HaLoop's awaitNextCycle): they wake, as the real loop's replicas do.
   */
  void watchedKeyChanged() {
    watchedChanged = true;
  }

  /**
   * A member key changed: a replica whose loop watches it (HaLoop.watchedMember: the leader's, while it leaves
   * synchronous duty) wakes, as the real loop's watch does.
   */
  void memberKeyChanged(String member) {
    changedMembers.add(member);
  }

  void leaderKeyChanged() {
    leaderChanged = true;
  }

  void promoted(SimNode n, int fromBranch, long fork) {
    history.promoted(n, fromBranch, fork, snapshot().lastLeaderOptime());
  }

  void startedAsPrimary(SimNode n, long lsn) {
    history.startedAsPrimary(n, lsn, snapshot().lastLeaderOptime());
  }

  void violation(String what) {
    history.violation(what);
  }

  /** A commit of {@code n}'s PostgreSQL was acknowledged to its client. */
  void acked(SimNode n, SimPostgres.Waiting w) {
    history.acked(n, w.token(), w.branch(), w.lsn());
  }

  /** The {@code sync} key was written: from now on the cluster promises synchronous replication (in a sync mode). */
  void syncKeyWritten() {
    history.syncKeyWritten();
  }

  // ---- output ----------------------------------------------------------------------------------------------

  /** Starts recording transcript lines; verbose: every cycle's decision, not only those that changed. */
  void record(boolean verbose) {
    this.out = new StringBuilder();
    this.verbose = verbose;
  }

  String takeOutput() {
    String s = out == null ? "" : out.toString();
    if (out != null) {
      out.setLength(0);
    }
    return s;
  }

  void effect(SimNode n, String what) {
    effects.add(n.name + ": " + what);
  }

  void line(String s) {
    if (out != null) {
      out.append(SimTime.show(time.now())).append(' ').append(s).append('\n');
    }
  }

  private void flushEffects(String header) {
    if (out != null) {
      if (header != null) {
        line(header);
      }
      for (String e : effects) {
        out.append("    ").append(e).append('\n');
      }
    }
    effects.clear();
  }

  void flushCommandEffects() {
    if (out != null) {
      for (String e : effects) {
        line(e);
      }
    }
    effects.clear();
  }

  // ---- scheduler -------------------------------------------------------------------------------------------

  /** Runs one cycle of {@code n} now (the transcript's {@code cycle}). */
  void cycleNow(SimNode n) {
    if (!n.active()) {
      return;
    }
    String before = n.lastMessage;
    n.cycle();
    boolean show = verbose || !n.lastMessage.equals(before) || !effects.isEmpty();
    flushEffects(show ? n.name + ": " + n.lastMessage : null);
    afterStep();
  }

  /** Runs every event due up to {@code end}, in time order, then leaves the clock at {@code end}. */
  void runUntil(long end) {
    long vanishedAt = -1;
    while (!history.stopped()) {
      long next = nextEventTime();
      if (next > end) {
        break;
      }
      // An event of a paused daemon may have fallen due while it was frozen: it runs now.
      next = Math.max(next, time.now());
      time.advanceTo(next);
      if (!runOneEvent(next)) {
        // An event foreseen from a node's clock can vanish once true time reaches it: on a clock running fast a
        // true nanosecond moves the reading by more than one (DriftingClock), so the first instant reading at least
        // the keeper's due refresh may read past it, and a refresh due a nanosecond before the lease's deadline or
        // the license's end is then no longer before it (LeaseKeeping.nextRefresh: none is sent, as the real
        // keeper's thread would not send one that late). Nothing is due then; the next look computes the events
        // again. Nothing due twice at one instant is the engine's own bug (seed 1269376629502 found one: an
        // inexact DriftingClock.trueTimeOf, now exact and tested in DriftingClockTest).
        if (vanishedAt == next) {
          throw new IllegalStateException("no event due at " + next);
        }
        vanishedAt = next;
        continue;
      }
      afterStep();
    }
    if (time.now() < end) {
      time.advanceTo(end);
    }
  }

  private long nextEventTime() {
    long next = Math.min(dcsTickAt, Math.min(replicationAt, options.writes ? writeAt : SimNode.NEVER));
    for (SimNode n : nodes) {
      next = Math.min(next, n.guardAt());
      next = Math.min(next, n.keeperAt());
      for (SimWatchdog w : n.watchdogs) {
        next = Math.min(next, w.dueAt());
      }
      if (n.active()) {
        next = Math.min(next, Math.min(n.taskAt, n.loopAt()));
      }
    }
    return next;
  }

  /**
   * Runs the first event due at {@code t}, in a fixed order: the DCS, fences, lease keepers, tasks, cycles,
   * replication, writes. False when none is (see {@link #runUntil}).
   */
  private boolean runOneEvent(long t) {
    if (dcsTickAt <= t) {
      dcsTickAt = t + options.dcsTick;
      if (dcs.expireDue() > 0) {
        leaderChanged = true;
      }
      return true;
    }
    for (SimNode n : nodes) {
      if (n.guardAt() <= t) {
        n.guard.check();
        flushEffects(effects.isEmpty() ? null : n.name + ": lease guard: the lease deadline passed");
        return true;
      }
      for (SimWatchdog w : n.watchdogs) {
        if (w.dueAt() <= t) {
          String why = w.guarding() ? "guarding after its fence" : "the lease deadline passed";
          w.act();
          flushEffects(effects.isEmpty() ? null : n.name + ": watchdog: " + why);
          return true;
        }
      }
    }
    for (SimNode n : nodes) {
      if (n.keeperAt() <= t) {
        n.dcs.keeperCalling = true;
        LeaseKeeper.Outcome outcome;
        try {
          outcome = n.loop.keeper().tick();
        } finally {
          n.dcs.keeperCalling = false;
        }
        flushEffects(n.name + ": lease keeper: " + outcome.name().toLowerCase(java.util.Locale.ROOT));
        return true;
      }
    }
    for (SimNode n : nodes) {
      if (n.active() && n.taskAt <= t) {
        String task = n.queuedTaskName;
        n.runTask();
        flushEffects(n.name + ": task " + task + " ended");
        return true;
      }
    }
    for (SimNode n : nodes) {
      if (n.active() && n.loopAt() <= t) {
        String before = n.lastMessage;
        n.cycle();
        boolean show = verbose || !n.lastMessage.equals(before) || !effects.isEmpty();
        flushEffects(show ? n.name + ": " + n.lastMessage : null);
        return true;
      }
    }
    if (replicationAt <= t) {
      replicationAt = t + options.replicationTick;
      for (SimNode n : nodes) {
        n.pg.replicate();
      }
      // The standbys' flush replies: primaries release the commits now synchronously replicated.
      for (SimNode n : nodes) {
        n.pg.releaseCommits();
      }
      return true;
    }
    if (options.writes && writeAt <= t) {
      writeAt = t + options.writeTick;
      for (SimNode n : nodes) {
        n.pg.write();
      }
      return true;
    }
    return false;
  }

  /** After every step: wake replicas whose leader watch fired, then run the step checkers. */
  private void afterStep() {
    boolean wake = watchedChanged;
    watchedChanged = false;
    if (leaderChanged) {
      leaderChanged = false;
      String now = leaderKey().map(l -> l.name() + "/" + l.fencingToken()).orElse("");
      if (!now.equals(leaderSeen)) {
        leaderSeen = now;
        wake = true;
      }
    }
    for (SimNode n : nodes) {
      boolean watched = wake || n.daemonUp && n.loop.watchedMember().filter(changedMembers::contains).isPresent();
      if (watched && n.active() && n.lease.deadlineNanos().isEmpty() && n.tasks.running().isEmpty()
          && n.status != null) {
        n.cycleAt = Math.min(n.cycleAt, time.now() + options.wakeDelay);
      }
    }
    changedMembers.clear();
    history.step();
  }

  @Override
  public void close() {
    dcs.close();
  }
}
