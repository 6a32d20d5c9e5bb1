package io.pgquorum.jepsen.runner;

import io.pgquorum.dcs.planted.PlantedBugs;
import io.pgquorum.jepsen.checker.AvailabilityChecker;
import io.pgquorum.jepsen.checker.CheckResult;
import io.pgquorum.jepsen.checker.DurabilityChecker;
import io.pgquorum.jepsen.checker.EpochChecker;
import io.pgquorum.jepsen.checker.RoleStabilityChecker;
import io.pgquorum.jepsen.checker.SetChecker;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.history.OpType;
import io.pgquorum.jepsen.nemesis.Nemesis;
import io.pgquorum.jepsen.report.HtmlReport;
import io.pgquorum.jepsen.stack.ClientIds;
import io.pgquorum.jepsen.stack.DcsObserver;
import io.pgquorum.jepsen.stack.EpochProbes;
import io.pgquorum.jepsen.stack.PgCluster;
import io.pgquorum.jepsen.stack.PgClusterSpec;
import io.pgquorum.jepsen.stack.RoleObserver;
import io.pgquorum.jepsen.stack.SetWorkload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * P1/P2/P3 against real daemons and real PostgreSQL: a fresh cluster, the role and DCS observers, epoch probes on
 * every node and set adds on the primary, the schedule's faults, a quiet tail, a final read (with the final
 * primary's timeline history); then the epoch checker, the durability checker (every lost acknowledged add
 * inside the failover window maximum_lag_on_failover allows, and none at all under synchronous replication; see
 * docs/properties.md), availability after the
 * last heal and role stability once recovered, all asserted; the set checker's raw loss count is a measurement.
 */
public final class StackTrial implements Trial {
  static final String EPOCH = "epoch";
  static final String DURABILITY = DurabilityChecker.NAME;
  static final String AVAILABILITY = "availability";
  static final String STABILITY = "role-stability";
  /** The checkers whose verdict decides a stack run. */
  public static final Set<String> ASSERTED = Set.of(EPOCH, DURABILITY, AVAILABILITY, STABILITY);

  /**
   * How the cluster is built.
   *
   * @param spec cluster shape and timing (the node count comes from the schedule)
   * @param plantedBug {@code PGQUORUM_PLANTED_BUG} for every daemon, or null
   */
  public record Settings(PgClusterSpec spec, String plantedBug) {
    public static Settings defaults() {
      return new Settings(PgClusterSpec.defaults(), null);
    }

    public Settings withNetwork(String network, String user) {
      return new Settings(network.equals("netns") ? spec.withNamespaces(user) : spec.withProxies(), plantedBug);
    }

    public Settings withPlantedBug(String bug) {
      return new Settings(spec, bug);
    }

    /**
     * The lease length (ttl, seconds) with loop_wait 1 and retry_timeout 2, or the largest retry_timeout that
     * keeps {@code loop_wait + 2 * retry_timeout <= ttl} (1 for ttl 4).
     */
    public Settings withTtl(int ttlSeconds) {
      int retry = Math.max(1, Math.min(2, (ttlSeconds - 1) / 2));
      return new Settings(spec.withTiming(ttlSeconds, 1, retry), plantedBug);
    }

    /** Another {@code maximum_lag_on_failover} (bytes). */
    public Settings withMaximumLagOnFailover(long bytes) {
      return new Settings(spec.withMaximumLagOnFailover(bytes), plantedBug);
    }

    /** Another replication mode ({@code off}, {@code on}, {@code quorum}, {@code strict}). */
    public Settings withSynchronousMode(PgClusterSpec.SyncMode mode) {
      return new Settings(spec.withSync(mode), plantedBug);
    }

    /** With {@code failsafe_mode} on (or off). */
    public Settings withFailsafeMode(boolean on) {
      return new Settings(spec.withFailsafeMode(on), plantedBug);
    }

    /**
     * P2 as this mode states it: within maximum_lag_on_failover under asynchronous replication, no loss at all
     * under synchronous replication.
     */
    public DurabilityChecker durability() {
      return spec.sync() == PgClusterSpec.SyncMode.OFF ? new DurabilityChecker(spec.maximumLagOnFailover())
          : DurabilityChecker.synchronous();
    }

    /** The flags of bin/jepsen-run that build these settings (for replay commands). */
    public String flags() {
      PgClusterSpec d = PgClusterSpec.defaults();
      StringBuilder b = new StringBuilder();
      if (spec.ttl() != d.ttl()) {
        b.append(" --ttl ").append(spec.ttl());
      }
      if (spec.maximumLagOnFailover() != d.maximumLagOnFailover()) {
        b.append(" --maximum-lag-on-failover ").append(spec.maximumLagOnFailover());
      }
      if (spec.sync() != d.sync()) {
        b.append(" --synchronous-mode ").append(spec.sync().word());
      }
      if (spec.failsafe() != d.failsafe()) {
        b.append(" --failsafe-mode ").append(spec.failsafe() ? "on" : "off");
      }
      if (plantedBug != null) {
        b.append(" --planted-bug ").append(plantedBug);
      }
      if (spec.network() == PgClusterSpec.NetworkKind.NAMESPACE) {
        b.append(" --network netns --user ").append(spec.runAsUser());
      }
      return b.toString();
    }

    /**
     * P3's bound after the last heal: the lease must run out (ttl), a loop cycle notices (loop_wait), a DCS call
     * may take its retry twice (2 * retry_timeout), and PostgreSQL must be restarted, promoted or rewound; 20 s
     * absorbs that and the shared 2-core machines.
     */
    public Duration availabilityBound() {
      return Duration.ofSeconds(spec.ttl() + spec.loopWait() + 2L * spec.retryTimeout() + 20);
    }

    /**
     * Once writes work again, how long roles may still settle before a change counts as flapping: a rejoining
     * former primary is rewound and restarted as a replica, which takes a few cycles.
     */
    public Duration settle() {
      return Duration.ofSeconds(spec.ttl() + 10);
    }
  }

  private final Settings settings;

  public StackTrial(Settings settings) {
    this.settings = settings;
  }

  @Override
  public TrialResult run(Schedule schedule, Path requested) {
    Path dir = Runs.fresh(requested);
    Runs.prepare(dir, schedule);
    PgClusterSpec spec = settings.spec().withNodes(schedule.nodes()).withBaseDir(dir.resolve("cluster"));
    if (settings.plantedBug() != null) {
      // Both variables: the daemon refuses PGQUORUM_PLANTED_BUG without the harness's own opt-in.
      spec = spec.withEnvEverywhere(PlantedBugs.VARIABLE, settings.plantedBug())
          .withEnvEverywhere(PlantedBugs.OPT_IN, PlantedBugs.OPT_IN_VALUE);
    }
    History history;
    long stableFrom;
    List<String> nodeNames = new ArrayList<>();
    try (HistoryRecorder recorder = new HistoryRecorder(System::nanoTime, dir.resolve("history.jsonl"));
        PgCluster cluster = PgCluster.start(spec)) {
      Nemesis nemesis = new Nemesis(cluster, recorder);
      nemesis.validate(schedule);
      for (int i = 0; i < cluster.size(); i++) {
        nodeNames.add(cluster.name(i));
      }
      ClientIds ids = new ClientIds();
      try (RoleObserver observer = new RoleObserver(cluster, recorder);
          DcsObserver dcs = new DcsObserver(cluster, recorder);
          EpochProbes probes = new EpochProbes(cluster, recorder, ids);
          SetWorkload set = new SetWorkload(cluster, recorder, ids, 3)) {
        observer.start();
        dcs.start();
        probes.start();
        set.start();
        try {
          nemesis.run(schedule);
        } finally {
          nemesis.healAll();
        }
        // The quiet tail is an observation window of the workload (P3 is measured inside it), not a stand-in
        // for a condition. It is stretched until roles have had `settle` to stop changing after recovery, so
        // the stability check always has a window to look at.
        long healed = recorder.now();
        waitUntil(recorder, healed + TimeUnit.MILLISECONDS.toNanos(schedule.quietMillis()));
        long recovered = firstOkAfter(recorder.history(), healed, "add");
        long bound = healed + settings.availabilityBound().toNanos();
        stableFrom = (recovered >= 0 ? recovered : bound) + settings.settle().toNanos();
        waitUntil(recorder, Math.min(stableFrom + TimeUnit.SECONDS.toNanos(10),
            bound + settings.settle().toNanos() + TimeUnit.SECONDS.toNanos(10)));
        probes.close();
        set.close();
        try {
          set.finalRead(Duration.ofSeconds(90));
        } catch (IllegalStateException e) {
          // Recorded as failed reads in the history; the set and durability checkers then answer UNKNOWN,
          // which fails the run.
        }
        observer.close();
        dcs.close();
      }
      history = recorder.history();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the cluster: " + e.getMessage(), e);
    }
    long lastHeal = Runs.lastHealNanos(history);
    List<CheckResult> results = new ArrayList<>();
    results.add(new EpochChecker().check(history));
    results.add(settings.durability().check(history));
    results.add(new SetChecker().check(history));
    results.add(new AvailabilityChecker(lastHeal, settings.availabilityBound().toNanos(), Set.of("add"))
        .check(history));
    results.add(new RoleStabilityChecker(stableFrom, nodeNames).check(history));
    TrialResult result = new TrialResult(schedule, history, results, ASSERTED, dir);
    HtmlReport.write(dir.resolve("report.html"), "pgquorum run " + schedule.name()
        + (settings.plantedBug() != null ? " (planted bug: " + settings.plantedBug() + ")" : ""), schedule,
        Runs.replay("stack" + settings.flags(), dir), history, results);
    return result;
  }

  private static long firstOkAfter(History h, long from, String f) {
    for (History.Pair p : h.pairs()) {
      if (p.outcome() == OpType.OK && p.invoke().f().equals(f) && p.completion().timeNanos() >= from) {
        return p.completion().timeNanos();
      }
    }
    return -1;
  }

  private static void waitUntil(HistoryRecorder recorder, long harnessNanos) {
    long left;
    while ((left = harnessNanos - recorder.now()) > 0) {
      try {
        Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 500)); // the window itself, see above
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted during the quiet tail", e);
      }
    }
  }
}
