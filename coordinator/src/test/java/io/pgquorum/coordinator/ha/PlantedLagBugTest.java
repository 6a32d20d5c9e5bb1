package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.config.Tags;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The planted bug {@code ignore-maximum-lag-on-failover} (fault-injection harness only) does exactly one thing:
 * a replica far behind the last published status races anyway. Without it, the same replica stays out of the race.
 */
class PlantedLagBugTest {
  private static final DeciderTest.S LAGGING = new DeciderTest.S().with(s -> {
    s.cluster = Optional.of(DeciderTest.withStatus(DeciderTest.initialized(), 1000 + 2_000_000));
    return s;
  });

  @Test
  void withoutTheBugALaggingReplicaDoesNotRace() {
    assertThat(Decider.whyNotHealthiest(LAGGING.cluster.get(), LAGGING.pg, DeciderTest.POLICY, Map.of()))
        .hasValueSatisfying(why -> assertThat(why).contains("maximum_lag_on_failover 1048576"));
  }

  @Test
  void withTheBugALaggingReplicaRaces() {
    HaPolicy buggy = new HaPolicy(DeciderTest.ME, Tags.none(), DeciderTest.DYN,
        PlantedBugs.of(HaBug.IGNORE_MAXIMUM_LAG_ON_FAILOVER));
    assertThat(Decider.whyNotHealthiest(LAGGING.cluster.get(), LAGGING.pg, buggy, Map.of())).isEmpty();
  }
}
