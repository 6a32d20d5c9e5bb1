package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.CallbackAction;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.postgres.PgState.Role;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.dcs.memory.InMemoryDcs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the executor performs the script steps CallbackRules plans: in plan order, pre_promote inside the task. */
class ScriptStepsTest {
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

  private void run(Action... actions) {
    ClusterSnapshot snap = store.load();
    executor.execute(new Decision(List.of(actions), "test"), Optional.of(snap));
  }

  @Test
  void aRefusingPrePromoteFailsThePromotionBeforePgCtlPromote() {
    pg.state = FakePostgres.running(Role.REPLICA, 0);
    pg.prePromoteAllows = false;
    run(Plans.acquire(DYN), new Action.PrePromote(), new Action.Promote(FencingToken.acquired()));
    await().atMost(Duration.ofSeconds(5)).until(() -> tasks.running().isEmpty() && !pg.calls().isEmpty());
    assertThat(pg.calls()).containsExactly("pre_promote");
    assertThat(tasks.takeFailure()).hasValue(Task.PROMOTE.failure(Action.PrePromote.REFUSED));
    assertThat(lease.deadlineNanos()).as("the lock is given back by the next decision, not here").isPresent();
  }

  @Test
  void anAllowingPrePromoteRunsRightBeforeThePromotion() {
    pg.state = FakePostgres.running(Role.REPLICA, 0);
    run(Plans.acquire(DYN), new Action.PrePromote(), new Action.Promote(FencingToken.acquired()));
    long token = lease.token().getAsLong();
    await().atMost(Duration.ofSeconds(5)).until(() -> tasks.running().isEmpty() && pg.calls().size() == 2);
    assertThat(pg.calls()).containsExactly("pre_promote", "promote " + token);
    assertThat(tasks.takeFailure()).isEmpty();
  }

  @Test
  void withoutThePrePromoteStepNoScriptRuns() {
    pg.state = FakePostgres.running(Role.REPLICA, 0);
    pg.prePromoteAllows = false;
    run(Plans.acquire(DYN), new Action.Promote(FencingToken.acquired()));
    long token = lease.token().getAsLong();
    await().atMost(Duration.ofSeconds(5)).until(() -> tasks.running().isEmpty() && !pg.calls().isEmpty());
    assertThat(pg.calls()).containsExactly("promote " + token);
  }

  @Test
  void beforeStopAndCallbacksRunInPlanOrder() {
    pg.state = FakePostgres.running(Role.PRIMARY, 3);
    run(new Action.BeforeStop(), new Action.Demote(StopMode.IMMEDIATE),
        new Action.RunCallback(CallbackAction.ON_STOP, "primary"));
    assertThat(pg.calls()).containsExactly("before_stop", "stop IMMEDIATE", "callback on_stop primary");
  }
}
