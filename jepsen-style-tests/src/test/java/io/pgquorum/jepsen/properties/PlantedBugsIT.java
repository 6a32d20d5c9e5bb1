package io.pgquorum.jepsen.properties;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.checker.Verdict;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.ScheduleJson;
import io.pgquorum.jepsen.runner.StackTrial;
import io.pgquorum.jepsen.runner.TrialResult;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Proof that the properties can fail, long tier: the remaining planted bugs (PGQUORUM_PLANTED_BUG in the daemons)
 * must turn the epoch checker (P1) red on the schedule that exposes them, and a clock beyond the documented drift
 * bound must turn it red without any bug (P5). If one of these passes, the harness has stopped seeing what it
 * claims to see, and the build fails. The cheapest planted bug per property ({@code skip-demote-on-lost-lease}
 * for P1, {@code ignore-maximum-lag-on-failover} for P2) runs in the default tier, in {@code runner.CampaignIT}.
 */
@Tag("long")
class PlantedBugsIT {

  private static TrialResult run(String file, String bug) {
    Schedule s = ScheduleJson.load(TrialRunner.PLANTED.resolve(file));
    StackTrial.Settings settings = StackTrial.Settings.defaults().withPlantedBug(bug);
    return new TrialRunner("planted", new StackTrial(settings)).result(s);
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
}
