package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.postgres.PgState.Role;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.dcs.memory.InMemoryDcs;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the lease drives the watchdog ({@link LeaseListener}) through the executor: armed with every confirmed
 * deadline, still armed after the lock is lost while PostgreSQL may run, disarmed only after PostgreSQL stopped;
 * the required-watchdog gate; and the planted bugs' hooks.
 */
class LeaseWatchdogWiringTest {
  static final DynamicConfig DYN = LeaseTest.DYN; // ttl 8, loop_wait 1, retry_timeout 2
  final AtomicLong clock = new AtomicLong(5_000_000_000L);
  final InMemoryDcs dcs = new InMemoryDcs();
  final FakePostgres pg = new FakePostgres();
  final HeldLease lease = new HeldLease();
  final NodeConfig config = TestConfigs.node("node1", DYN);
  final ClusterStore store = new ClusterStore(dcs.client("node1"), new DcsKeys("/service/t/"), "node1");
  /** Listener events, with the number of PostgreSQL calls made before each (to check the order). */
  final List<String> events = new ArrayList<>();
  final AtomicBoolean watchdogUp = new AtomicBoolean(true);

  LeaseWatchdogWiringTest() {
    lease.setListener(new LeaseListener() {
      @Override
      public void armed(long fencingToken, long deadlineNanos) {
        events.add("arm " + fencingToken + " " + deadlineNanos);
      }

      @Override
      public void disarmed() {
        events.add("disarm after " + pg.calls());
      }
    });
  }

  @AfterEach
  void close() {
    dcs.close();
  }

  /** The planted bugs of the executor under test: the Decider's plan rules apply them. */
  private PlantedBugs bugs = PlantedBugs.NONE;

  private ActionExecutor executor(PlantedBugs bugs) {
    this.bugs = bugs;
    return new ActionExecutor(config, store, pg, lease, new TaskRunner("node1"), clock::get, () -> { });
  }

  /** The acquire the Decider plans with these bugs (lease-ignores-drift changes its terms). */
  private Action acquire() {
    return Plans.acquire(DYN, bugs);
  }

  private ActionExecutor.Outcome run(ActionExecutor e, Action... actions) {
    ClusterSnapshot snap = store.load();
    // What the Decider makes of these steps (the required watchdog, the planted bugs), then performed.
    List<Action> plan = Decider.underLeaseRules(List.of(actions), watchdogUp.get(),
        new HaPolicy("node1", config.tags(), DYN, bugs));
    return e.execute(new Decision(plan, "test"), Optional.of(snap), pg.probe());
  }

  @Test
  void armedOnAcquireAndRefreshWithTheLeaseDeadline() {
    ActionExecutor e = executor(PlantedBugs.NONE);
    long sent = clock.get();
    run(e, acquire());
    long token = lease.token().getAsLong();
    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    run(e, Plans.refresh(token, DYN));
    assertThat(events).containsExactly(
        "arm " + token + " " + (sent + Duration.ofSeconds(6).toNanos()),
        "arm " + token + " " + (sent + Duration.ofSeconds(7).toNanos()));
  }

  @Test
  void aLostLockKeepsTheWatchdogArmedUntilTheDemoteHasStoppedPostgres() {
    ActionExecutor e = executor(PlantedBugs.NONE);
    pg.state = FakePostgres.running(Role.PRIMARY, 1);
    run(e, acquire());
    long token = lease.token().getAsLong();
    store.releaseLeader(); // the lock is gone (expired, deleted)
    run(e, Plans.refresh(token, DYN));
    assertThat(lease.deadlineNanos()).isEmpty();
    assertThat(events).hasSize(1).allMatch(s -> s.startsWith("arm "));

    run(e, new Action.Demote(StopMode.IMMEDIATE));
    assertThat(events).last().isEqualTo("disarm after [stop IMMEDIATE]");
  }

  @Test
  void aCleanShutdownDisarmsAfterTheStop() {
    ActionExecutor e = executor(PlantedBugs.NONE);
    pg.state = FakePostgres.running(Role.PRIMARY, 1);
    run(e, acquire());
    run(e, new Action.StopPostgres(StopMode.FAST), new Action.ReleaseLock());
    assertThat(events).last().isEqualTo("disarm after [stop FAST]");
  }

  @Test
  void leaseIgnoresDriftPlantsADeadlineWithoutTheMargin() {
    ActionExecutor e = executor(PlantedBugs.of(HaBug.LEASE_IGNORES_DRIFT));
    long sent = clock.get();
    run(e, acquire());
    assertThat(lease.deadlineNanos()).hasValue(sent + Duration.ofSeconds(8).toNanos());
    assertThat(events).singleElement().asString().endsWith(" " + (sent + Duration.ofSeconds(8).toNanos()));
  }

  @Test
  void skipDemotePlantsAPrimaryThatKeepsRunning() {
    ActionExecutor e = executor(PlantedBugs.of(HaBug.SKIP_DEMOTE_ON_LOST_LEASE));
    pg.state = FakePostgres.running(Role.PRIMARY, 1);
    run(e, new Action.Demote(StopMode.IMMEDIATE));
    assertThat(pg.calls()).isEmpty();
    assertThat(events).isEmpty();
  }

  @Test
  void aRequiredWatchdogThatIsDownBlocksAcquireAndRefresh() {
    ActionExecutor e = executor(PlantedBugs.NONE);
    pg.state = FakePostgres.running(Role.REPLICA, 0);
    watchdogUp.set(false);
    run(e, acquire(), new Action.Promote(FencingToken.acquired()));
    assertThat(store.load().leader()).isEmpty();
    assertThat(pg.calls()).isEmpty();

    watchdogUp.set(true);
    run(e, acquire());
    long token = lease.token().getAsLong();
    long deadline = lease.deadlineNanos().getAsLong();
    watchdogUp.set(false);
    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    run(e, Plans.refresh(token, DYN));
    assertThat(lease.deadlineNanos()).as("not refreshed: the lease runs out").hasValue(deadline);
  }

  @Test
  void releasingTheLockDisarmsOnlyWhenPostgresIsVerifiablyGone() {
    ActionExecutor e = executor(PlantedBugs.NONE);
    pg.state = io.pgquorum.coordinator.postgres.PgState.unknown("cannot read postmaster.pid");
    run(e, acquire());
    run(e, new Action.ReleaseLock());
    assertThat(events).as("an unknown state may be a running primary").noneMatch(x -> x.startsWith("disarm"));

    // A postmaster that does not accept connections (frozen, starting) is not gone either.
    pg.state = new io.pgquorum.coordinator.postgres.PgState(
        io.pgquorum.coordinator.postgres.PgState.DataDirState.INITIALIZED, false, java.util.OptionalLong.of(4242),
        Optional.empty(), Role.UNKNOWN, 1, 0, java.util.OptionalLong.empty(), java.util.OptionalLong.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(), 150010,
        java.util.OptionalLong.empty(), false, false);
    run(e, acquire());
    run(e, new Action.ReleaseLock());
    assertThat(events).noneMatch(x -> x.startsWith("disarm"));

    pg.state = io.pgquorum.coordinator.postgres.PgState.stopped(
        io.pgquorum.coordinator.postgres.PgState.DataDirState.INITIALIZED);
    run(e, acquire());
    run(e, new Action.ReleaseLock());
    assertThat(events).last().asString().startsWith("disarm");
  }
}
