package io.pgquorum.coordinator.config;

import io.pgquorum.backrest.BackrestSettings;
import java.util.List;
import java.util.Optional;

/**
 * A node's whole configuration, immutable, as loaded from Patroni-layout YAML plus {@code PATRONI_*} overrides.
 * Build one with {@link ConfigLoader}.
 *
 * @param scope cluster name (Patroni's scope); also PostgreSQL's cluster_name
 * @param namespace DCS key prefix (default: {@link NodeKeys#NAMESPACE})
 * @param name this member's unique name
 * @param restapi the REST API
 * @param raft this node's DCS member
 * @param bootstrap used by the node that bootstraps the cluster
 * @param postgresql how this node runs PostgreSQL
 * @param tags member tags
 * @param log logging
 * @param watchdog the lease watchdog process
 * @param ctl how this node (asking its peers) and pgctl talk to REST APIs over HTTPS (Patroni's {@code ctl})
 * @param warnings non-fatal findings from loading (unknown keys, adjusted timings), to be logged at start
 * @param backrest the {@code backrest} section when present: pgBackRest on (issue 13); empty: off, nothing changes
 */
public record NodeConfig(
    String scope,
    String namespace,
    String name,
    RestApiConfig restapi,
    RaftConfig raft,
    BootstrapConfig bootstrap,
    PostgresConfig postgresql,
    Tags tags,
    LogConfig log,
    WatchdogConfig watchdog,
    CtlConfig ctl,
    List<String> warnings,
    Optional<BackrestSettings> backrest) {
  public NodeConfig {
    warnings = List.copyOf(warnings);
  }

  /** A configuration without a {@code backrest} section (pgBackRest off). */
  public NodeConfig(String scope, String namespace, String name, RestApiConfig restapi, RaftConfig raft,
      BootstrapConfig bootstrap, PostgresConfig postgresql, Tags tags, LogConfig log, WatchdogConfig watchdog,
      CtlConfig ctl, List<String> warnings) {
    this(scope, namespace, name, restapi, raft, bootstrap, postgresql, tags, log, watchdog, ctl, warnings,
        Optional.empty());
  }

  /** A configuration without a {@code ctl} section, for code that builds records directly. */
  public NodeConfig(String scope, String namespace, String name, RestApiConfig restapi, RaftConfig raft,
      BootstrapConfig bootstrap, PostgresConfig postgresql, Tags tags, LogConfig log, WatchdogConfig watchdog,
      List<String> warnings) {
    this(scope, namespace, name, restapi, raft, bootstrap, postgresql, tags, log, watchdog, CtlConfig.none(),
        warnings);
  }

  /** A configuration with the default watchdog (automatic), for code that builds records directly. */
  public NodeConfig(String scope, String namespace, String name, RestApiConfig restapi, RaftConfig raft,
      BootstrapConfig bootstrap, PostgresConfig postgresql, Tags tags, LogConfig log, List<String> warnings) {
    this(scope, namespace, name, restapi, raft, bootstrap, postgresql, tags, log, WatchdogConfig.defaults(),
        warnings);
  }

  /** The DCS prefix of this cluster's keys, e.g. {@code /service/demo/}. */
  public String keyPrefix() {
    String ns = namespace.endsWith("/") ? namespace : namespace + "/";
    if (!ns.startsWith("/")) {
      ns = "/" + ns;
    }
    return ns + scope + "/";
  }
}
