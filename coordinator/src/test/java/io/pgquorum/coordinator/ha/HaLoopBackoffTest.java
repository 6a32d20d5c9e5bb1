package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.PostgresException;
import io.pgquorum.dcs.memory.InMemoryDcs;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Item 10 of issue 17, the loop's side: a replica whose rejoin keeps failing is not relaunched as fast as it fails.
 * The real loop, executor and task runner, driven on virtual time as the daemon schedules them: a cycle every
 * loop_wait, and at once after a task ended (its end wakes the loop) or a lost gate. The task body runs inline, so
 * a failure is as fast as it can be: before the fix, every woken cycle relaunched it.
 */
class HaLoopBackoffTest {
  static final long MS = 1_000_000L;
  static final long S = 1_000 * MS;

  final InMemoryDcs dcs = new InMemoryDcs();
  final DcsKeys keys = new DcsKeys("/service/t/");
  final ClusterStore leaderStore = new ClusterStore(dcs.client("node2"), keys, "node2");
  final ClusterStore store = new ClusterStore(dcs.client("node1"), keys, "node1");
  final FakePostgres pg = new FakePostgres();
  final List<Long> launches = new ArrayList<>();
  final List<String> published = new ArrayList<>();
  long now = 1_000 * S;
  final TaskRunner tasks = new TaskRunner("node1", (name, work) -> {
    launches.add(now);
    work.run();
  });
  final HaLoop loop = new HaLoop(TestConfigs.node("node1", LongStartTest.DYN), store, pg, new HeldLease(), tasks,
      urls -> Map.of(), () -> now, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), s -> published.add(s.message()),
      PlantedBugs.NONE, () -> true);

  @AfterEach
  void close() {
    dcs.close();
  }

  @Test
  void aRejoinThatKeepsFailingIsRetriedAfterADoublingPauseNotAtOnce() {
    // node2 leads (its keys outlive the test: the DCS's ttl runs on real time) and publishes its address.
    leaderStore.acquireLeader(Duration.ofHours(1)).orElseThrow();
    leaderStore.touchMember(Map.of("conn_url", "postgres://127.0.0.1:5433/postgres"), Duration.ofHours(1));
    pg.state = PgState.stopped(PgState.DataDirState.INITIALIZED);
    pg.startReplicaFailure = new PostgresException("start replica of node2 (127.0.0.1:5433): PostgreSQL is "
        + "already running (pid 4242)");

    long start = now;
    long loopWait = LongStartTest.DYN.loopWait().toNanos();
    int cycles = 0;
    // Ten virtual minutes, or as many cycles as a spinning loop would run in them at 1 ms a cycle (bounded, so the
    // unfixed code fails here quickly instead of running 600,000 cycles).
    while (now < start + 600 * S && cycles < 20_000) {
      int before = launches.size();
      boolean recheck = loop.cycle(false);
      cycles++;
      now += recheck || launches.size() > before ? MS : loopWait;
    }

    List<Long> at = launches.stream().map(t -> (t - start) / MS).toList();
    // loop_wait 1 s: the first failure is retried at once, then after 1, 2, 4, ... 256 s (the 300 s cap comes next).
    assertThat(at).as("when (ms after the first cycle) the rejoin was launched in ten minutes").hasSize(11);
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < at.size(); i++) {
      gaps.add(at.get(i) - at.get(i - 1));
    }
    assertThat(gaps.get(0)).as("the first failure is retried at once").isLessThan(10);
    for (int i = 1; i < gaps.size(); i++) {
      long pause = 1_000L << (i - 1);
      assertThat(gaps.get(i)).as("pause before attempt %d", i + 2).isBetween(pause, pause + 1_000);
    }
    assertThat(published).as("the pause is published").anySatisfy(m -> assertThat(m)
        .startsWith("waiting to retry rejoin after").contains("PostgreSQL is already running (pid 4242)"));
    assertThat(loop.fatalReason()).isEmpty();
  }
}
