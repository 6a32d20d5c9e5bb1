package io.pgquorum.jepsen.properties;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.planted.PlantedBugs;
import io.pgquorum.dcs.ratis.LeaseRefreshMode;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.gen.GeneratorSettings;
import io.pgquorum.jepsen.gen.PropertyRun;
import io.pgquorum.jepsen.gen.ScheduleGenerator;
import io.pgquorum.jepsen.runner.DcsTrial;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * P4 against real Ratis members: the DCS key-value store and the leader lock stay linearizable, and writes come
 * back after the last fault heals, under generated schedules of every fault kind the DCS testbed supports
 * (partitions of every shape, kill -9 / restart and SIGSTOP of members, libfaketime clock rates inside the drift
 * bound, packet loss, delay). Seeds are fresh on every run ({@link PropertyRun#baseSeed}, printed); a failing
 * seed is printed, shrunk (keeping the same checker's failure) and saved under src/test/resources/regressions;
 * replay one with {@code -Djepsen.seed=<seed>}, or the whole run with {@code -Djepsen.baseSeed=<base>}. Saved
 * regressions of every cluster size ({@code dcs-seed-*}, {@code dcs-5-seed-*}) are replayed first.
 */
class DcsPropertiesIT {
  static final String PROPERTY = "dcs";
  /** The long campaign draws from another range than the default tier, so the two add up. */
  static final long LONG_OFFSET = 1_000_000;

  /**
   * The saved regressions with durable lease refresh (every refresh a log entry: {@code raft.lease_refresh:
   * durable}), long tier: the daemons' default is leader-local, whose run of the same schedules is in the default
   * tier ({@link #leaderLocalLeaseRefreshOnSavedAndGeneratedSchedules}); the durable mode still runs a fresh generated
   * schedule in every default build, in {@code runner.CampaignIT}. About 80 s.
   */
  @Test
  @Tag("long")
  void savedRegressionSchedulesStillPassWithDurableLeaseRefresh() throws Exception {
    List<Schedule> saved = TrialRunner.regressions(PROPERTY, false);
    assertThat(saved).as("regression schedules for " + PROPERTY).isNotEmpty();
    PropertyRun.replay(PROPERTY, saved, new TrialRunner(PROPERTY, new DcsTrial()));
  }

  /**
   * Two generated schedules (durable lease refresh), long tier. The default tier still draws fresh DCS schedules
   * from the base seed: one in {@code runner.CampaignIT} (durable lease refresh, through the campaign runner, must
   * pass) and one in
   * {@link #leaderLocalLeaseRefreshOnSavedAndGeneratedSchedules}; these two more cost about a minute per build.
   */
  @Test
  @Tag("long")
  void smallSeededBatch() {
    ScheduleGenerator gen = new ScheduleGenerator(GeneratorSettings.dcs(3));
    assertThat(PropertyRun.check(PROPERTY, PropertyRun.seeds(PropertyRun.baseSeed(), 2), gen,
        new TrialRunner(PROPERTY, new DcsTrial()), TrialRunner.REGRESSIONS, 8).passed()).isTrue();
  }

  /**
   * Leader-local lease refresh, the daemons' default (issue 15): the saved DCS regressions plus one generated
   * schedule with members and clients refreshing leases without log entries; the lease register and lease-expiry
   * checkers judge it like the durable mode (leader changes, pauses and clock-rate skew are among the generated
   * faults).
   */
  @Test
  void leaderLocalLeaseRefreshOnSavedAndGeneratedSchedules() throws Exception {
    DcsTrial trial = new DcsTrial(PlantedBugs.NONE, LeaseRefreshMode.LEADER_LOCAL);
    PropertyRun.replay(PROPERTY + "-local", TrialRunner.regressions(PROPERTY, false),
        new TrialRunner(PROPERTY + "-local", trial));
    ScheduleGenerator gen = new ScheduleGenerator(GeneratorSettings.dcs(3));
    assertThat(PropertyRun.check(PROPERTY + "-local", PropertyRun.seeds(PropertyRun.baseSeed(), 1), gen,
        new TrialRunner(PROPERTY + "-local", trial), TrialRunner.REGRESSIONS, 8).passed()).isTrue();
  }

  @Test
  @Tag("long")
  void longCampaignWithLeaderLocalLeaseRefresh() {
    ScheduleGenerator gen = new ScheduleGenerator(GeneratorSettings.dcs(3));
    assertThat(PropertyRun.check(PROPERTY + "-local", PropertyRun.seeds(PropertyRun.baseSeed() + 2 * LONG_OFFSET,
        150), gen, new TrialRunner(PROPERTY + "-local", new DcsTrial(PlantedBugs.NONE, LeaseRefreshMode.LEADER_LOCAL)),
        TrialRunner.REGRESSIONS, 20).passed()).isTrue();
  }

  @Test
  @Tag("long")
  void longCampaign() {
    ScheduleGenerator gen = new ScheduleGenerator(GeneratorSettings.dcs(3));
    assertThat(PropertyRun.check(PROPERTY, PropertyRun.seeds(PropertyRun.baseSeed() + LONG_OFFSET, 150), gen,
        new TrialRunner(PROPERTY, new DcsTrial()), TrialRunner.REGRESSIONS, 20).passed()).isTrue();
  }

  @Test
  @Tag("long")
  void longCampaignOnFiveMembers() {
    ScheduleGenerator gen = new ScheduleGenerator(GeneratorSettings.dcs(5));
    assertThat(PropertyRun.check(PROPERTY + "-5", PropertyRun.seeds(PropertyRun.baseSeed() + LONG_OFFSET, 50), gen,
        new TrialRunner(PROPERTY + "-5", new DcsTrial()), TrialRunner.REGRESSIONS, 20).passed()).isTrue();
  }
}
