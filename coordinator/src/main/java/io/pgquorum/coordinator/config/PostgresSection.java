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
   * The built-in restore from the pgBackRest repository (issue 13); needs the node's {@code backrest} section. A
   * {@code postgresql.backrest} method section, if an operator wrote one, is a custom method and wins.
   */
  static final String BACKREST = "backrest";

  /**
   * Settings that must be identical on every node (a replica with fewer max_connections than its primary refuses
   * to start); like Patroni, they come only from the dynamic configuration.
   */
  static final Set<String> CLUSTER_WIDE = Set.of("max_connections", "max_wal_senders", "max_replication_slots",
      "wal_level", "max_prepared_transactions", "max_locks_per_transaction", "track_commit_timestamp",
      "max_worker_processes", "wal_log_hints", "wal_keep_size");

  private PostgresSection() {}

  /** Null (after reporting) when the section is missing or broken. */
  static PostgresConfig parse(Section root) {
    Problems problems = root.problems();
    int before = problems.errorCount();
    Optional<Section> section = root.section(PostgresKeys.TABLE.prefix());
    if (section.isEmpty()) {
      if (problems.errorCount() == before) {
        problems.error(PostgresKeys.TABLE.prefix(), "is required, with at least listen, data_dir and authentication");
      }
      return null;
    }
    Section s = section.get();
    HostPort listen = null;
    if (!s.has(PostgresKeys.LISTEN)) {
      problems.error(s.keyPath(PostgresKeys.LISTEN), "is required (host:port PostgreSQL listens on, e.g. "
          + "0.0.0.0:5432)");
    } else {
      listen = Addresses.parse(s.keyPath(PostgresKeys.LISTEN), s.value(PostgresKeys.LISTEN),
          Addresses.Kind.LISTEN_LIST, problems);
    }
    HostPort connect = null;
    if (s.has(PostgresKeys.CONNECT_ADDRESS)) {
      connect = Addresses.parse(s.keyPath(PostgresKeys.CONNECT_ADDRESS), s.value(PostgresKeys.CONNECT_ADDRESS),
          Addresses.Kind.CONNECT, problems);
    } else if (listen != null) {
      List<String> hosts = Addresses.hosts(listen);
      if (hosts.size() > 1 || Addresses.isWildcard(hosts.get(0))) {
        problems.error(s.keyPath(PostgresKeys.CONNECT_ADDRESS), "is required when "
            + PostgresKeys.LISTEN.path() + " is " + listen + ": replicas and clients need one address they can "
            + "reach");
      } else {
        connect = listen;
      }
    }

    Path dataDir = s.requiredPath(PostgresKeys.DATA_DIR);
    if (dataDir != null && dataDir.toAbsolutePath().getParent() == null) {
      problems.error(s.keyPath(PostgresKeys.DATA_DIR), "must not be the filesystem root");
      dataDir = null;
    }
    Path binDir = s.path(PostgresKeys.BIN_DIR).orElse(PostgresKeys.defaultBinDir());
    Path pgpass = s.path(PostgresKeys.PGPASS).orElse(dataDir == null ? null : defaultPgpass(dataDir));

    Credentials superuser = null;
    Credentials replication = null;
    Optional<Credentials> rewind = Optional.empty();
    int authErrorsBefore = problems.errorCount();
    Optional<Section> auth = s.section(PostgresKeys.AUTHENTICATION);
    if (auth.isEmpty()) {
      if (problems.errorCount() == authErrorsBefore) {
        problems.error(s.keyPath(PostgresKeys.AUTHENTICATION), "is required, with superuser and replication roles "
            + "(username and password each)");
      }
    } else {
      Section a = auth.get();
      superuser = role(a, PostgresKeys.SUPERUSER, true);
      replication = role(a, PostgresKeys.REPLICATION, true);
      rewind = Optional.ofNullable(role(a, PostgresKeys.REWIND, false));
      a.warnUnknown();
      warnWithoutPassword(a, PostgresKeys.SUPERUSER, superuser);
      warnWithoutPassword(a, PostgresKeys.REPLICATION, replication);
      warnWithoutPassword(a, PostgresKeys.REWIND, rewind.orElse(null));
    }

    Map<String, String> parameters = localParameters(s);
    List<String> pgHba = s.stringList(PostgresKeys.PG_HBA);
    Map<String, String> recoveryConf = RecoveryConf.parse(s, PostgresKeys.RECOVERY_CONF);
    boolean backrestOn = root.keys().contains(NodeKeys.BACKREST.name());
    List<String> methods = replicaMethodNames(s, backrestOn);
    Map<String, CustomMethod> replicaMethods = new LinkedHashMap<>();
    for (int i = 0; i < methods.size(); i++) {
      String m = methods.get(i);
      if (m.equals(BACKREST) && s.section(BACKREST).isEmpty()) {
        if (!backrestOn) {
          problems.error(s.keyPath(PostgresKeys.CREATE_REPLICA_METHODS) + "[" + i + "]", "lists backrest, the "
              + "built-in restore from the pgBackRest repository, but this file has no backrest section");
        }
      } else if (!m.equals(BASEBACKUP)) {
        CustomMethod cm = CustomMethods.replica(s, m);
        if (cm != null) {
          replicaMethods.put(m, cm);
        }
      }
    }
    List<String> basebackup = CommandOptions.parse(s, PostgresKeys.BASEBACKUP, CommandOptions.BASEBACKUP_RESERVED);
    boolean useUnixSocket = s.boolOrDefault(PostgresKeys.USE_UNIX_SOCKET);
    Optional<Boolean> usePgRewind = s.bool(PostgresKeys.USE_PG_REWIND);
    int pgCtlTimeout = s.integer(PostgresKeys.PG_CTL_TIMEOUT);
    boolean removeOnRewindFailure = s.boolOrDefault(PostgresKeys.REMOVE_DATA_DIRECTORY_ON_REWIND_FAILURE);
    boolean removeOnDiverged = s.boolOrDefault(PostgresKeys.REMOVE_DATA_DIRECTORY_ON_DIVERGED_TIMELINES);
    CallbacksConfig callbacks = CallbacksSection.parse(s);

    s.unsupported(PostgresKeys.TABLE.keys(ConfigKey.Support.IGNORED));
    // Sections of custom replica methods that are defined but not (yet) listed in create_replica_methods.
    for (String key : s.unasked()) {
      Object v = s.peek(key);
      if (v instanceof Map && ((Map<?, ?>) v).containsKey(PostgresKeys.METHOD_COMMAND.name())) {
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
        removeOnDiverged, recoveryConf, callbacks);
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
    String key = auth.keyPath(name) + "." + PostgresKeys.ROLE_PASSWORD.name();
    auth.problems().warn(key, "is not set: pgquorum writes no pg_hba.conf line for role " + role.username()
        + " (it never writes trust), so postgresql.pg_hba must let the role "
        + "connect from this host another way (e.g. hostssl with cert and sslcert/sslkey here)"
        + (name.equals(PostgresKeys.SUPERUSER) ? "; pgquorum itself connects as this role over TCP to the loopback"
            : ""));
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
    String username = r.requiredString(PostgresKeys.ROLE_USERNAME);
    Optional<String> password = r.secret(PostgresKeys.ROLE_PASSWORD);
    Map<String, String> extra = new LinkedHashMap<>();
    for (ConfigKey option : PostgresKeys.ROLE_LIBPQ) {
      r.string(option).ifPresent(v -> extra.put(option.name(), v));
    }
    r.secret(PostgresKeys.ROLE_SSLPASSWORD).ifPresent(v -> extra.put(PostgresKeys.ROLE_SSLPASSWORD.name(), v));
    r.warnUnknown();
    if (problems.errorCount() > before) {
      return null;
    }
    return new Credentials(username, password, extra);
  }

  private static Map<String, String> localParameters(Section s) {
    Map<String, String> parameters = Parameters.parse(s, PostgresKeys.PARAMETERS);
    Problems problems = s.problems();
    String prefix = s.keyPath(PostgresKeys.PARAMETERS);
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

  private static List<String> replicaMethodNames(Section s, boolean backrestOn) {
    ConfigKey key = PostgresKeys.CREATE_REPLICA_METHODS;
    if (!s.has(key)) {
      if (backrestOn) {
        // With a repository, a replica (and a reinitialize) restores from it first: only the WAL since the
        // backup comes from the leader, and an old data directory is reused with --delta.
        return List.of(BACKREST, BASEBACKUP);
      }
      @SuppressWarnings("unchecked")
      List<String> dflt = (List<String>) key.defaultValue().orElseThrow();
      return dflt;
    }
    List<String> names = s.stringList(key);
    String path = s.keyPath(key);
    if (names.isEmpty() && s.value(key) instanceof List) {
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
