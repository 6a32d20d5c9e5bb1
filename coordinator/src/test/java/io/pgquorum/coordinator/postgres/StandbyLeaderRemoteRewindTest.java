package io.pgquorum.coordinator.postgres;

import static io.pgquorum.coordinator.postgres.PgTestSupport.execute;
import static io.pgquorum.coordinator.postgres.PgTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.StandbyCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The steps a standby leader's rejoin runs when the remote failed over to a timeline that forked before the
 * standby leader's position (asynchronous replication lost the old primary's last rows), on real PostgreSQL 15:
 * the check against the remote finds the divergence, pg_rewind from the remote primary repairs it, and the
 * standby leader then follows the remote's new timeline with the section's settings.
 */
class StandbyLeaderRemoteRewindTest {
  private PgTestSupport support;

  @BeforeEach
  void setUp() throws Exception {
    support = new PgTestSupport();
  }

  @AfterEach
  void tearDown() throws Exception {
    support.close();
  }

  @Test
  void aStandbyLeaderThatDivergedFromTheRemoteIsRewoundFromIt() throws Exception {
    NodeConfig a = support.node("a").build();
    NodeConfig b = support.node("b").build();
    NodeConfig s = support.node("s").build();
    DynamicConfig plain = TestNodes.dynamic(true, Map.of());
    LocalPostgres pa = new LocalPostgres(a, () -> plain);
    LocalPostgres pb = new LocalPostgres(b, () -> plain);
    pa.bootstrap();
    pa.startPrimary(1);
    pa.syncReplicationSlots(Set.of("b"));
    Upstream upA = new Upstream("a", "127.0.0.1", port(a));
    pb.cloneReplica(upA);
    pb.startReplica(upA);
    execute(a, "CREATE TABLE t (id int)");
    execute(a, "INSERT INTO t VALUES (1)");
    awaitCount(b, "1");

    // The standby cluster's leader follows the remote cluster's primary a.
    StandbyCluster onA = section(port(a));
    LocalPostgres ps = new LocalPostgres(s, () -> withSection(onA));
    ps.cloneReplica(Upstream.remote(onA));
    ps.startReplica(Upstream.remote(onA));
    awaitCount(s, "1");
    // A checkpoint both a's replicas replay: pg_rewind finds the last common one in the standby leader's own WAL
    // (its copy began after the first one).
    execute(a, "CHECKPOINT");
    execute(a, "INSERT INTO t VALUES (2)");
    awaitCount(b, "2");
    awaitCount(s, "2");

    // b stops receiving; a writes on (the standby leader receives it); a is lost and b promoted: the remote's new
    // timeline forks before the standby leader's position.
    pb.stop(StopMode.FAST);
    execute(a, "INSERT INTO t SELECT generate_series(3, 1000)");
    awaitCount(s, "1000");
    pa.stop(StopMode.FAST);
    pb.startReplica(null);
    pb.promote(2);
    execute(b, "INSERT INTO t VALUES (5000)");

    // The operator points the section at b; the standby leader's start checks and rewinds first.
    StandbyCluster onB = section(port(b));
    Upstream remote = Upstream.remote(onB);
    ps.stop(StopMode.FAST);
    assertThat(ps.needsRewind(remote)).as("diverged from the remote's new timeline").isTrue();
    assertThat(ps.rewind(remote)).isTrue();
    assertThat(ps.needsRewind(remote)).as("rewound").isFalse();
    ps.startReplica(remote);
    awaitCount(s, "3");
    assertThat(queryString(s, "SELECT count(*) FROM t WHERE id > 2 AND id <= 1000"))
        .as("the rows only the lost primary had are gone").isEqualTo("0");
    assertThat(ps.probe().timeline()).isEqualTo(2);
    assertThat(ps.probe().upstream()).hasValue("127.0.0.1:" + port(b));
  }

  private static void awaitCount(NodeConfig n, String rows) {
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
        .until(() -> rows.equals(queryString(n, "SELECT count(*) FROM t")));
  }

  private static int port(NodeConfig n) {
    return n.postgresql().listen().port();
  }

  private static StandbyCluster section(int port) {
    return new StandbyCluster(Optional.of("127.0.0.1"), port, Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), List.of("basebackup"));
  }

  private static DynamicConfig withSection(StandbyCluster sc) {
    return new DynamicConfig(8, 1, 2, 1_048_576, 300, true, true, Map.of(), List.of(), Optional.of(sc), Map.of());
  }
}
