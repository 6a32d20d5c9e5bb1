package io.pgquorum.jepsen.properties;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.checker.Verdict;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.ScheduleJson;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import io.pgquorum.jepsen.nemesis.Nemesis;
import io.pgquorum.jepsen.runner.StackTrial;
import io.pgquorum.jepsen.runner.TrialResult;
import io.pgquorum.jepsen.stack.PgClusterSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Proof that the properties can fail, long tier: the remaining planted bugs (PGQUORUM_PLANTED_BUG in the daemons)
 * must turn the epoch checker (P1) red on the schedule that exposes them, and a clock beyond the documented drift
 * bound must turn it red without any bug (P5). If one of these passes, the harness has stopped seeing what it
 * claims to see, and the build fails. The cheapest planted bug per property ({@code skip-demote-on-lost-lease}
 * for P1, {@code ignore-maximum-lag-on-failover} for P2) runs in the default tier, in {@code runner.CampaignIT}.
 * {@code sync-before-synchronous} (P2 under {@code synchronous_mode: on}) runs here, with the same schedule
 * without the bug as its control.
 */
@Tag("long")
class PlantedBugsIT {

  private static TrialResult run(String file, String bug) {
    return runWith(file, StackTrial.Settings.defaults().withPlantedBug(bug));
  }

  private static TrialResult runWith(String file, StackTrial.Settings settings) {
    Schedule s = ScheduleJson.load(TrialRunner.PLANTED.resolve(file));
    return new TrialRunner("planted", new StackTrial(settings)).result(s);
  }

  private static StackTrial.Settings synchronousOn(String bug) {
    return StackTrial.Settings.defaults().withSynchronousMode(PgClusterSpec.SyncMode.ON).withPlantedBug(bug);
  }

  private static void assertEpochRed(TrialResult r) {
    assertThat(r.result("epoch").verdict())
        .as("the epoch checker must see two writable primaries in %s:%n%s", r.dir(), r.summary())
        .isEqualTo(Verdict.INVALID);
    assertThat(r.passed()).isFalse();
  }

  @Test
  void missingWatchdogIsCaughtWhenThePrimaryDaemonIsFrozen() {
    assertEpochRed(run("no-watchdog.json", "no-watchdog"));
  }

  @Test
  void leaseWithoutDriftMarginIsCaughtUnderASlowClock() {
    assertEpochRed(run("lease-ignores-drift.json", "lease-ignores-drift"));
  }

  @Test
  void aClockBeyondTheDocumentedBoundBreaksSafety() {
    assertEpochRed(run("beyond-bound-clock-0.4.json", null));
  }

  /**
   * {@code planted/sync-before-synchronous.json} under {@code synchronous_mode: on} (docs/properties.md, P2): the
   * WAL sender to one replica stalls while the other is the synchronous standby; the synchronous one's PostgreSQL
   * is killed, so the primary moves the duty to the stalled one, then frozen (so that no catch-up before promotion
   * can fetch the commits from it); then the primary is isolated. With the bug the key names the stalled replica at
   * once and it is promoted without the commits acknowledged since the stall.
   */
  @Test
  void syncKeyNamingAnUnconfirmedStandbyLosesAcknowledgedWrites() {
    TrialResult r = runWith("sync-before-synchronous.json", synchronousOn("sync-before-synchronous"));
    assertThat(r.result("durability").verdict())
        .as("the synchronous durability checker must see acknowledged writes lost in %s:%n%s", r.dir(), r.summary())
        .isEqualTo(Verdict.INVALID);
    assertThat(r.passed()).isFalse();
  }

  /**
   * The control: the same schedule without the bug passes (the stalled replica is never confirmed, so nobody but
   * the old primary may take over and the cluster waits for it). Without this, the red above could come from the
   * schedule rather than from the bug.
   */
  @Test
  void theSameScheduleWithoutTheBugLosesNothing() {
    TrialResult r = runWith("sync-before-synchronous.json", synchronousOn(null));
    assertThat(r.passed()).as("without the bug every asserted checker must be VALID in %s:%n%s", r.dir(),
        r.summary()).isTrue();
  }

  /**
   * failsafe_mode on, ttl 12 (as in the coordinator's FailsafeModeIT: a failsafe round on this loaded 2-core machine
   * can take longer than the one second ttl 8 leaves, and a primary fenced by a slow round proves nothing about the
   * promises).
   */
  private static StackTrial.Settings failsafe(String bug) {
    return StackTrial.Settings.defaults().withTtl(12).withFailsafeMode(true).withPlantedBug(bug);
  }

  /**
   * {@code planted/failsafe-ignores-promise.json}: the primary's DCS links alone are cut (REST and replication stay),
   * so it runs on failsafe while the two replicas keep a DCS majority and see its lock expire (ttl 12, about 18 s
   * in); at 20 s it is cut off entirely, so that the replicas' race no longer sees it alive (while they reach its
   * REST API, "Primary (...) is still alive" holds them back, bug or not). With the bug a replica races despite its
   * promise and promotes while the old primary still takes writes on the lease of its last round.
   */
  @Test
  void aReplicaRacingDespiteItsFailsafePromiseMakesTwoPrimaries() {
    assertEpochRed(runWith("failsafe-ignores-promise.json", failsafe("failsafe-ignores-promise")));
  }

  /** The control: the same cut without the bug keeps one primary (the replicas keep their promises). */
  @Test
  void theSameDcsCutWithoutTheBugKeepsOnePrimary() {
    TrialResult r = runWith("failsafe-ignores-promise.json", failsafe(null));
    assertThat(r.passed()).as("without the bug every asserted checker must be VALID in %s:%n%s", r.dir(),
        r.summary()).isTrue();
  }

  /**
   * {@code planted/failsafe-dcs-outage.json}: every daemon is cut off the DCS (each Raft member alone) while the
   * members still reach each other; the primary rides the outage out on failsafe. No planted bug can show here that
   * a replica breaks its promise: without a DCS majority nobody can take the lock, promise or not.
   */
  @Test
  void aDcsOutageOfEveryDaemonIsRiddenOutOnFailsafe() {
    TrialResult r = runWith("failsafe-dcs-outage.json", failsafe(null));
    assertThat(r.passed()).as("every asserted checker must be VALID in %s:%n%s", r.dir(), r.summary()).isTrue();
    // Writes acknowledged more than 1.5 ttl after the cut began, before it healed: without failsafe the primary's
    // lease (ttl - retry_timeout after its last refresh) would have fenced it by then, so these show it ran on.
    List<Op> nemesis = r.history().byProcess(Nemesis.PROCESS);
    long cut = nemesis.stream().filter(op -> op.f().startsWith("start-")).mapToLong(Op::timeNanos).min()
        .orElseThrow();
    long healed = nemesis.stream().filter(op -> op.f().startsWith("stop-")).mapToLong(Op::timeNanos).min()
        .orElseThrow();
    long fencedBy = cut + Duration.ofSeconds(18).toNanos();
    long during = r.history().pairs().stream().filter(p -> p.outcome() == OpType.OK && p.invoke().f().equals("add")
        && p.completion().timeNanos() > fencedBy && p.completion().timeNanos() < healed).count();
    assertThat(during).as("writes acknowledged on failsafe 18 s into the DCS outage, in %s", r.dir()).isPositive();
  }
}
