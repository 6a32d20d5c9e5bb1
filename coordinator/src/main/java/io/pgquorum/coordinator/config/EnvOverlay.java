package io.pgquorum.coordinator.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Applies Patroni's {@code PATRONI_*} environment variables on top of the loaded document: the environment wins.
 * Each variable maps to one key ({@code PATRONI_POSTGRESQL_DATA_DIR} to {@code postgresql.data_dir}); list-valued
 * ones ({@code PATRONI_RAFT_PARTNER_ADDRS}, {@code PATRONI_RESTAPI_ALLOWLIST}) take either a YAML list
 * ({@code [a:1, b:2]} or block form) or plain comma-separated text, as Patroni does. Empty variables are ignored.
 *
 * <p>Values arrive as text; the section parsers accept text for numbers and booleans, so {@code "30"} and
 * {@code "on"} work. Every key set here is remembered so that an error names the variable, and every
 * {@code *_PASSWORD} value is registered as a secret. Variables for other DCSs (etcd, Consul, ...) are reported and
 * ignored rather than refused: container platforms inject similarly named variables on their own.
 */
final class EnvOverlay {
  private static final List<String> USER_PARAMS = List.of("USERNAME", "PASSWORD", "SSLMODE", "SSLCERT", "SSLKEY",
      "SSLPASSWORD", "SSLROOTCERT", "SSLCRL", "SSLCRLDIR", "SSLNEGOTIATION", "GSSENCMODE", "CHANNEL_BINDING");
  private static final Set<String> LIST_VALUED = Set.of("raft.partner_addrs", "restapi.allowlist");
  private static final Set<String> FOREIGN_DCS =
      Set.of("ETCD", "ETCD3", "CONSUL", "ZOOKEEPER", "EXHIBITOR", "KUBERNETES");
  private static final Set<String> FOREIGN_SUFFIXES = Set.of("HOST", "HOSTS", "PORT", "URL", "PROXY", "SRV",
      "SRV_SUFFIX", "PROTOCOL", "USERNAME", "PASSWORD", "CACERT", "CERT", "KEY", "TOKEN", "NAMESPACE", "LABELS",
      "USE_ENDPOINTS", "POD_IP", "PORTS", "SCOPE_LABEL", "ROLE_LABEL", "BYPASS_API_SERVICE", "USE_PROXIES");

  /** Variable -> key path, for everything that is a plain copy. */
  private static final Map<String, String> PLAIN = plainMappings();

  private EnvOverlay() {}

  private static Map<String, String> plainMappings() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String k : List.of("NAME", "SCOPE", "NAMESPACE")) {
      m.put("PATRONI_" + k, k.toLowerCase(Locale.ROOT));
    }
    for (String k : List.of("LEVEL", "DIR", "FORMAT", "TRACEBACK_LEVEL", "DATEFORMAT", "MAX_QUEUE_SIZE",
        "FILE_SIZE", "FILE_NUM", "LOGGERS", "TYPE")) {
      m.put("PATRONI_LOG_" + k, "log." + k.toLowerCase(Locale.ROOT));
    }
    for (String k : List.of("LISTEN", "CONNECT_ADDRESS", "ALLOWLIST", "ALLOWLIST_INCLUDE_MEMBERS", "CERTFILE",
        "KEYFILE", "KEYFILE_PASSWORD", "CAFILE", "CIPHERS", "VERIFY_CLIENT", "HTTP_EXTRA_HEADERS",
        "HTTPS_EXTRA_HEADERS", "REQUEST_QUEUE_SIZE")) {
      m.put("PATRONI_RESTAPI_" + k, "restapi." + k.toLowerCase(Locale.ROOT));
    }
    m.put("PATRONI_RESTAPI_USERNAME", "restapi.authentication.username");
    m.put("PATRONI_RESTAPI_PASSWORD", "restapi.authentication.password");
    for (String k : List.of("INSECURE", "CACERT", "CERTFILE", "KEYFILE", "KEYFILE_PASSWORD")) {
      m.put("PATRONI_CTL_" + k, "ctl." + k.toLowerCase(Locale.ROOT));
    }
    m.put("PATRONI_CTL_USERNAME", "ctl.authentication.username");
    m.put("PATRONI_CTL_PASSWORD", "ctl.authentication.password");
    for (String k : List.of("LISTEN", "CONNECT_ADDRESS", "DATA_DIR", "BIN_DIR", "PGPASS", "CONFIG_DIR",
        "PROXY_ADDRESS")) {
      m.put("PATRONI_POSTGRESQL_" + k, "postgresql." + k.toLowerCase(Locale.ROOT));
    }
    for (String user : List.of("SUPERUSER", "REPLICATION", "REWIND")) {
      for (String p : USER_PARAMS) {
        m.put("PATRONI_" + user + "_" + p,
            "postgresql.authentication." + user.toLowerCase(Locale.ROOT) + "." + p.toLowerCase(Locale.ROOT));
      }
    }
    for (String k : List.of("SELF_ADDR", "BIND_ADDR", "PARTNER_ADDRS", "DATA_DIR", "PASSWORD", "INSECURE", "JOIN")) {
      m.put("PATRONI_RAFT_" + k, "raft." + k.toLowerCase(Locale.ROOT));
    }
    return m;
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
    legacy(vars, "PATRONI_LOGLEVEL", "PATRONI_LOG_LEVEL");
    legacy(vars, "PATRONI_LOGFORMAT", "PATRONI_LOG_FORMAT");

    for (Map.Entry<String, String> e : vars.entrySet()) {
      String var = e.getKey();
      String path = PLAIN.get(var);
      if (path != null) {
        problems.recordEnvOrigin(path, var);
        Object value = LIST_VALUED.contains(path) ? parseList(var, path, e.getValue(), problems) : e.getValue();
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
