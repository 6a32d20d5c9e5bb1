package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.config.Tags;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The planted bugs that break the liveness properties (fault-injection harness only) do exactly one thing each:
 * {@code replicas-never-race} keeps a healthy replica out of the leader race, {@code flapping-leader} makes a healthy
 * holder hand its lock back once per period. Without them the same inputs race and keep the lock.
 */
class PlantedStabilityBugsTest {
  private static HaPolicy with(HaBug bug) {
    return new HaPolicy(DeciderTest.ME, Tags.none(), DeciderTest.DYN, PlantedBugs.of(bug));
  }

  @Test
  void replicasNeverRaceKeepsAHealthyReplicaOutOfTheRace() {
    DeciderTest.S unlocked = new DeciderTest.S(); // initialized cluster, no leader, a healthy running replica
    assertThat(unlocked.decide().actions()).contains(DeciderTest.acquire());
    Decision buggy = unlocked.with(s -> {
      s.policy = with(HaBug.REPLICAS_NEVER_RACE);
      return s;
    }).decide();
    assertThat(buggy.actions()).isEmpty();
    assertThat(buggy.message()).isEqualTo("following a different leader (PLANTED BUG replicas-never-race)");
  }

  @Test
  void flappingLeaderHandsTheLockBackOncePerPeriod() {
    long period = Decider.FLAP_PERIOD_SECONDS * 1_000_000_000L;
    long flapSecond = 1000 * period;            // a second whose index is a multiple of the period
    long otherSecond = flapSecond + 1_500_000_000L;
    DeciderTest.S holder = new DeciderTest.S().with(s -> {
      s.cluster = Optional.of(DeciderTest.withLeader(DeciderTest.initialized(), DeciderTest.ME, 7));
      s.pg = DeciderTest.primary(5000, 1);
      s.policy = with(HaBug.FLAPPING_LEADER);
      return s;
    });
    Decision flap = Decider.decide(holder.cluster, holder.local(), holder.policy, holder.peers, flapSecond);
    assertThat(flap.actions()).containsExactly(new Action.Demote(StopMode.IMMEDIATE), new Action.ReleaseLock());
    Decision keep = Decider.decide(holder.cluster, holder.local(), holder.policy, holder.peers, otherSecond);
    assertThat(keep.message()).startsWith("no action. I am (" + DeciderTest.ME + "), the leader with the lock");
    DeciderTest.S healthy = holder.with(s -> {
      s.policy = DeciderTest.POLICY;
      return s;
    });
    assertThat(Decider.decide(healthy.cluster, healthy.local(), healthy.policy, healthy.peers, flapSecond)
        .actions()).doesNotContain(new Action.ReleaseLock());
    assertThat(List.of(HaBug.REPLICAS_NEVER_RACE.breaks(), HaBug.FLAPPING_LEADER.breaks()))
        .containsExactly("availability", "role-stability");
  }
}
