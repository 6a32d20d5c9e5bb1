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
    // What the Decider makes of these steps (the required watchdog, the planted bugs, the disarm steps), then
    // performed.
    io.pgquorum.coordinator.postgres.PgState probe = pg.probe();
    List<Action> plan = Decider.watchdogRules(Decider.underLeaseRules(List.of(actions), watchdogUp.get(),
        new HaPolicy("node1", config.tags(), DYN, bugs)), probe, lease.deadlineNanos().isPresent());
    return e.execute(new Decision(plan, "test"), Optional.of(snap));
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

  /**
   * The watchdog fenced a frozen primary at its deadline and guards; on resume the loop's refresh comes back lost
   * before the lease guard's check, so the lease is forgotten without the guard's fence (which would disarm). The
   * rejoin as a replica must disarm it first, or the guarding watchdog stops the replica again and again.
   */
  @Test
  void aLeaseLostBeforeTheGuardFencedIsDisarmedBeforeTheRejoin() {
    ActionExecutor e = executor(PlantedBugs.NONE);
    pg.state = FakePostgres.running(Role.PRIMARY, 1);
    run(e, acquire());
    long token = lease.token().getAsLong();
    pg.state = io.pgquorum.coordinator.postgres.PgState.stopped(
        io.pgquorum.coordinator.postgres.PgState.DataDirState.INITIALIZED); // the watchdog's fence
    store.releaseLeader(); // the DCS expired the lease meanwhile
    clock.addAndGet(Duration.ofSeconds(12).toNanos());
    run(e, Plans.refresh(token, DYN));
    assertThat(lease.deadlineNanos()).isEmpty();
    assertThat(events).as("a lost refresh alone does not disarm").noneMatch(x -> x.startsWith("disarm"));

    List<Action> rejoin = List.of(new Action.Rejoin(Optional.empty(), Divergence.NOT_CHECKED));
    assertThat(Decider.watchdogRules(rejoin, pg.probe(), true)).as("while a lease is held, the guard disarms")
        .isEqualTo(rejoin);
    run(e, new Action.Rejoin(Optional.empty(), Divergence.NOT_CHECKED));
    assertThat(events).last().isEqualTo("disarm after []");
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
