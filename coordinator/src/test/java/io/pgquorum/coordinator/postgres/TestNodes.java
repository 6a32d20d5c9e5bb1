package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.BootstrapConfig;
import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.CustomMethod;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.HostPort;
import io.pgquorum.coordinator.config.LogConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.PostgresConfig;
import io.pgquorum.coordinator.config.RaftConfig;
import io.pgquorum.coordinator.config.RestApiConfig;
import io.pgquorum.coordinator.config.Tags;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds config records for tests directly (the YAML loader is tested elsewhere). Every node of a test shares
 * these role passwords; they are distinctive so a test can search logs and messages for them.
 */
final class TestNodes {
  static final String SCOPE = "pgq-test";
  static final String SUPERUSER = "postgres";
  static final String SUPERUSER_PASSWORD = "Su-pw-4f1c9e";
  static final String REPLICATION = "replicator";
  static final String REPLICATION_PASSWORD = "Repl-pw-8b2d77";
  static final String REWIND = "rewinder";
  static final String REWIND_PASSWORD = "Rw-pw-1e5a03";
  static final List<String> SECRETS = List.of(SUPERUSER_PASSWORD, REPLICATION_PASSWORD, REWIND_PASSWORD);

  private TestNodes() {}

  static DynamicConfig dynamic(boolean useSlots, Map<String, String> parameters) {
    return new DynamicConfig(8, 1, 2, 1_048_576, 300, true, useSlots, parameters, List.of(), Map.of());
  }

  static Builder node(Path base, String name, int port) {
    return new Builder(base, name, port);
  }

  /** Mutable builder; {@link #build()} makes the immutable records. */
  static final class Builder {
    final Path base;
    final String name;
    final int port;
    Credentials superuser = Credentials.of(SUPERUSER, SUPERUSER_PASSWORD);
    Credentials replication = Credentials.of(REPLICATION, REPLICATION_PASSWORD);
    Optional<Credentials> rewind = Optional.of(Credentials.of(REWIND, REWIND_PASSWORD));
    Map<String, String> parameters = new LinkedHashMap<>();
    Map<String, String> recoveryConf = new LinkedHashMap<>();
    List<String> pgHba = new ArrayList<>();
    List<String> createReplicaMethods = new ArrayList<>();
    Map<String, CustomMethod> replicaMethods = new LinkedHashMap<>();
    // --no-sync: the tests never crash the machine, and skipping fsync saves seconds per clone
    List<String> basebackup = new ArrayList<>(List.of("no-sync"));
    List<String> initdb = new ArrayList<>(List.of("no-sync", "encoding=UTF8"));
    Optional<String> bootstrapMethod = Optional.empty();
    Map<String, CustomMethod> bootstrapMethods = new LinkedHashMap<>();
    Optional<String> postBootstrap = Optional.empty();
    int pgCtlTimeout = 30;
    Path binDir = PostgresConfig.DEFAULT_BIN_DIR;
    Tags tags = Tags.none();

    Builder(Path base, String name, int port) {
      this.base = base;
      this.name = name;
      this.port = port;
    }

    Path dataDir() {
      return base.resolve(name).resolve("data");
    }

    Builder parameter(String key, String value) {
      parameters.put(key, value);
      return this;
    }

    NodeConfig build() {
      HostPort listen = new HostPort("127.0.0.1", port);
      PostgresConfig pg = new PostgresConfig(listen, listen, dataDir(), binDir,
          base.resolve(name).resolve("pgpass"), superuser, replication, rewind, parameters, pgHba,
          createReplicaMethods, replicaMethods, basebackup, false, Optional.empty(), pgCtlTimeout, false, false,
          recoveryConf);
      BootstrapConfig bootstrap = new BootstrapConfig(dynamic(true, Map.of()), bootstrapMethod, bootstrapMethods,
          initdb, List.of(), postBootstrap);
      HostPort api = new HostPort("127.0.0.1", 8008);
      return new NodeConfig(SCOPE, "/service/", name, new RestApiConfig(api, api, Optional.empty(), List.of()),
          new RaftConfig("127.0.0.1:0", Optional.empty(), List.of(), base.resolve(name).resolve("raft"),
              Optional.empty()),
          bootstrap, pg, tags, LogConfig.defaults(), List.of());
    }
  }

  static CustomMethod method(String name, String command, boolean keepData, Map<String, String> extra) {
    return new CustomMethod(name, command, keepData, false, false, false, Map.of(), extra);
  }
}
