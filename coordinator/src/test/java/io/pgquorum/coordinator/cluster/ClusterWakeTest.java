package io.pgquorum.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.memory.InMemoryDcs;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterStore#awaitClusterChange}: a replica's wait ends at a change of the leader key or of the keys its
 * decision reads (failover, config, sync, initialize), not at a member key's unless it names that member.
 */
class ClusterWakeTest {
  private final InMemoryDcs dcs = new InMemoryDcs();
  private final DcsKeys keys = new DcsKeys("/service/t/");
  private final ClusterStore replica = new ClusterStore(dcs.client("node2"), keys, "node2");
  private final ClusterStore other = new ClusterStore(dcs.client("node1"), keys, "node1");

  @AfterEach
  void close() {
    dcs.close();
  }

  @Test
  void aSwitchoverRequestOrAConfigChangeWakesAReplicaAMemberKeyDoesNot() throws Exception {
    long rev = replica.load().revision();
    dcs.client("node1").put(keys.member("node1"), "{\"state\":\"running\"}");
    assertThat(replica.awaitClusterChange(rev, Duration.ofMillis(300))).isFalse();

    CompletableFuture<Boolean> waiting =
        CompletableFuture.supplyAsync(() -> replica.awaitClusterChange(rev, Duration.ofSeconds(20)));
    assertThat(other.writeFailover(Optional.of("node1"), Optional.of("node2"), Optional.empty(), 0)).isTrue();
    assertThat(waiting.get(20, TimeUnit.SECONDS)).isTrue();

    long afterRequest = replica.load().revision();
    dcs.client("node1").put(keys.config(), "{\"ttl\":8}");
    assertThat(replica.awaitClusterChange(afterRequest, Duration.ofSeconds(5))).isTrue();
    long afterConfig = replica.load().revision();
    other.acquireLeader(Duration.ofSeconds(8)).orElseThrow();
    assertThat(replica.awaitClusterChange(afterConfig, Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void aStandbyLeavingSyncDutyAlsoWakesOnTheMemberKeyItNames() throws Exception {
    long rev = replica.load().revision();
    CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(
        () -> replica.awaitClusterChange(rev, Duration.ofSeconds(20), Optional.of("node1")));
    dcs.client("node3").put(keys.member("node3"), "{\"state\":\"running\"}");
    dcs.client("node1").put(keys.member("node1"), "{\"state\":\"running\"}");
    assertThat(waiting.get(20, TimeUnit.SECONDS)).isTrue();
    long afterLeader = replica.load().revision();
    // Another member's key is not the one named: the wait runs out.
    dcs.client("node3").put(keys.member("node3"), "{\"state\":\"stopped\"}");
    assertThat(replica.awaitClusterChange(afterLeader, Duration.ofMillis(300), Optional.of("node1"))).isFalse();
  }

  /**
   * A node with its own DCS member waits there (DcsServer.watchLocal, no Raft round per slice), for the same keys; the
   * remote watch is not used. The local watch's own behaviour over real Ratis members is LocalWatchTest's.
   */
  @Test
  void withALocalWatchTheWaitGoesToItForTheSameKeys() {
    java.util.List<java.util.List<String>> asked = new java.util.ArrayList<>();
    replica.localWatch((prefixes, after, maxWait) -> {
      asked.add(prefixes);
      return new io.pgquorum.dcs.api.WatchResult(after == 41, 42);
    });

    assertThat(replica.awaitClusterChange(41, Duration.ofSeconds(20), Optional.of("node1"))).isTrue();
    assertThat(replica.awaitClusterChange(40, Duration.ofMillis(1))).isFalse();

    assertThat(asked).containsExactly(
        java.util.List.of(keys.leader(), keys.failover(), keys.config(), keys.sync(), keys.initialize(),
            keys.member("node1")),
        java.util.List.of(keys.leader(), keys.failover(), keys.config(), keys.sync(), keys.initialize()));
  }
}
