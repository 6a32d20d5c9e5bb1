package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.postgres.PgState.Role;
import io.pgquorum.dcs.memory.InMemoryDcs;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Item 6 of issue 17: a replica that loses the leader race must not report a promotion. Seen on a real cluster: a
 * lower-priority node logged "promoted self to leader by acquiring session lock" and then "failed to acquire the
 * leader lock: another member took it first". Here another member takes the free lock between this node's
 * snapshot and its acquire (at the cycle's probe), with the real loop and executor on an in-memory DCS.
 */
class HaLoopRaceMessageTest {
  final InMemoryDcs dcs = new InMemoryDcs();
  final DcsKeys keys = new DcsKeys("/service/t/");
  final ClusterStore other = new ClusterStore(dcs.client("node2"), keys, "node2");
  final ClusterStore store = new ClusterStore(dcs.client("node1"), keys, "node1");
  final FakePostgres pg = new FakePostgres();
  final List<String> published = new ArrayList<>();
  final HaLoop loop = new HaLoop(TestConfigs.node("node1", LongStartTest.DYN), store, pg, new HeldLease(),
      new TaskRunner("node1", (name, work) -> work.run()), urls -> Map.of(), () -> 1_000_000_000_000L,
      Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), s -> published.add(s.message()), PlantedBugs.NONE, () -> true);

  @AfterEach
  void close() {
    dcs.close();
  }

  @Test
  void aLostRaceReportsFollowingNotAPromotion() {
    pg.state = FakePostgres.running(Role.REPLICA, 0);
    assertThat(store.writeInitialize(pg.state.systemIdentifier().orElseThrow(), Optional.empty())).isTrue();
    pg.onProbe = () -> {
      other.acquireLeader(Duration.ofHours(1));
      pg.onProbe = null;
    };

    loop.cycle(false);

    assertThat(published).containsExactly("following new leader after trying and failing to obtain lock");
    assertThat(pg.calls).as("no promotion was attempted").noneMatch(c -> c.startsWith("promote"));
  }

  @Test
  void aWonRaceReportsThePromotion() {
    pg.state = FakePostgres.running(Role.REPLICA, 0);
    assertThat(store.writeInitialize(pg.state.systemIdentifier().orElseThrow(), Optional.empty())).isTrue();

    loop.cycle(false);

    assertThat(published).containsExactly("promoted self to leader by acquiring session lock");
    assertThat(pg.calls).anyMatch(c -> c.startsWith("promote"));
  }
}
