package io.pgquorum.coordinator.api;

import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.node.NodeStartException;
import io.pgquorum.coordinator.node.PgQuorumNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Starts an embedded pgquorum node (see the package documentation for the stability promise). The configuration
 * is Patroni's layout, as for {@code bin/pgquorum}; {@code env} overlays it with {@code PATRONI_*} variables as the
 * daemon does (pass {@code Map.of()} for none).
 *
 * <pre>{@code
 * try (EmbeddedNode node = PgQuorum.start(Path.of("/etc/pgquorum/node1.yml"))) {
 *   node.onRoleChange(c -> System.out.println(c.from() + " -> " + c.to()));
 *   node.awaitRole(Role.PRIMARY, Duration.ofMinutes(2));
 * }   // close(): PostgreSQL stopped, the lock handed over
 * }</pre>
 */
public final class PgQuorum {
  /** The version of this embedding API (major.minor); see the package documentation. */
  public static final String API_VERSION = "1.0";

  private PgQuorum() {}

  /** Starts a node from its YAML file, with this process's environment as the {@code PATRONI_*} overlay. */
  public static EmbeddedNode start(Path yamlFile) {
    return start(yamlFile, System.getenv());
  }

  /** Starts a node from its YAML file. */
  public static EmbeddedNode start(Path yamlFile, Map<String, String> env) {
    return start(() -> ConfigLoader.load(yamlFile, env));
  }

  /** Starts a node from YAML text; {@code sourceName} names it in error messages. */
  public static EmbeddedNode start(String yaml, String sourceName, Map<String, String> env) {
    return start(() -> ConfigLoader.parse(yaml, sourceName, env));
  }

  /**
   * Starts a node from a settings tree: maps, lists and scalars in the YAML file's layout (e.g. {@code Map.of("scope",
   * "demo", "name", "node1", "restapi", Map.of(...), ...)}).
   */
  public static EmbeddedNode start(Map<String, Object> settings, Map<String, String> env) {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    String yaml = new Yaml(o).dump(settings);
    return start(() -> ConfigLoader.parse(yaml, "the settings map", env));
  }

  private static EmbeddedNode start(Supplier<NodeConfig> config) {
    NodeConfig c;
    try {
      c = config.get();
    } catch (ConfigException e) {
      throw new PgQuorumException(e.getMessage(), e.problems(), e);
    }
    try {
      return new EmbeddedNode(PgQuorumNode.start(c));
    } catch (ConfigException e) {
      throw new PgQuorumException(e.getMessage(), e.problems(), e);
    } catch (NodeStartException e) {
      throw new PgQuorumException(e.getMessage(), List.of(e.getMessage()), e);
    }
  }
}
