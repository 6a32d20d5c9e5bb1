package io.pgquorum.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Versioned;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.Tags;
import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.postgres.PgState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The DCS client's operation timeout follows the cluster's retry_timeout in force (hole 11 of issue 10). */
class DcsTimeoutFollowerTest {
  static DynamicConfig retry(int seconds) {
    return new DynamicConfig(30, 10, seconds, 1_048_576, 300, true, true, Map.of(), List.of(), Map.of());
  }

  static NodeStatus status(Optional<DynamicConfig> config) {
    ClusterSnapshot empty = ClusterSnapshot.empty(1);
    ClusterSnapshot c = new ClusterSnapshot(1, empty.initialize(), config.map(v -> new Versioned<>(v, 3)),
        empty.leader(), empty.members(), empty.failover(), empty.sync(), empty.history(), empty.status());
    return new NodeStatus("t", "n", PgState.stopped(PgState.DataDirState.MISSING), "stopped", "replica", false,
        Optional.of(c), Optional.empty(), "", Tags.none(), Instant.now(), 0, 1);
  }

  @Test
  void followsTheConfigKeyAndFallsBackToBootstrap() {
    List<Duration> set = new ArrayList<>();
    DcsTimeoutFollower f = new DcsTimeoutFollower(retry(2), Duration.ofSeconds(2), set::add);
    f.accept(status(Optional.empty()));
    assertThat(set).as("bootstrap.dcs in force, unchanged").isEmpty();
    f.accept(status(Optional.of(retry(7))));
    f.accept(status(Optional.of(retry(7))));
    assertThat(set).containsExactly(Duration.ofSeconds(7));
    f.accept(status(Optional.empty())); // the config key vanished: bootstrap.dcs again
    assertThat(set).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(2));
  }
}
