package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.coordinator.postgres.PgState.Role;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.dcs.memory.InMemoryDcs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lease rules the primary's safety rests on, with a controllable clock: the deadline is measured from
 * before the send, only confirmed writes move it, a lost lock clears it, nothing starts or promotes a primary
 * without it, and the guard fences PostgreSQL once it passes even when the loop is not running.
 */
class LeaseTest {
  static final DynamicConfig DYN = new DynamicConfig(8, 1, 2, 1_048_576, 300, true, true, Map.of(), List.of(),
      Map.of());
  final AtomicLong clock = new AtomicLong(5_000_000_000L);
  final InMemoryDcs dcs = new InMemoryDcs();
  final FakePostgres pg = new FakePostgres();
  final HeldLease lease = new HeldLease();
  final NodeConfig config = TestConfigs.node("node1", DYN);
  final ClusterStore store = new ClusterStore(dcs.client("node1"), new DcsKeys("/service/t/"), "node1");
  final TaskRunner tasks = new TaskRunner("node1");
  final ActionExecutor executor = new ActionExecutor(config, store, pg, lease, tasks, clock::get, () -> { });

  @AfterEach
  void close() {
    dcs.close();
  }

  private ActionExecutor.Outcome run(Action... actions) {
    ClusterSnapshot snap = store.load();
    return executor.execute(new Decision(List.of(actions), "test"), Optional.of(snap));
  }

  @Test
  void acquireSetsTheDeadlineFromBeforeTheSendMinusTheMargin() {
    pg.state = FakePostgres.running(Role.REPLICA, 0);
    long sent = clock.get();
    run(Plans.acquire(DYN), new Action.Promote(FencingToken.acquired()));
    assertThat(lease.deadlineNanos()).hasValue(sent + Duration.ofSeconds(8 - 2).toNanos());
    long token = lease.token().getAsLong();
    // The promotion runs as a background task.
    await().atMost(Duration.ofSeconds(5)).until(() -> tasks.running().isEmpty() && !pg.calls().isEmpty());
    assertThat(pg.calls()).containsExactly("promote " + token);
    assertThat(tasks.takeFailure()).isEmpty();
  }

  @Test
  void aFailedRefreshEndsThePlanAndClearsTheLease() {
    run(Plans.acquire(DYN));
    long token = lease.token().getAsLong();
    store.releaseLeader(); // someone deleted our key (e.g. an operator, or it expired)
    ActionExecutor.Outcome o = run(Plans.refresh(token, DYN), new Action.StartPrimary(FencingToken.held(token)));
    assertThat(o.recheckNow()).isTrue();
    assertThat(lease.deadlineNanos()).isEmpty();
    assertThat(pg.calls()).isEmpty();
  }

  @Test
  void aReleaseAfterTheLockPassedToAnotherMemberDeletesNothingOfIt() {
    run(Plans.acquire(DYN));
    long token = lease.token().getAsLong();
    run(Plans.refresh(token, DYN)); // the executor now knows the key as confirmed by this refresh
    ClusterStore other = new ClusterStore(dcs.client("node2"), new DcsKeys("/service/t/"), "node2");
    assertThat(other.releaseLeader()).isFalse(); // not node2's
    store.releaseLeader(); // gone meanwhile (expired, or deleted by an operator) ...
    long next = other.acquireLeader(Duration.ofSeconds(8)).orElseThrow().fencingToken(); // ... and taken by node2

    run(new Action.ReleaseLock());

    assertThat(store.load().leader()).map(l -> l.name() + " " + l.fencingToken()).hasValue("node2 " + next);
  }

  @Test
  void aHandoverDeletesTheFailsafeKeyOnlyUnderAValidLease() {
    run(Plans.acquire(DYN));
    long token = lease.token().getAsLong();
    store.writeFailsafe(Map.of("node1", "http://127.0.0.1:8008/patroni"));

    clock.addAndGet(Duration.ofSeconds(7).toNanos()); // past the deadline (ttl 8 - margin 2): another may hold it
    run(new Action.ClearFailsafe());
    assertThat(store.load().failsafe()).isPresent();

    run(Plans.refresh(token, DYN)); // confirmed again: the deadline is ahead
    run(new Action.ClearFailsafe());
    assertThat(store.load().failsafe()).isEmpty();
  }

  @Test
  void aLastPositionNeverReplacesAStatusWrittenSinceTheSnapshot() {
    // A stop that outlasted the lease: another member took the lock and wrote its own status meanwhile (here, while
    // the executor reads the stopped server's position).
    pg.state = new PgState(DataDirState.INITIALIZED, false, OptionalLong.empty(), Optional.empty(), Role.UNKNOWN, 1,
        100, OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        List.of(), Optional.of("7000000000000000001"), 150010, OptionalLong.empty(), false, true);
    ClusterStore newPrimary = new ClusterStore(dcs.client("node2"), new DcsKeys("/service/t/"), "node2");
    pg.onProbe = () -> newPrimary.writeStatus(900, Map.of());

    run(new Action.PublishLastPosition(1, store.load().statusRevision()));
    assertThat(store.load().lastLeaderOptime()).isEqualTo(900);

    pg.onProbe = null; // nobody writes in between: published
    run(new Action.PublishLastPosition(1, store.load().statusRevision()));
    assertThat(store.load().lastLeaderOptime()).isEqualTo(100);
  }

  @Test
  void aReleaseDeletesTheKeyTheLastRefreshConfirmed() {
    run(Plans.acquire(DYN));
    run(Plans.refresh(lease.token().getAsLong(), DYN));

    run(new Action.ReleaseLock());

    assertThat(store.load().leader()).isEmpty();
    assertThat(lease.deadlineNanos()).isEmpty();
  }

  @Test
  void aSuccessfulRefreshMovesTheDeadline() {
    run(Plans.acquire(DYN));
    long token = lease.token().getAsLong();
    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    long sent = clock.get();
    run(Plans.refresh(token, DYN));
    assertThat(lease.deadlineNanos()).hasValue(sent + Duration.ofSeconds(6).toNanos());
  }

  @Test
  void noPrimaryStartOrPromotionOnceTheDeadlinePassed() {
    pg.state = FakePostgres.running(Role.REPLICA, 0);
    run(Plans.acquire(DYN));
    clock.addAndGet(Duration.ofSeconds(6).toNanos());
    long token = lease.token().getAsLong();
    run(new Action.Promote(FencingToken.held(token)));
    // The task checks the lease right before promoting, and refuses.
    await().atMost(Duration.ofSeconds(5)).until(() -> tasks.running().isEmpty());
    assertThat(tasks.takeFailure()).hasValueSatisfying(f -> assertThat(f)
        .contains("refusing to promote PostgreSQL: the leader lease is not valid any more"));
    assertThat(pg.calls()).isEmpty();
    run(new Action.StartPrimary(FencingToken.held(token)));
    await().atMost(Duration.ofSeconds(5)).until(() -> tasks.running().isEmpty());
    assertThat(tasks.takeFailure()).hasValueSatisfying(f -> assertThat(f).startsWith(Task.START_PRIMARY.label())
        .contains("refusing to start PostgreSQL as primary: the leader lease is not valid any more"));
    assertThat(pg.calls()).isEmpty();
  }

  @Test
  void losingTheAcquireRaceStartsNothing() {
    ClusterStore other = new ClusterStore(dcs.client("node2"), new DcsKeys("/service/t/"), "node2");
    assertThat(other.acquireLeader(Duration.ofSeconds(8))).isPresent();
    pg.state = FakePostgres.running(Role.REPLICA, 0);
    ActionExecutor.Outcome o = run(Plans.acquire(DYN), new Action.Promote(FencingToken.acquired()));
    assertThat(o.recheckNow()).isTrue();
    assertThat(lease.deadlineNanos()).isEmpty();
    assertThat(pg.calls()).isEmpty();
  }

  @Test
  void theGuardFencesAtTheDeadlineWithoutTheLoop() throws Exception {
    pg.state = FakePostgres.running(Role.PRIMARY, 1);
    lease.extend(1, clock.get(), Duration.ofSeconds(6).toNanos());
    try (LeaseGuard guard = new LeaseGuard(lease, () -> pg.stop(StopMode.IMMEDIATE), clock::get, "t")) {
      guard.start();
      clock.addAndGet(Duration.ofSeconds(5).toNanos());
      // Give the guard several check intervals at t < deadline: it must not fence.
      long until = System.nanoTime() + 10 * LeaseGuard.CHECK_INTERVAL.toNanos();
      while (System.nanoTime() < until) {
        assertThat(pg.calls()).isEmpty();
        Thread.onSpinWait();
      }
      clock.addAndGet(Duration.ofSeconds(1).toNanos());
      await().atMost(Duration.ofSeconds(5)).until(() -> pg.calls().contains("stop IMMEDIATE"));
      assertThat(lease.deadlineNanos()).isEmpty();
    }
  }

  @Test
  void aFenceThatFailsIsRunAgainUntilItSucceeds() throws Exception {
    lease.extend(1, clock.get(), Duration.ofSeconds(6).toNanos());
    AtomicLong attempts = new AtomicLong();
    Runnable flakyFence = () -> {
      if (attempts.incrementAndGet() < 3) {
        throw new IllegalStateException("pg_ctl could not be started");
      }
      pg.stop(StopMode.IMMEDIATE);
    };
    try (LeaseGuard guard = new LeaseGuard(lease, flakyFence, clock::get, "t")) {
      guard.start();
      clock.addAndGet(Duration.ofSeconds(6).toNanos());
      await().atMost(Duration.ofSeconds(5)).until(() -> pg.calls().contains("stop IMMEDIATE"));
      assertThat(attempts.get()).isEqualTo(3);
    }
  }

  /**
   * A guard on a node that holds no lease idles (no 50 ms polling), and a lease that becomes held wakes it: with an
   * idle bound of an hour, only that wake-up can make it fence this lease in time for the wait below.
   */
  @Test
  void anIdleGuardIsWokenByALeaseBecomingHeld() {
    pg.state = FakePostgres.running(Role.PRIMARY, 1);
    try (LeaseGuard guard = new LeaseGuard(lease, () -> pg.stop(StopMode.IMMEDIATE), clock::get, "t",
        Duration.ofHours(1))) {
      guard.start();
      // Holding nothing, the guard goes to its idle wait (the hour) after its first check.
      await().atMost(Duration.ofSeconds(20)).until(() -> guard.threadState() == Thread.State.TIMED_WAITING);
      lease.extend(1, clock.get(), Duration.ofSeconds(6).toNanos());
      clock.addAndGet(Duration.ofSeconds(6).toNanos());
      await().atMost(Duration.ofSeconds(20)).until(() -> pg.calls().contains("stop IMMEDIATE"));
    }
  }
}
