package io.pgquorum.coordinator.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** Builds test configurations: a minimal valid tree that each test bends in one place. */
final class TestConfigs {
  static final String SUPERUSER_PASSWORD = "su-Pw-1xyz";
  static final String REPLICATION_PASSWORD = "rep-Pw-2xyz";

  static final String MINIMAL = String.join("\n",
      "scope: demo",
      "name: node1",
      "restapi:",
      "  listen: 127.0.0.1:8008",
      "raft:",
      "  self_addr: 127.0.0.1:5010",
      "  partner_addrs: [127.0.0.1:5011, 127.0.0.1:5012]",
      "  data_dir: /srv/pgq/raft",
      "postgresql:",
      "  listen: 127.0.0.1:5432",
      "  data_dir: /srv/pgq/data",
      "  authentication:",
      "    superuser: {username: postgres, password: '" + SUPERUSER_PASSWORD + "'}",
      "    replication: {username: replicator, password: '" + REPLICATION_PASSWORD + "'}",
      "");

  private TestConfigs() {}

  /** A fresh, mutable copy of {@link #MINIMAL} as a tree. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> minimal() {
    return (Map<String, Object>) YamlDocument.normalise(new Yaml().load(MINIMAL));
  }

  /** Sets {@code path} (dot-separated; {@code a.b[1]} addresses a list item), creating sections as needed. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> set(Map<String, Object> tree, String path, Object value) {
    String[] parts = path.split("\\.");
    Map<String, Object> node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      node = (Map<String, Object>) node.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
    }
    String last = parts[parts.length - 1];
    int bracket = last.indexOf('[');
    if (bracket > 0) {
      List<Object> list = (List<Object>) node.get(last.substring(0, bracket));
      list.set(Integer.parseInt(last.substring(bracket + 1, last.length() - 1)), value);
    } else {
      node.put(last, value);
    }
    return tree;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> remove(Map<String, Object> tree, String path) {
    String[] parts = path.split("\\.");
    Map<String, Object> node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      node = (Map<String, Object>) node.get(parts[i]);
    }
    node.remove(parts[parts.length - 1]);
    return tree;
  }

  static String yaml(Map<String, Object> tree) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(options).dump(tree);
  }

  static NodeConfig parse(Map<String, Object> tree) {
    return ConfigLoader.parse(yaml(tree), "test.yml", Map.of());
  }

  static NodeConfig parse(Map<String, Object> tree, Map<String, String> env) {
    return ConfigLoader.parse(yaml(tree), "test.yml", env);
  }

  /** The problems of a configuration that must be refused. */
  static List<String> problems(Map<String, Object> tree, Map<String, String> env) {
    return problems(yaml(tree), env);
  }

  static List<String> problems(String yaml, Map<String, String> env) {
    List<String> out = new ArrayList<>();
    assertThatThrownBy(() -> ConfigLoader.parse(yaml, "test.yml", env))
        .isInstanceOfSatisfying(ConfigException.class, e -> out.addAll(e.problems()));
    return out;
  }

  static List<Object> list(Object... items) {
    return new ArrayList<>(List.of(items));
  }

  static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  static Path resource(String name) {
    try {
      return Path.of(TestConfigs.class.getResource("/config/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
