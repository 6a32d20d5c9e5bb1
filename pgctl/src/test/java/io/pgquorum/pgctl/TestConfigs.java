package io.pgquorum.pgctl;

import io.pgquorum.coordinator.config.BootstrapConfig;
import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.CtlConfig;
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

/** Hand-built node configurations (the YAML loader is tested on its own). */
final class TestConfigs {
  private TestConfigs() {}

  static DynamicConfig dynamic(Map<String, Object> raw) {
    return new DynamicConfig(8, 1, 2, 1_048_576, 300, true, true, Map.of(), List.of(), raw);
  }

  /** A node of cluster {@code scope} whose DCS members are {@code selfAddr} and {@code partners}. */
  static NodeConfig node(String scope, String selfAddr, List<String> partners) {
    Path data = Path.of("/nonexistent/pgquorum-test");
    return new NodeConfig(
        scope,
        "/service/",
        "pg1",
        new RestApiConfig(new HostPort("127.0.0.1", 8008), new HostPort("127.0.0.1", 8008), Optional.empty(),
            List.of()),
        new RaftConfig(selfAddr, Optional.empty(), partners, data.resolve("raft"), Optional.empty()),
        new BootstrapConfig(dynamic(Map.of()), Optional.empty(), Map.of(), List.of(), List.of(), Optional.empty()),
        new PostgresConfig(new HostPort("127.0.0.1", 5432), new HostPort("127.0.0.1", 5432), data.resolve("pg"),
            PostgresConfig.DEFAULT_BIN_DIR, data.resolve("pgpass"), Credentials.of("postgres", "secret"),
            Credentials.of("replicator", "secret"), Optional.empty(), Map.of(), List.of(), List.of("basebackup"),
            Map.of(), List.of(), false, Optional.empty(), 60, false, false),
        Tags.none(),
        LogConfig.defaults(),
        List.of());
  }

  /** {@code base} with {@code restapi.authentication} {@code restapiAuth} and the {@code ctl} section {@code ctl}. */
  static NodeConfig withRestClient(NodeConfig base, Optional<Credentials> restapiAuth, CtlConfig ctl) {
    RestApiConfig r = base.restapi();
    RestApiConfig restapi = new RestApiConfig(r.listen(), r.connectAddress(), restapiAuth, r.allowlist(),
        r.allowlistIncludeMembers(), r.tls());
    return new NodeConfig(base.scope(), base.namespace(), base.name(), restapi, base.raft(), base.bootstrap(),
        base.postgresql(), base.tags(), base.log(), base.watchdog(), ctl, base.warnings());
  }
}
