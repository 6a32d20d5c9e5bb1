package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.cluster.ForwardingDcs;
import io.pgquorum.coordinator.postgres.PgState.Role;
import io.pgquorum.dcs.api.PrefixSnapshot;
import io.pgquorum.dcs.memory.InMemoryDcs;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The running loop probes PostgreSQL while it reads the DCS, not after: a switchover's candidate cycle and the new
 * primary's first cycle cost the longer of the two, not their sum. Here the DCS read does not answer until the
 * probe has run (bounded): a loop that probed only after the read would find no probe while it waits.
 */
class HaLoopParallelProbeTest {
  final InMemoryDcs dcs = new InMemoryDcs();
  final FakePostgres pg = new FakePostgres();
  final CountDownLatch probed = new CountDownLatch(1);
  final AtomicReference<Boolean> firstRead = new AtomicReference<>();
  final ClusterStore store = new ClusterStore(new ForwardingDcs(dcs.client("node1")) {
    @Override
    public PrefixSnapshot read(String prefix) {
      try {
        // The first cycle's read only: later cycles find the latch open whatever the order.
        firstRead.compareAndSet(null, probed.await(5, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return super.read(prefix);
    }
  }, new DcsKeys("/service/t/"), "node1");
  final AtomicLong cycles = new AtomicLong();
  final HaLoop loop = new HaLoop(TestConfigs.node("node1", LongStartTest.DYN), store, pg, new HeldLease(),
      new TaskRunner("node1"), urls -> java.util.Map.of(), System::nanoTime, s -> cycles.set(s.cycles()));
  final Thread thread = new Thread(loop, "ha-loop-parallel-probe-test");

  @AfterEach
  void stop() throws InterruptedException {
    loop.halt();
    thread.join(10_000);
    dcs.close();
  }

  @Test
  void theProbeRunsWhileTheSnapshotIsRead() {
    pg.state = FakePostgres.running(Role.REPLICA, 0);
    pg.onProbe = probed::countDown;
    thread.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> cycles.get() >= 1);
    assertThat(firstRead.get()).as("the first cycle's probe ran before its DCS read answered").isTrue();
  }
}
