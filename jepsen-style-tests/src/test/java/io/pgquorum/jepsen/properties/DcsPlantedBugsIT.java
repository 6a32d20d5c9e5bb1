package io.pgquorum.jepsen.properties;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.planted.DcsBug;
import io.pgquorum.dcs.planted.PlantedBugs;
import io.pgquorum.dcs.ratis.LeaseRefreshMode;
import io.pgquorum.jepsen.checker.CheckResults;
import io.pgquorum.jepsen.checker.Verdict;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.ScheduleJson;
import io.pgquorum.jepsen.runner.DcsTrial;
import io.pgquorum.jepsen.runner.TrialResult;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Proof, in the default {@code ./mvnw -B verify} run, that the DCS checkers can fail: each DCS planted bug
 * ({@link DcsBug}, planted in every member JVM through {@code PGQUORUM_PLANTED_BUG} with the harness opt-in, and
 * in the harness's Ratis clients) must turn the checker it breaks ({@link DcsBug#breaks()}) red on its saved
 * schedule ({@code src/test/resources/planted/<id>.json}, about 20 s each). If one stays green, the build fails:
 * the harness would have stopped seeing what it claims to see.
 *
 * <ul>
 *   <li>{@code early-expiry}: leases vanish after half their ttl; holders refreshing 0.25-0.6 ttl apart lose them
 *       and observers see them gone, which {@code lease-expiry(dcs-lease)} must flag;
 *   <li>{@code stale-read}: "linearizable" reads are answered by each client's local member without ReadIndex;
 *       with a follower cut off from the majority, the clients whose local member it is read old values that
 *       other clients have already overwritten, which {@code linearizable(dcs-register)} must flag (the long tier
 *       also isolates the old leader instead).
 *   <li>{@code refresh-without-leadership-check} (members and clients in leader-local lease refresh mode): the
 *       isolated old Raft leader keeps answering its clients' refreshes from its own state, while the new leader
 *       expires those leases a ttl after its election; {@code lease-expiry(dcs-lease)} must flag it. The cut lasts
 *       12 s: with 6 s, a loaded machine (a full build's parallel ITs) once let the majority's first leader lose its
 *       term after 1.5 s, before any lease ran out, and the next election outlasted the cut. And the schedule starts
 *       only once a lease client holds a lease ({@code DcsTrial.awaitHeldLease}): a first leader that committed
 *       nothing for seconds once let the cut come before any lease was acquired.
 * </ul>
 *
 * <p>{@code read-index-only} (reads confirmed by Ratis' ReadIndex alone) has no saved schedule: its window needs a
 * write-free round trip just before the old leader is cut off, which these clients' continuous writes rarely leave.
 * {@code raft-dcs}'s {@code PlantedDcsBugsTest} proves it on real members instead. The full-stack planted bugs are
 * {@code PlantedBugsIT}'s.
 */
class DcsPlantedBugsIT {

  private static void assertRed(DcsBug bug) {
    assertRed(bug, bug.id() + ".json");
  }

  private static void assertRed(DcsBug bug, String file) {
    assertRed(bug, file, LeaseRefreshMode.DURABLE);
  }

  private static void assertRed(DcsBug bug, String file, LeaseRefreshMode leaseRefresh) {
    Schedule s = ScheduleJson.load(TrialRunner.PLANTED.resolve(file));
    TrialResult r = new TrialRunner("planted-dcs", new DcsTrial(PlantedBugs.of(bug), leaseRefresh)).result(s);
    assertThat(r.result(bug.breaks()).verdict())
        .as("planted bug %s must turn %s red in %s:%n%s", bug.id(), bug.breaks(), r.dir(),
            CheckResults.describe(r.result(bug.breaks())))
        .isEqualTo(Verdict.INVALID);
    assertThat(r.passed()).isFalse();
  }

  @Test
  void earlyExpiryTurnsTheLeaseExpiryCheckerRed() {
    assertRed(DcsBug.EARLY_EXPIRY);
  }

  @Test
  void staleReadTurnsTheRegisterLinearizabilityCheckerRed() {
    assertRed(DcsBug.STALE_READ);
  }

  @Test
  void refreshWithoutLeadershipCheckTurnsTheLeaseExpiryCheckerRed() {
    assertRed(DcsBug.REFRESH_WITHOUT_LEADERSHIP_CHECK, DcsBug.REFRESH_WITHOUT_LEADERSHIP_CHECK.id() + ".json",
        LeaseRefreshMode.LEADER_LOCAL);
  }

  /**
   * The same bug with the old Raft leader isolated instead of a follower: red as well (every workload's keys), but
   * the writes in flight to the old leader end with unknown outcomes, and proving a register key with those
   * non-linearizable takes the search minutes; hence the long tier.
   */
  @Test
  @Tag("long")
  void staleReadOnAnIsolatedOldLeaderTurnsTheRegisterLinearizabilityCheckerRed() {
    assertRed(DcsBug.STALE_READ, "stale-read-isolate-leader.json");
  }
}
