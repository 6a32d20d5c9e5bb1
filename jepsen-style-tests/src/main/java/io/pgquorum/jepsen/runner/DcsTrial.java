package io.pgquorum.jepsen.runner;

import io.pgquorum.dcs.lease.LeaseTracker;
import io.pgquorum.dcs.planted.DcsBug;
import io.pgquorum.dcs.planted.PlantedBugs;
import io.pgquorum.dcs.ratis.LeaseRefreshMode;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.jepsen.checker.AvailabilityChecker;
import io.pgquorum.jepsen.checker.CheckResult;
import io.pgquorum.jepsen.checker.LeaseExpiryChecker;
import io.pgquorum.jepsen.checker.LeaseModel;
import io.pgquorum.jepsen.checker.LinearizabilityChecker;
import io.pgquorum.jepsen.checker.LockModel;
import io.pgquorum.jepsen.checker.RegisterModel;
import io.pgquorum.jepsen.dcs.DcsTestbed;
import io.pgquorum.jepsen.dcs.LeaseWorkload;
import io.pgquorum.jepsen.dcs.LockWorkload;
import io.pgquorum.jepsen.dcs.RegisterWorkload;
import io.pgquorum.jepsen.dcs.Workloads;
import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import io.pgquorum.jepsen.nemesis.Nemesis;
import io.pgquorum.jepsen.report.HtmlReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * P4 and P6 at the DCS level: real Ratis members (one JVM each, per-link faults), register, lock and lease
 * workloads from the harness, the schedule's faults, then linearizability per key for all three workloads, the
 * lease guarantee ({@link LeaseExpiryChecker}: no lease gone before {@code ttl (1+rho)/((1-rho) maxRate)} after
 * the invocation of its last acknowledged refresh, {@code maxRate} being the fastest member clock the schedule
 * sets) and availability after the last heal.
 *
 * <p>Planted bugs ({@link DcsBug}, harness only): {@link #DcsTrial(PlantedBugs)} plants them in every member and
 * in the harness's clients ({@link DcsTestbed#start(int, Path, PlantedBugs)}); the checker each one breaks is
 * named by {@link DcsBug#breaks()}. A trial with planted bugs starts its schedule only once a lease client holds a
 * lease ({@link #awaitHeldLease}); one without starts it as soon as a member claims leadership, so the campaigns'
 * and property tests' timing is unchanged.
 *
 * <p>Availability bound: after the network heals, a majority elects a leader within a few election timeouts
 * (about 1-2 s with the DCS defaults) and the clients' next attempt (2 s operation timeout) succeeds; 15 s leaves
 * room for a member restarted under a skewed clock and for the shared 2-core machines.
 */
public final class DcsTrial implements Trial {
  /** See the class comment. */
  public static final Duration AVAILABILITY_BOUND = Duration.ofSeconds(15);
  public static final String REGISTER = "linearizable(dcs-register)";
  public static final String LOCK = "linearizable(dcs-lock)";
  public static final String LEASE = "linearizable(dcs-lease)";
  public static final String LEASE_EXPIRY = "lease-expiry(dcs-lease)";
  /** The members' clock-rate drift bound (they run {@code DcsTuning.defaults()}). */
  static final double RHO = LeaseTracker.DEFAULT_MAX_CLOCK_RATE_DRIFT;

  private final int registerClients;
  private final int lockClients;
  private final int leaseClients;
  private final PlantedBugs bugs;
  private final LeaseRefreshMode leaseRefresh;
  private final LeaseWorkload leaseWorkload = LeaseWorkload.defaults();

  public DcsTrial() {
    this(10, 5, 6, PlantedBugs.NONE);
  }

  /** The default clients, with {@code bugs} planted (fault-injection proofs only). */
  public DcsTrial(PlantedBugs bugs) {
    this(10, 5, 6, bugs);
  }

  public DcsTrial(int registerClients, int lockClients, int leaseClients, PlantedBugs bugs) {
    this(registerClients, lockClients, leaseClients, bugs, LeaseRefreshMode.DURABLE);
  }

  /** The default clients, members and clients refreshing leases in {@code leaseRefresh} mode (issue 15). */
  public DcsTrial(PlantedBugs bugs, LeaseRefreshMode leaseRefresh) {
    this(10, 5, 6, bugs, leaseRefresh);
  }

  public DcsTrial(int registerClients, int lockClients, int leaseClients, PlantedBugs bugs,
      LeaseRefreshMode leaseRefresh) {
    this.registerClients = registerClients;
    this.lockClients = lockClients;
    this.leaseClients = leaseClients;
    this.bugs = bugs;
    this.leaseRefresh = leaseRefresh;
  }

  /**
   * The fastest clock rate any member runs at during {@code schedule}: 1.0 (members start at real time and return
   * to it) or the largest clock-skew rate.
   */
  public static double maxClockRate(Schedule schedule) {
    double max = 1.0;
    for (var step : schedule.steps()) {
      if (step.fault() instanceof Fault.ClockSkew c) {
        max = Math.max(max, c.rate());
      }
    }
    return max;
  }

  /**
   * Waits until the history holds an acknowledged lease acquisition, polling the recorder, or throws after
   * {@code timeout}. Why, for planted-bug trials only: a planted bug must be given its chance, and the lease bugs
   * need a lease held when the schedule's cut comes. A member's claim of leadership (what {@link
   * DcsTestbed#awaitLeader} waits for) is not enough on a loaded machine: in a full build's parallel ITs the first
   * leader, elected while a member was still starting, committed nothing for seconds and lost its term, the cut came
   * before any lease was acquired, and {@code refresh-without-leadership-check} stayed green. Bug-free trials do not
   * wait (a wait on a group commit for every trial once shifted {@code DcsLinearizabilityTest}'s timing enough to
   * leave it without a lease expiry to observe).
   */
  static void awaitHeldLease(HistoryRecorder recorder, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (recorder.history().ops().stream().noneMatch(DcsTrial::acquiredLease)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no lease client acquired a lease within " + timeout.toSeconds()
            + " s of the DCS group electing a leader: the planted bug's schedule would have no lease to act on");
      }
      try {
        Thread.sleep(50); // a poll interval, not a condition: the loop's condition is the acknowledged acquisition
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a held lease", e);
      }
    }
  }

  private static boolean acquiredLease(Op op) {
    return op.type() == OpType.OK && "acquire".equals(op.f()) && op.key() != null
        && op.key().startsWith(LeaseWorkload.KEY_PREFIX);
  }

  @Override
  public TrialResult run(Schedule schedule, Path requested) {
    Path dir = Runs.fresh(requested);
    Runs.prepare(dir, schedule);
    History history;
    try (HistoryRecorder recorder = new HistoryRecorder(System::nanoTime, dir.resolve("history.jsonl"));
        DcsTestbed testbed = DcsTestbed.start(schedule.nodes(), dir.resolve("cluster"), bugs, leaseRefresh)) {
      testbed.keepFiles(true); // under the run directory: the member logs belong to the evidence
      testbed.awaitLeader(Duration.ofSeconds(60));
      Nemesis nemesis = new Nemesis(testbed, recorder);
      nemesis.validate(schedule);
      List<RatisDcsClient> reg = new ArrayList<>();
      for (int i = 0; i < registerClients; i++) {
        reg.add(testbed.client("reg-" + i));
      }
      List<RatisDcsClient> lock = new ArrayList<>();
      for (int i = 0; i < lockClients; i++) {
        lock.add(testbed.client("lock-" + i));
      }
      List<RatisDcsClient> lease = new ArrayList<>();
      for (int i = 0; i < leaseClients; i++) {
        lease.add(testbed.client("lease-" + i));
      }
      Workloads.ProcessIds ids = new Workloads.ProcessIds();
      long duration = schedule.totalMillis();
      // The workloads and the role observer run until quietMillis after the nemesis really healed, not after the
      // schedule's planned end: applying or reverting a fault can take longer than planned (a clock-skew step
      // restarts a member JVM under libfaketime and back; on a loaded machine that took ~20 s), and a run that
      // stopped at the planned end then had no observation window after the heal at all (seen in the long
      // campaign: availability UNKNOWN, "history ends 0.0 s after the last heal"). The stack trial does the same.
      AtomicLong stopAt = new AtomicLong(Long.MAX_VALUE);
      BooleanSupplier stop = () -> System.nanoTime() >= stopAt.get();
      Runs.Background roles = Runs.background("raft-role-observer", () -> observeRoles(testbed, recorder, stop));
      Runs.Background r = Runs.background("register-workload", () -> Workloads.runUntil(recorder, reg,
          RegisterWorkload.defaults(), stop, schedule.seed(), ids));
      Runs.Background l = Runs.background("lock-workload", () -> Workloads.runUntil(recorder, lock,
          LockWorkload.defaults(), stop, schedule.seed() + 7919, ids));
      Runs.Background ls = leaseClients == 0 ? null : Runs.background("lease-workload", () -> Workloads.runUntil(
          recorder, lease, leaseWorkload, stop, schedule.seed() + 104729, ids));
      try {
        if (!bugs.isEmpty() && ls != null) {
          awaitHeldLease(recorder, Duration.ofSeconds(60));
        }
        nemesis.run(schedule);
      } finally {
        try {
          nemesis.healAll();
        } finally {
          stopAt.set(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(schedule.quietMillis()));
        }
      }
      r.join(duration + 180_000);
      l.join(duration + 180_000);
      if (ls != null) {
        ls.join(duration + 180_000);
      }
      roles.join(duration + 180_000);
      history = recorder.history();
    }
    List<CheckResult> results = new ArrayList<>(List.of(
        new LinearizabilityChecker("dcs-register", RegisterModel::empty,
            op -> op.key() != null && op.key().startsWith("jepsen/register")).check(history),
        new LinearizabilityChecker("dcs-lock", LockModel::free,
            op -> op.key() != null && op.key().startsWith("jepsen/lock")).check(history)));
    Set<String> asserted = new HashSet<>(Set.of(REGISTER, LOCK, "availability"));
    if (leaseClients > 0) {
      Predicate<Op> leaseOps = op -> op.key() != null && op.key().startsWith(LeaseWorkload.KEY_PREFIX);
      results.add(new LinearizabilityChecker("dcs-lease", LeaseModel::free, leaseOps).check(history));
      results.add(new LeaseExpiryChecker("dcs-lease", leaseOps, leaseWorkload.ttl().toNanos(),
          LeaseExpiryChecker.guaranteedFactor(RHO, maxClockRate(schedule))).check(history));
      asserted.addAll(Set.of(LEASE, LEASE_EXPIRY));
    }
    results.add(new AvailabilityChecker(Runs.lastHealNanos(history), AVAILABILITY_BOUND.toNanos(),
        Set.of("write", "cas", "acquire", "release")).check(history));
    TrialResult result = new TrialResult(schedule, history, results, asserted, dir);
    String planted = bugs.isEmpty() ? "" : " --planted-bug " + String.join(",", bugs.ids());
    HtmlReport.write(dir.resolve("report.html"), "DCS run " + schedule.name()
        + (leaseRefresh == LeaseRefreshMode.DURABLE ? "" : " (leader-local lease refresh)")
        + (bugs.isEmpty() ? "" : " (planted bug: " + String.join(",", bugs.ids()) + ")"), schedule,
        Runs.replay("dcs" + planted, dir), history, results);
    return result;
  }

  /**
   * Records each member's Raft role as the report's node lanes: "primary" for a member that claims leadership,
   * "replica" for a live follower, "stopped" for a killed or paused one; only changes are recorded.
   */
  private static void observeRoles(DcsTestbed testbed, HistoryRecorder recorder, BooleanSupplier stop) {
    String[] last = new String[testbed.size()];
    while (!stop.getAsBoolean()) {
      for (int i = 0; i < testbed.size(); i++) {
        String role = !testbed.isRunning(i) || testbed.isPaused(i) ? "stopped"
            : testbed.claimsLeadership(i) ? "primary" : "replica";
        if (!role.equals(last[i])) {
          last[i] = role;
          recorder.record(io.pgquorum.jepsen.history.Op.of(DcsTestbed.name(i),
              io.pgquorum.jepsen.history.OpType.INFO, "role", null, role, DcsTestbed.name(i), null));
        }
      }
      try {
        Thread.sleep(100); // sampling interval of an observer
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
