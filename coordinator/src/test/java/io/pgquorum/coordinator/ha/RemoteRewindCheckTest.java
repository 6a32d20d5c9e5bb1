package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.StandbyCluster;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.coordinator.postgres.PostgresException;
import io.pgquorum.coordinator.postgres.Upstream;
import io.pgquorum.dcs.memory.InMemoryDcs;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rejoin a standby leader's start runs ({@link StandbyRules#divergenceCheck}), through the executor: a
 * diverged one is rewound from the remote before it starts; a remote that cannot be reached does not keep it down
 * (Patroni checks the remote only when it can), while a check the plan requires (a member's leader) still fails.
 */
class RemoteRewindCheckTest {
  static final DynamicConfig DYN = LeaseTest.DYN;
  final AtomicLong clock = new AtomicLong(5_000_000_000L);
  final InMemoryDcs dcs = new InMemoryDcs();
  final FakePostgres pg = new FakePostgres();
  final NodeConfig config = TestConfigs.node("node1", DYN);
  final ClusterStore store = new ClusterStore(dcs.client("node1"), new DcsKeys("/service/t/"), "node1");
  final TaskRunner tasks = new TaskRunner("node1");
  final ActionExecutor executor = new ActionExecutor(config, store, pg, new HeldLease(), tasks, clock::get,
      () -> { });
  final HaPolicy policy = new HaPolicy("node1", config.tags(), DYN, PlantedBugs.NONE);
  final Upstream remote = Upstream.remote(new StandbyCluster(Optional.of("10.0.0.9"), 5432, Optional.empty(),
      Optional.empty(), Optional.empty(), Optional.empty(), List.of("basebackup")));

  @AfterEach
  void close() {
    dcs.close();
  }

  @Test
  void aDivergedStandbyLeaderIsRewoundFromTheRemoteBeforeItStarts() {
    pg.diverged = true;
    Divergence check = StandbyRules.divergenceCheck(remote, policy);
    assertThat(check.rewind()).as("use_pg_rewind is on in this configuration").isTrue();
    rejoin(check);
    assertThat(pg.calls()).containsExactly("rewind " + Upstream.REMOTE_NAME, "startReplica " + Upstream.REMOTE_NAME);
    assertThat(tasks.takeFailure()).isEmpty();
  }

  @Test
  void anUnreachableRemoteDoesNotKeepTheStandbyLeaderDown() {
    pg.rewindCheckFailure = new PostgresException("reading the timeline of the remote primary failed: refused");
    rejoin(StandbyRules.divergenceCheck(remote, policy));
    assertThat(pg.rewindChecks).hasValue(1);
    assertThat(pg.calls()).containsExactly("startReplica " + Upstream.REMOTE_NAME);
    assertThat(tasks.takeFailure()).isEmpty();
  }

  @Test
  void aLeaderThatCannotBeReachedStillFailsAMembersRejoin() {
    pg.rewindCheckFailure = new PostgresException("reading the timeline of node2 failed: refused");
    Upstream leader = new Upstream("node2", "127.0.0.1", 5433);
    rejoin(Divergence.decide(leader, policy), leader);
    assertThat(pg.calls()).isEmpty();
    assertThat(tasks.takeFailure()).hasValueSatisfying(f -> assertThat(f).contains("refused"));
  }

  @Test
  void anArchiveOrSeveralHostsAreNotChecked() {
    Upstream archive = Upstream.remote(new StandbyCluster(Optional.empty(), 5432, Optional.empty(),
        Optional.of("cp /a/%f %p"), Optional.empty(), Optional.empty(), List.of("restore")));
    Upstream several = Upstream.remote(new StandbyCluster(Optional.of("10.0.0.9,10.0.0.10"), 5432,
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of("basebackup")));
    assertThat(StandbyRules.divergenceCheck(archive, policy)).isEqualTo(Divergence.NOT_CHECKED);
    assertThat(StandbyRules.divergenceCheck(several, policy)).isEqualTo(Divergence.NOT_CHECKED);
  }

  private void rejoin(Divergence check) {
    rejoin(check, remote);
  }

  private void rejoin(Divergence check, Upstream from) {
    pg.state = PgState.stopped(DataDirState.INITIALIZED);
    executor.execute(new Decision(List.of(new Action.Rejoin(Optional.of(from), check)), "test"),
        Optional.of(store.load()));
    await().atMost(Duration.ofSeconds(30)).until(() -> tasks.running().isEmpty());
  }
}
