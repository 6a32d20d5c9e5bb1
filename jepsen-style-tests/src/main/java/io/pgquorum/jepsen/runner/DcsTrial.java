package io.pgquorum.jepsen.runner;

import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.jepsen.checker.AvailabilityChecker;
import io.pgquorum.jepsen.checker.CheckResult;
import io.pgquorum.jepsen.checker.LinearizabilityChecker;
import io.pgquorum.jepsen.checker.LockModel;
import io.pgquorum.jepsen.checker.RegisterModel;
import io.pgquorum.jepsen.dcs.DcsTestbed;
import io.pgquorum.jepsen.dcs.LockWorkload;
import io.pgquorum.jepsen.dcs.RegisterWorkload;
import io.pgquorum.jepsen.dcs.Workloads;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.nemesis.Nemesis;
import io.pgquorum.jepsen.report.HtmlReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * P4 at the DCS level: real Ratis members (one JVM each, per-link faults), register and lock workloads from the
 * harness, the schedule's faults, then linearizability per key for both workloads and availability after the
 * last heal.
 *
 * <p>Availability bound: after the network heals, a majority elects a leader within a few election timeouts
 * (about 1-2 s with the DCS defaults) and the clients' next attempt (2 s operation timeout) succeeds; 15 s leaves
 * room for a member restarted under a skewed clock and for the shared 2-core machines.
 */
public final class DcsTrial implements Trial {
  /** See the class comment. */
  public static final Duration AVAILABILITY_BOUND = Duration.ofSeconds(15);
  static final String REGISTER = "linearizable(dcs-register)";
  static final String LOCK = "linearizable(dcs-lock)";

  private final int registerClients;
  private final int lockClients;

  public DcsTrial() {
    this(10, 5);
  }

  public DcsTrial(int registerClients, int lockClients) {
    this.registerClients = registerClients;
    this.lockClients = lockClients;
  }

  @Override
  public TrialResult run(Schedule schedule, Path requested) {
    Path dir = Runs.fresh(requested);
    Runs.prepare(dir, schedule);
    History history;
    try (HistoryRecorder recorder = new HistoryRecorder(System::nanoTime, dir.resolve("history.jsonl"));
        DcsTestbed testbed = DcsTestbed.start(schedule.nodes(), dir.resolve("cluster"))) {
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
      Workloads.ProcessIds ids = new Workloads.ProcessIds();
      long duration = schedule.totalMillis();
      Runs.Background roles = Runs.background("raft-role-observer", () -> observeRoles(testbed, recorder,
          duration));
      Runs.Background r = Runs.background("register-workload", () -> Workloads.run(recorder, reg,
          RegisterWorkload.defaults(), duration, schedule.seed(), ids));
      Runs.Background l = Runs.background("lock-workload", () -> Workloads.run(recorder, lock,
          LockWorkload.defaults(), duration, schedule.seed() + 7919, ids));
      try {
        nemesis.run(schedule);
      } finally {
        nemesis.healAll();
      }
      r.join(duration + 180_000);
      l.join(duration + 180_000);
      roles.join(duration + 180_000);
      history = recorder.history();
    }
    List<CheckResult> results = List.of(
        new LinearizabilityChecker("dcs-register", RegisterModel::empty,
            op -> op.key() != null && op.key().startsWith("jepsen/register")).check(history),
        new LinearizabilityChecker("dcs-lock", LockModel::free,
            op -> op.key() != null && op.key().startsWith("jepsen/lock")).check(history),
        new AvailabilityChecker(Runs.lastHealNanos(history), AVAILABILITY_BOUND.toNanos(),
            Set.of("write", "cas", "acquire", "release")).check(history));
    TrialResult result = new TrialResult(schedule, history, results,
        Set.of(REGISTER, LOCK, "availability"), dir);
    HtmlReport.write(dir.resolve("report.html"), "DCS run " + schedule.name(), schedule,
        Runs.replay("dcs", dir), history, results);
    return result;
  }

  /**
   * Records each member's Raft role as the report's node lanes: "primary" for a member that claims leadership,
   * "replica" for a live follower, "stopped" for a killed or paused one; only changes are recorded.
   */
  private static void observeRoles(DcsTestbed testbed, HistoryRecorder recorder, long durationMillis) {
    long end = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(durationMillis);
    String[] last = new String[testbed.size()];
    while (System.nanoTime() < end) {
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
