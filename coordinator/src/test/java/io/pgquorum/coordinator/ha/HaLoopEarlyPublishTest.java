package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.postgres.PgState.Role;
import io.pgquorum.dcs.memory.InMemoryDcs;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A finished promotion is published at once, before the cycle that sees it decides and acts (health checks answer
 * from the published status, and a load balancer should not wait for the new primary's history and slot writes).
 * Real loop and executor on an in-memory DCS; the promotion task runs when the test says.
 */
class HaLoopEarlyPublishTest {
  final InMemoryDcs dcs = new InMemoryDcs();
  final DcsKeys keys = new DcsKeys("/service/t/");
  final ClusterStore store = new ClusterStore(dcs.client("node1"), keys, "node1");
  final FakePostgres pg = new FakePostgres();
  final List<Runnable> tasks = new ArrayList<>();
  /** Each published status as "role, and the role the member key in the DCS showed at that moment". */
  final List<String> published = new ArrayList<>();
  /** Each published status as what GET /primary would answer, and whether PostgreSQL was running then. */
  final List<String> primaryAnswers = new ArrayList<>();
  final HaLoop loop = new HaLoop(TestConfigs.node("node1", LongStartTest.DYN), store, pg, new HeldLease(),
      new TaskRunner("node1", (name, work) -> tasks.add(work)), urls -> Map.of(), () -> 1_000_000_000_000L,
      Clock.fixed(Instant.EPOCH, ZoneOffset.UTC),
      s -> {
        published.add(s.role() + " (member key: " + store.load().member("node1").map(Member::role).orElse("none")
            + ")");
        primaryAnswers.add((s.isRunningPrimary() ? "200" : "503") + " while PostgreSQL "
            + (pg.state.running() ? "runs" : "is stopped"));
        pg.calls.add("publish " + (s.isRunningPrimary() ? "200" : "503"));
      },
      PlantedBugs.NONE, () -> true);

  @AfterEach
  void close() {
    dcs.close();
  }

  @Test
  void aFinishedPromotionIsPublishedBeforeTheCycleActs() {
    pg.state = FakePostgres.running(Role.REPLICA, 0);
    assertThat(store.writeInitialize(pg.state.systemIdentifier().orElseThrow(), Optional.empty())).isTrue();

    loop.cycle(false); // wins the race; the promotion task is launched but has not run
    assertThat(tasks).as("the promotion task").hasSize(1);
    assertThat(published).containsExactly("replica (member key: replica)");

    tasks.remove(0).run(); // the promotion finishes
    published.clear();
    loop.cycle(false);

    assertThat(published).as("first the early status (the member key still says replica), then the cycle's own")
        .containsExactly("primary (member key: replica)", "primary (member key: primary)");
  }

  @Test
  void anUnchangedRolePublishesOncePerCycle() {
    pg.state = FakePostgres.running(Role.REPLICA, 0);
    assertThat(store.writeInitialize(pg.state.systemIdentifier().orElseThrow(), Optional.empty())).isTrue();

    loop.cycle(false);
    published.clear();
    loop.cycle(false); // the promotion still runs: the role is what it was

    assertThat(published).hasSize(1);
  }

  @Test
  void aPlanThatGivesUpTheLockIsPublishedWithoutItBeforeItRuns() {
    pg.state = FakePostgres.running(Role.REPLICA, 0);
    assertThat(store.writeInitialize(pg.state.systemIdentifier().orElseThrow(), Optional.empty())).isTrue();
    loop.cycle(false);
    tasks.remove(0).run(); // promoted, holding the lock
    loop.cycle(false);
    assertThat(primaryAnswers).last().isEqualTo("200 while PostgreSQL runs");
    primaryAnswers.clear();

    loop.cycle(true); // a shutdown: the plan stops PostgreSQL and releases the lock

    int stop = pg.calls.indexOf("stop FAST");
    assertThat(stop).as("the plan stopped PostgreSQL: " + pg.calls).isPositive();
    assertThat(pg.calls.get(stop - 1)).as("the withdrawal comes right before the stop").isEqualTo("publish 503");
    assertThat(primaryAnswers).as("503 right before PostgreSQL stops, and from then on")
        .startsWith("503 while PostgreSQL runs").allMatch(a -> a.startsWith("503"));
  }
}
