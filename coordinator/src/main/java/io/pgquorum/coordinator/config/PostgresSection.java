package io.pgquorum.coordinator.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The {@code postgresql} section. */
final class PostgresSection {
  /** The built-in replica method; {@code postgresql.basebackup} holds its options, not a method section. */
  static final String BASEBACKUP = "basebackup";

  /**
   * Settings that must be identical on every node (a replica with fewer max_connections than its primary refuses
   * to start); like Patroni, they come only from the dynamic configuration.
   */
  static final Set<String> CLUSTER_WIDE = Set.of("max_connections", "max_wal_senders", "max_replication_slots",
      "wal_level", "max_prepared_transactions", "max_locks_per_transaction", "track_commit_timestamp",
      "max_worker_processes", "wal_log_hints", "wal_keep_size");

  /** libpq connection options allowed next to username/password (Patroni's list, plus newer libpq ones). */
  private static final List<String> LIBPQ_OPTIONS = List.of("sslmode", "sslcert", "sslkey", "sslrootcert",
      "sslcrl", "sslcrldir", "sslnegotiation", "gssencmode", "channel_binding");

  private PostgresSection() {}

  /** Null (after reporting) when the section is missing or broken. */
  static PostgresConfig parse(Section root) {
    Problems problems = root.problems();
    int before = problems.errorCount();
    Optional<Section> section = root.section("postgresql");
    if (section.isEmpty()) {
      if (problems.errorCount() == before) {
        problems.error("postgresql", "is required, with at least listen, data_dir and authentication");
      }
      return null;
    }
    Section s = section.get();
    HostPort listen = null;
    if (!s.has("listen")) {
      problems.error(s.keyPath("listen"), "is required (host:port PostgreSQL listens on, e.g. 0.0.0.0:5432)");
    } else {
      listen = Addresses.parse(s.keyPath("listen"), s.value("listen"), Addresses.Kind.LISTEN_LIST, problems);
    }
    HostPort connect = null;
    if (s.has("connect_address")) {
      connect = Addresses.parse(s.keyPath("connect_address"), s.value("connect_address"),
          Addresses.Kind.CONNECT, problems);
    } else if (listen != null) {
      List<String> hosts = Addresses.hosts(listen);
      if (hosts.size() > 1 || Addresses.isWildcard(hosts.get(0))) {
        problems.error(s.keyPath("connect_address"), "is required when postgresql.listen is " + listen
            + ": replicas and clients need one address they can reach");
      } else {
        connect = listen;
      }
    }

    Path dataDir = s.requiredPath("data_dir");
    if (dataDir != null && dataDir.toAbsolutePath().getParent() == null) {
      problems.error(s.keyPath("data_dir"), "must not be the filesystem root");
      dataDir = null;
    }
    Path binDir = s.path("bin_dir").orElse(PostgresConfig.DEFAULT_BIN_DIR);
    Path pgpass = s.path("pgpass").orElse(dataDir == null ? null : defaultPgpass(dataDir));

    Credentials superuser = null;
    Credentials replication = null;
    Optional<Credentials> rewind = Optional.empty();
    int authErrorsBefore = problems.errorCount();
    Optional<Section> auth = s.section("authentication");
    if (auth.isEmpty()) {
      if (problems.errorCount() == authErrorsBefore) {
        problems.error(s.keyPath("authentication"), "is required, with superuser and replication roles "
            + "(username and password each)");
      }
    } else {
      Section a = auth.get();
      superuser = role(a, "superuser", true);
      replication = role(a, "replication", true);
      rewind = Optional.ofNullable(role(a, "rewind", false));
      a.warnUnknown();
      warnWithoutPassword(a, "superuser", superuser);
      warnWithoutPassword(a, "replication", replication);
      warnWithoutPassword(a, "rewind", rewind.orElse(null));
    }

    Map<String, String> parameters = localParameters(s);
    List<String> pgHba = s.stringList("pg_hba");
    List<String> methods = replicaMethodNames(s);
    Map<String, CustomMethod> replicaMethods = new LinkedHashMap<>();
    for (String m : methods) {
      if (!m.equals(BASEBACKUP)) {
        CustomMethod cm = CustomMethods.replica(s, m);
        if (cm != null) {
          replicaMethods.put(m, cm);
        }
      }
    }
    List<String> basebackup = CommandOptions.parse(s, "basebackup", CommandOptions.BASEBACKUP_RESERVED);
    boolean useUnixSocket = s.bool("use_unix_socket", false);
    Optional<Boolean> usePgRewind = s.bool("use_pg_rewind");
    int pgCtlTimeout = s.integer("pg_ctl_timeout", "an integer number of seconds", 1, 86_400, 60);
    boolean removeOnRewindFailure = s.bool("remove_data_directory_on_rewind_failure", false);
    boolean removeOnDiverged = s.bool("remove_data_directory_on_diverged_timelines", false);

    s.unsupported("config_dir", "configuration files stay in the data directory");
    s.unsupported("bin_name", null);
    s.unsupported("pg_ident", null);
    s.unsupported("recovery_conf", null);
    s.unsupported("custom_conf", null);
    s.unsupported("callbacks", "no on_start/on_stop/on_role_change scripts are run");
    s.unsupported("pre_promote", "promotion is not gated by a script");
    s.unsupported("before_stop", null);
    s.unsupported("use_unix_socket_repl", null);
    s.unsupported("proxy_address", null);
    // Sections of custom replica methods that are defined but not (yet) listed in create_replica_methods.
    for (String key : s.unasked()) {
      Object v = s.peek(key);
      if (v instanceof Map && ((Map<?, ?>) v).containsKey("command")) {
        CustomMethod cm = CustomMethods.replica(s, key);
        if (cm != null) {
          replicaMethods.put(key, cm);
        }
      }
    }
    s.warnUnknown();
    if (problems.errorCount() > before) {
      return null;
    }
    return new PostgresConfig(listen, connect, dataDir, binDir, pgpass, superuser, replication, rewind, parameters,
        pgHba, methods, replicaMethods, basebackup, useUnixSocket, usePgRewind, pgCtlTimeout, removeOnRewindFailure,
        removeOnDiverged);
  }

  /**
   * Where pgquorum keeps its libpq password file unless {@code postgresql.pgpass} says otherwise: next to the data
   * directory, named after it ({@code /var/lib/postgresql/15/main} gives
   * {@code /var/lib/postgresql/15/.pgpass_pgquorum_main}). Not inside the data directory, which pg_basebackup
   * needs empty; not in /tmp, which is shared; named after the data directory so that two nodes on one machine
   * never share a file.
   */
  static Path defaultPgpass(Path dataDir) {
    Path abs = dataDir.toAbsolutePath().normalize();
    return abs.getParent().resolve(".pgpass_pgquorum_" + abs.getFileName());
  }

  /**
   * A role without a password gets no pg_hba.conf line from pgquorum (it never writes trust), so it needs a
   * configured one; for the superuser this matters most, because pgquorum itself connects as it (TCP, loopback).
   */
  private static void warnWithoutPassword(Section auth, String name, Credentials role) {
    if (role == null || role.password().isPresent()) {
      return;
    }
    auth.problems().warn(auth.keyPath(name) + ".password", "is not set: pgquorum writes no pg_hba.conf line "
        + "for role " + role.username() + " (it never writes trust), so postgresql.pg_hba must let the role "
        + "connect from this host another way (e.g. hostssl with cert and sslcert/sslkey here)"
        + (name.equals("superuser") ? "; pgquorum itself connects as this role over TCP to the loopback" : ""));
  }

  private static Credentials role(Section auth, String name, boolean required) {
    Problems problems = auth.problems();
    int before = problems.errorCount();
    Optional<Section> section = auth.section(name);
    if (section.isEmpty()) {
      if (required && problems.errorCount() == before) {
        problems.error(auth.keyPath(name), "is required (username, and password unless the role authenticates "
            + "otherwise)");
      }
      return null;
    }
    Section r = section.get();
    String username = r.requiredString("username");
    Optional<String> password = r.secret("password");
    Map<String, String> extra = new LinkedHashMap<>();
    for (String option : LIBPQ_OPTIONS) {
      r.string(option).ifPresent(v -> extra.put(option, v));
    }
    r.secret("sslpassword").ifPresent(v -> extra.put("sslpassword", v));
    r.warnUnknown();
    if (problems.errorCount() > before) {
      return null;
    }
    return new Credentials(username, password, extra);
  }

  private static Map<String, String> localParameters(Section s) {
    Map<String, String> parameters = Parameters.parse(s, "parameters");
    Problems problems = s.problems();
    String prefix = s.keyPath("parameters");
    for (Iterator<String> it = parameters.keySet().iterator(); it.hasNext(); ) {
      String name = it.next();
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.equals("listen_addresses") || lower.equals("port")) {
        problems.warn(prefix + "." + name, "ignored: PostgreSQL listens where postgresql.listen says");
        it.remove();
      } else if (CLUSTER_WIDE.contains(lower)) {
        problems.warn(prefix + "." + name, "ignored: it must be equal on every node, so it is taken only from "
            + "the dynamic configuration (bootstrap.dcs.postgresql.parameters)");
        it.remove();
      }
    }
    return parameters;
  }

  private static List<String> replicaMethodNames(Section s) {
    if (!s.has("create_replica_methods")) {
      return List.of(BASEBACKUP);
    }
    List<String> names = s.stringList("create_replica_methods");
    String path = s.keyPath("create_replica_methods");
    if (names.isEmpty() && s.value("create_replica_methods") instanceof List) {
      s.problems().error(path, "must name at least one method (basebackup is built in)");
    }
    Set<String> seen = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i).trim();
      if (!seen.add(n)) {
        s.problems().error(path + "[" + i + "]", "lists " + n + " twice");
      } else {
        out.add(n);
      }
    }
    return out;
  }
}
