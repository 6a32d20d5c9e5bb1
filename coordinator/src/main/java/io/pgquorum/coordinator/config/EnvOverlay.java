package io.pgquorum.coordinator.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Applies Patroni's {@code PATRONI_*} environment variables on top of the loaded document: the environment wins.
 * Each variable maps to the one key that declares it ({@link ConfigKey#env()}: {@code PATRONI_POSTGRESQL_DATA_DIR}
 * to {@code postgresql.data_dir}); list-valued ones ({@code PATRONI_RAFT_PARTNER_ADDRS},
 * {@code PATRONI_RESTAPI_ALLOWLIST}) take either a YAML list ({@code [a:1, b:2]} or block form) or plain
 * comma-separated text, as Patroni does. Empty variables are ignored.
 *
 * <p>Values arrive as text; the section parsers accept text for numbers and booleans, so {@code "30"} and
 * {@code "on"} work. Every key set here is remembered so that an error names the variable, and every
 * {@code *_PASSWORD} value is registered as a secret. Variables for other DCSs (etcd, Consul, ...) are reported and
 * ignored rather than refused: container platforms inject similarly named variables on their own.
 */
final class EnvOverlay {
  private static final Set<String> FOREIGN_SUFFIXES = Set.of("HOST", "HOSTS", "PORT", "URL", "PROXY", "SRV",
      "SRV_SUFFIX", "PROTOCOL", "USERNAME", "PASSWORD", "CACERT", "CERT", "KEY", "TOKEN", "NAMESPACE", "LABELS",
      "USE_ENDPOINTS", "POD_IP", "PORTS", "SCOPE_LABEL", "ROLE_LABEL", "BYPASS_API_SERVICE", "USE_PROXIES");

  /** Where a variable goes: the key, and its path (a role key's with the role filled in). */
  private record Target(ConfigKey key, String path) {}

  /** Variable -> target, for every key of a node's file that declares a variable (role keys once per role). */
  private static final Map<String, Target> TARGETS = new LinkedHashMap<>();
  /** Pre-2.0 variable -> its current name. */
  private static final Map<String, String> LEGACY = new LinkedHashMap<>();

  static {
    for (KeyTable table : ConfigKeys.NODE_TABLES) {
      for (ConfigKey key : table.keys()) {
        if (key.env().isEmpty()) {
          continue;
        }
        String variable = key.env().get();
        if (key.path().contains(PostgresKeys.ROLE)) {
          for (String role : PostgresKeys.ROLES) {
            declare(variable.replace("<ROLE>", role.toUpperCase(Locale.ROOT)),
                new Target(key, key.pathFor(PostgresKeys.ROLE, role)));
          }
        } else {
          declare(variable, new Target(key, key.path()));
        }
        key.legacyEnv().ifPresent(old -> LEGACY.put(old, variable));
      }
    }
  }

  /** Other DCSs' variable prefixes ({@code PATRONI_ETCD3_...}). */
  private static final Set<String> FOREIGN_DCS = NodeKeys.FOREIGN_DCS.stream()
      .map(k -> k.name().toUpperCase(Locale.ROOT)).collect(Collectors.toSet());

  private EnvOverlay() {}

  private static void declare(String variable, Target target) {
    if (TARGETS.put(variable, target) != null) {
      throw new IllegalStateException(variable + " is declared for two configuration keys");
    }
  }

  /** Overlays {@code env} onto {@code tree} (modified in place). */
  static void apply(Map<String, Object> tree, Map<String, String> env, Problems problems) {
    // Sorted, so that messages come in a stable order whatever the map implementation.
    Map<String, String> vars = new TreeMap<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey() != null && e.getKey().startsWith("PATRONI_") && e.getValue() != null
          && !e.getValue().isEmpty()) {
        vars.put(e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<String, String> e : vars.entrySet()) {
      if (e.getKey().endsWith("PASSWORD")) {
        problems.addSecret(e.getValue());
      }
    }
    // The pre-2.0 names, honoured when the current one is not set.
    LEGACY.forEach((old, current) -> legacy(vars, old, current));

    for (Map.Entry<String, String> e : vars.entrySet()) {
      String var = e.getKey();
      Target target = TARGETS.get(var);
      if (target != null) {
        String path = target.path();
        problems.recordEnvOrigin(path, var);
        ConfigKey.Kind kind = target.key().kind();
        boolean listValued = kind == ConfigKey.Kind.LIST || kind == ConfigKey.Kind.ADDRESSES;
        Object value = listValued ? parseList(var, path, e.getValue(), problems) : e.getValue();
        if (value != null) {
          put(tree, path, value);
        }
      } else if (isForeignDcs(var)) {
        problems.note(var + " is ignored: pgquorum embeds its own DCS, configured in the raft section");
      }
    }
  }

  private static void legacy(Map<String, String> vars, String old, String current) {
    String v = vars.remove(old);
    if (v != null && !vars.containsKey(current)) {
      vars.put(current, v);
    }
  }

  private static boolean isForeignDcs(String var) {
    String rest = var.substring("PATRONI_".length());
    int us = rest.indexOf('_');
    return us > 0 && FOREIGN_DCS.contains(rest.substring(0, us)) && FOREIGN_SUFFIXES.contains(rest.substring(us + 1));
  }

  /** Patroni's list syntax: YAML when it looks like YAML (a '[' or a leading '-'), else comma-separated. */
  private static List<Object> parseList(String var, String path, String text, Problems problems) {
    String t = text.trim();
    if (t.startsWith("-") || t.contains("[")) {
      Object parsed;
      try {
        parsed = YamlDocument.load(t, var);
      } catch (ConfigException e) {
        problems.error(path, "not a valid YAML list");
        return null;
      }
      if (!(parsed instanceof List)) {
        problems.error(path, "must be a list (comma-separated or YAML [a, b])");
        return null;
      }
      return new ArrayList<>((List<?>) YamlDocument.normalise(parsed));
    }
    List<Object> out = new ArrayList<>();
    for (String item : t.split(",")) {
      if (!item.isBlank()) {
        out.add(item.trim());
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> tree, String path, Object value) {
    String[] parts = path.split("\\.");
    Map<String, Object> node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = node.get(parts[i]);
      if (!(child instanceof Map)) {
        // Absent, null, or not a section at all: the environment wins and starts the section afresh.
        child = new LinkedHashMap<String, Object>();
        node.put(parts[i], child);
      }
      node = (Map<String, Object>) child;
    }
    node.put(parts[parts.length - 1], value);
  }
}
