package io.pgquorum.jepsen.properties;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.gen.GeneratorSettings;
import io.pgquorum.jepsen.gen.PropertyRun;
import io.pgquorum.jepsen.gen.ScheduleGenerator;
import io.pgquorum.jepsen.runner.StackTrial;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * P1 (at most one writable primary, epoch checker), P2 (every acknowledged write lost only inside the failover
 * window maximum_lag_on_failover allows, durability checker) and P3 (writes return within the bound after the last
 * heal, no flapping afterwards) against real daemons and real PostgreSQL 15 on loopback proxies. Seeds are fresh
 * on every run ({@link PropertyRun#baseSeed}, printed; {@code -Djepsen.baseSeed} / {@code -Djepsen.seed} replay). The
 * default tier replays the saved regression schedules (isolating the primary; SIGSTOP of the primary's daemon for
 * longer than the lease, which the lease watchdog must fence); the long profile also runs generated schedules (one
 * from the base seed, then a campaign over every fault kind) and replays every saved schedule. Why the generated
 * schedule is in the long tier: each full-stack trial costs 75-100 s of the default build, and the default tier
 * still runs full-stack trials in {@code runner.CampaignIT} (the planted P1 and P2 bugs must go red there).
 */
class StackPropertiesIT {
  static final String PROPERTY = "stack";
  /** The long campaign draws from another range than the default tier, so the two add up. */
  static final long LONG_OFFSET = 2_000_000;

  private static TrialRunner runner() {
    return new TrialRunner(PROPERTY, new StackTrial(StackTrial.Settings.defaults()));
  }

  @Test
  void savedRegressionSchedulesStillPass() throws Exception {
    List<Schedule> saved = TrialRunner.regressions(PROPERTY, false);
    assertThat(saved).as("regression schedules for " + PROPERTY).isNotEmpty();
    PropertyRun.replay(PROPERTY, saved, runner());
  }

  @Test
  @Tag("long")
  void oneSeededSchedule() {
    ScheduleGenerator gen = new ScheduleGenerator(GeneratorSettings.fullStack(3));
    assertThat(PropertyRun.check(PROPERTY, PropertyRun.seeds(PropertyRun.baseSeed(), 1), gen, runner(),
        TrialRunner.REGRESSIONS, 4).passed()).isTrue();
  }

  @Test
  @Tag("long")
  void everySavedScheduleIncludingLongOnes() throws Exception {
    PropertyRun.replay(PROPERTY, TrialRunner.regressions(PROPERTY, true), runner());
  }

  @Test
  @Tag("long")
  void longCampaign() {
    ScheduleGenerator gen = new ScheduleGenerator(GeneratorSettings.fullStack(3));
    assertThat(PropertyRun.check(PROPERTY, PropertyRun.seeds(PropertyRun.baseSeed() + LONG_OFFSET, 40), gen, runner(),
        TrialRunner.REGRESSIONS, 10).passed()).isTrue();
  }
}
