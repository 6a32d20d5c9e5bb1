package io.pgquorum.pgctl;

import static io.pgquorum.pgctl.Snapshots.MIB;
import static io.pgquorum.pgctl.Snapshots.SYSID;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code pgctl list} in {@code synchronous_mode: quorum}: the voters of the {@code sync} key show as
 * {@code Quorum Standby} (patronictl 4's text), the other replicas as {@code Replica}.
 */
class QuorumStandbyRoleTest {

  @Test
  void votersOfTheSyncKeyAreQuorumStandbys() {
    ClusterSnapshot s = Snapshots.cluster()
        .initialized(SYSID)
        .config(Map.of("synchronous_mode", "quorum"))
        .leader("pg1")
        .sync("pg2")
        .member("pg1", "postgres://127.0.0.1:5432/postgres", "primary", "running", 50 * MIB, 12, Map.of())
        .member("pg2", "postgres://127.0.0.1:5433/postgres", "replica", "running", 50 * MIB, 12,
            Map.of("replication_state", "streaming"))
        .member("pg3", "postgres://127.0.0.1:5434/postgres", "replica", "running", 50 * MIB, 12,
            Map.of("replication_state", "streaming"))
        .build();

    CliRun r = CliRun.against(s, "list");

    assertThat(r.out()).contains("| pg2    | 127.0.0.1:5433 | Quorum Standby | streaming |")
        .contains("| pg3    | 127.0.0.1:5434 | Replica        | streaming |");
  }
}
