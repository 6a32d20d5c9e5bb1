package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.config.BootstrapConfig;
import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.HostPort;
import io.pgquorum.coordinator.config.LogConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.PostgresConfig;
import io.pgquorum.coordinator.config.RaftConfig;
import io.pgquorum.coordinator.config.RestApiConfig;
import io.pgquorum.coordinator.config.Tags;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds NodeConfig records directly, for unit tests that do not need YAML. */
final class TestConfigs {
  private TestConfigs() {}

  static NodeConfig node(String name, DynamicConfig dyn) {
    return new NodeConfig("t", "/service/", name,
        new RestApiConfig(new HostPort("127.0.0.1", 8008), new HostPort("127.0.0.1", 8008), Optional.empty(),
            List.of()),
        new RaftConfig("127.0.0.1:7000", Optional.empty(), List.of(), Path.of("/tmp/raft"), Optional.empty()),
        new BootstrapConfig(dyn, Optional.empty(), Map.of(), List.of(), List.of(), Optional.empty()),
        new PostgresConfig(new HostPort("127.0.0.1", 5432), new HostPort("127.0.0.1", 5432), Path.of("/tmp/pg"),
            PostgresConfig.DEFAULT_BIN_DIR, Path.of("/tmp/pgpass"), Credentials.of("postgres", "x"),
            Credentials.of("replicator", "y"), Optional.empty(), Map.of(), List.of(), List.of("basebackup"),
            Map.of(), List.of(), false, Optional.empty(), 60, false, false),
        Tags.none(), LogConfig.defaults(), List.of());
  }
}
