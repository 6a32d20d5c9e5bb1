package io.pgquorum.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.config.RaftConfig;
import io.pgquorum.dcs.ratis.DcsTuning;
import io.pgquorum.dcs.ratis.LeaseRefreshMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code raft} section's timing and lease settings reach the DCS member this node runs. */
class DcsTuningFromConfigTest {
  private static RaftConfig raft(RaftConfig.LeaseRefresh refresh, Duration electionTimeout) {
    return new RaftConfig("127.0.0.1:7000", Optional.empty(), List.of(), Path.of("/tmp/raft"), Optional.empty(),
        false, false, refresh, electionTimeout);
  }

  @Test
  void theMemberWaitsBetweenTheElectionTimeoutAndTwiceIt() {
    DcsTuning t = PgQuorumNode.dcsServerConfig("demo", raft(RaftConfig.LeaseRefresh.LEADER_LOCAL,
        Duration.ofMillis(250))).tuning();
    assertThat(t.electionTimeoutMin()).isEqualTo(Duration.ofMillis(250));
    assertThat(t.electionTimeoutMax()).isEqualTo(Duration.ofMillis(500));
    assertThat(t.leaseRefresh()).isEqualTo(LeaseRefreshMode.LEADER_LOCAL);
  }

  @Test
  void theDefaultsAreTheDcsDefaults() {
    DcsTuning t = PgQuorumNode.dcsServerConfig("demo", raft(RaftConfig.LeaseRefresh.DURABLE,
        RaftConfig.DEFAULT_ELECTION_TIMEOUT)).tuning();
    assertThat(t.electionTimeoutMin()).isEqualTo(DcsTuning.defaults().electionTimeoutMin());
    assertThat(t.electionTimeoutMax()).isEqualTo(DcsTuning.defaults().electionTimeoutMax());
    assertThat(t.leaseRefresh()).isEqualTo(LeaseRefreshMode.DURABLE);
  }
}
