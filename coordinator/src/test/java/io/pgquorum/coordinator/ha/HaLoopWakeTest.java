package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.dcs.memory.InMemoryDcs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's event-driven loop, a replica's side: between loop_wait ticks it waits on the DCS, and the wait ends
 * when the leader key, a request, the configuration or the sync key changes, not only the leader key. The real
 * loop on its own thread, real time, an in-memory DCS; loop_wait 30 s, so a cycle within a few seconds of the
 * change can only be that wake.
 */
class HaLoopWakeTest {
  static final DynamicConfig SLOW = new DynamicConfig(90, 30, 10, 1_048_576, 300, true, true, Map.of(), List.of(),
      Map.of());

  final InMemoryDcs dcs = new InMemoryDcs();
  final DcsKeys keys = new DcsKeys("/service/t/");
  final ClusterStore leaderStore = new ClusterStore(dcs.client("node2"), keys, "node2");
  final ClusterStore store = new ClusterStore(dcs.client("node1"), keys, "node1");
  final FakePostgres pg = new FakePostgres();
  final AtomicInteger probes = new AtomicInteger();
  final List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
  final HaLoop loop = new HaLoop(TestConfigs.node("node1", SLOW), store, pg, new HeldLease(), new TaskRunner("node1"),
      urls -> Map.of(), System::nanoTime, s -> messages.add(s.message()));
  final Thread thread = new Thread(loop, "ha-loop-wake-test");

  @AfterEach
  void stop() throws InterruptedException {
    loop.halt();
    dcs.client("node2").put(keys.failover(), "{}"); // ends the replica's wait on the DCS
    thread.join(10_000);
    dcs.close();
  }

  @Test
  void aReplicaWakesWhenTheConfigurationChangesNotOnlyAtLoopWait() {
    leaderStore.acquireLeader(Duration.ofHours(1)).orElseThrow();
    leaderStore.touchMember(Map.of("conn_url", "postgres://127.0.0.1:5433/postgres"), Duration.ofHours(1));
    assertThat(leaderStore.writeConfigIfAbsent(SLOW)).isTrue();
    // A replica streaming from node2 as node2 publishes itself: nothing to do, so nothing wakes it but the DCS.
    pg.state = new PgStateBuilder().withCondition(PgStateBuilder.Condition.REPLICA)
        .withUpstream(Optional.of("127.0.0.1:5433")).withStreaming(true).withLsn(5000).build();
    pg.onProbe = probes::incrementAndGet;
    thread.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> messages.stream().anyMatch(m -> m.startsWith("no action")));
    assertThat(pg.calls).as("a replica at rest: no stop, start or follow").noneMatch(c -> c.startsWith("stop")
        || c.startsWith("start") || c.startsWith("follow"));

    int before = probes.get();
    DynamicConfig edited = new DynamicConfig(90, 30, 10, 2_097_152, 300, true, true, Map.of(), List.of(), Map.of());
    assertThat(leaderStore.writeConfig(edited, Optional.empty())).isEqualTo(WriteResult.Outcome.OK);
    await("a cycle after the configuration changed (loop_wait is 30 s)").atMost(Duration.ofSeconds(10))
        .until(() -> probes.get() > before);

    int afterConfig = probes.get();
    assertThat(leaderStore.writeFailover(Optional.of("node2"), Optional.of("node1"), Optional.empty(), 0)).isTrue();
    await("a cycle after a switchover request naming it").atMost(Duration.ofSeconds(10))
        .until(() -> probes.get() > afterConfig);
  }
}
