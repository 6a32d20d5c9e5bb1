package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.dcs.memory.InMemoryDcs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hole 2 of issue 10, the loop's side: a start as primary that takes several leases (a long crash recovery) runs
 * as a background task while the loop keeps refreshing the lock, so neither the DCS nor the node's own
 * {@link LeaseGuard} ends it; the recovery is started once, never restarted. Real loop, task runner, guard and
 * in-memory DCS (real lease expiry on the real clock); PostgreSQL is the scripted {@link FakePostgres}, whose
 * start blocks like a recovery until released. The same start path against real PostgreSQL is exercised by the
 * integration tests.
 */
class LongStartTest {
  /** ttl 3 s, loop_wait 1 s, retry_timeout 1 s: a lease lasts 2 s on the holder's clock. */
  static final DynamicConfig DYN = new DynamicConfig(3, 1, 1, 1_048_576, 300, true, true, Map.of(), List.of(),
      Map.of());
  final InMemoryDcs dcs = new InMemoryDcs();
  final FakePostgres pg = new FakePostgres();
  final HeldLease lease = new HeldLease();
  final ClusterStore store = new ClusterStore(dcs.client("node1"), new DcsKeys("/service/t/"), "node1");
  final TaskRunner tasks = new TaskRunner("node1");
  final AtomicReference<NodeStatus> status = new AtomicReference<>();
  final HaLoop loop = new HaLoop(TestConfigs.node("node1", DYN), store, pg, lease, tasks, urls -> Map.of(),
      System::nanoTime, status::set);
  final LeaseGuard guard = new LeaseGuard(lease, () -> pg.stop(StopMode.IMMEDIATE), System::nanoTime, "t");
  final Thread loopThread = new Thread(loop, "ha-loop-test");

  @AfterEach
  void stop() throws InterruptedException {
    loop.halt();
    loopThread.join(10_000);
    guard.close();
    dcs.close();
  }

  @Test
  void aRecoveryLongerThanSeveralLeasesKeepsTheLockAndIsNeverRestarted() throws Exception {
    // The node holds the lock; its PostgreSQL crashed (stopped, data directory intact).
    long token = store.acquireLeader(DYN.ttl()).orElseThrow().fencingToken();
    pg.state = PgState.stopped(DataDirState.INITIALIZED);
    CountDownLatch recovery = new CountDownLatch(1);
    pg.recoveryGate = recovery;
    guard.start();
    loopThread.start();

    await().atMost(Duration.ofSeconds(10)).until(() -> pg.calls().contains("startPrimary " + token));
    long firstDeadline = lease.deadlineNanos().orElseThrow();
    // Recovery goes on for more than two ttls: the deadline must keep moving the whole time.
    long ttl = DYN.ttl().toNanos();
    await().atMost(Duration.ofSeconds(30)).until(
        () -> lease.deadlineNanos().orElse(firstDeadline) - firstDeadline > 2 * ttl);
    assertThat(tasks.running()).hasValue(Task.START_PRIMARY);
    assertThat(store.load().leader()).hasValueSatisfying(l -> assertThat(l.fencingToken()).isEqualTo(token));
    assertThat(pg.calls()).as("no fence by our own guard, no second start").containsExactly("startPrimary " + token);
    assertThat(status.get().message()).startsWith("PostgreSQL is still starting up");

    recovery.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> status.get().message()
        .equals("no action. I am (node1), the leader with the lock"));
    assertThat(pg.probe().isPrimary()).isTrue();
    assertThat(pg.calls()).filteredOn(c -> c.startsWith("startPrimary") || c.startsWith("stop")).hasSize(1);
  }
}
