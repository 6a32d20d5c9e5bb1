package io.pgquorum.coordinator.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code postgresql} section: how this node runs its PostgreSQL.
 *
 * @param listen address PostgreSQL listens on ({@code listen_addresses} and {@code port}; the host part may be a
 *     comma-separated list)
 * @param connectAddress host:port other members and clients use (Patroni's conn_url)
 * @param dataDir PGDATA
 * @param binDir PostgreSQL binaries (default {@link #DEFAULT_BIN_DIR})
 * @param pgpass the password file pgquorum writes for its own libpq-based tools (basebackup, rewind)
 * @param superuser superuser role created at bootstrap, used by pgquorum for probes and rewind fallbacks
 * @param replication replication role created at bootstrap, used by replicas
 * @param rewind role used by pg_rewind, when different from the superuser
 * @param parameters local PostgreSQL parameters (override the dynamic ones, except the cluster-wide ones)
 * @param pgHba local pg_hba lines; when empty the dynamic config's (or bootstrap's) are used
 * @param createReplicaMethods method names tried in order ({@code basebackup} is built in)
 * @param replicaMethods custom replica methods by name
 * @param basebackup options for pg_basebackup: strings become {@code --opt}, one-key maps {@code --opt=value}
 * @param useUnixSocket connect to the local PostgreSQL through its Unix socket
 * @param usePgRewind local override of the dynamic use_pg_rewind, when set
 * @param pgCtlTimeout seconds to wait for start/stop/promote
 * @param removeDataDirectoryOnRewindFailure re-clone when pg_rewind fails
 * @param removeDataDirectoryOnDivergedTimelines re-clone when timelines diverged and rewind is off
 * @param recoveryConf local {@code recovery_conf}: this replica's recovery settings (restore_command, ...); when
 *     not empty it replaces the dynamic one as a whole, as under Patroni ({@link RecoveryConf})
 * @param callbacks the callback, pre_promote and before_stop scripts
 */
public record PostgresConfig(
    HostPort listen,
    HostPort connectAddress,
    Path dataDir,
    Path binDir,
    Path pgpass,
    Credentials superuser,
    Credentials replication,
    Optional<Credentials> rewind,
    Map<String, String> parameters,
    List<String> pgHba,
    List<String> createReplicaMethods,
    Map<String, CustomMethod> replicaMethods,
    List<String> basebackup,
    boolean useUnixSocket,
    Optional<Boolean> usePgRewind,
    int pgCtlTimeout,
    boolean removeDataDirectoryOnRewindFailure,
    boolean removeDataDirectoryOnDivergedTimelines,
    Map<String, String> recoveryConf,
    CallbacksConfig callbacks) {
  public PostgresConfig {
    parameters = Map.copyOf(parameters);
    recoveryConf = Map.copyOf(recoveryConf);
    pgHba = List.copyOf(pgHba);
    createReplicaMethods = List.copyOf(createReplicaMethods);
    replicaMethods = Map.copyOf(replicaMethods);
    basebackup = List.copyOf(basebackup);
  }

  /** Without callback scripts. */
  public PostgresConfig(HostPort listen, HostPort connectAddress, Path dataDir, Path binDir, Path pgpass,
      Credentials superuser, Credentials replication, Optional<Credentials> rewind, Map<String, String> parameters,
      List<String> pgHba, List<String> createReplicaMethods, Map<String, CustomMethod> replicaMethods,
      List<String> basebackup, boolean useUnixSocket, Optional<Boolean> usePgRewind, int pgCtlTimeout,
      boolean removeDataDirectoryOnRewindFailure, boolean removeDataDirectoryOnDivergedTimelines,
      Map<String, String> recoveryConf) {
    this(listen, connectAddress, dataDir, binDir, pgpass, superuser, replication, rewind, parameters, pgHba,
        createReplicaMethods, replicaMethods, basebackup, useUnixSocket, usePgRewind, pgCtlTimeout,
        removeDataDirectoryOnRewindFailure, removeDataDirectoryOnDivergedTimelines, recoveryConf,
        CallbacksConfig.NONE);
  }

  /** Without a local recovery_conf. */
  public PostgresConfig(HostPort listen, HostPort connectAddress, Path dataDir, Path binDir, Path pgpass,
      Credentials superuser, Credentials replication, Optional<Credentials> rewind, Map<String, String> parameters,
      List<String> pgHba, List<String> createReplicaMethods, Map<String, CustomMethod> replicaMethods,
      List<String> basebackup, boolean useUnixSocket, Optional<Boolean> usePgRewind, int pgCtlTimeout,
      boolean removeDataDirectoryOnRewindFailure, boolean removeDataDirectoryOnDivergedTimelines) {
    this(listen, connectAddress, dataDir, binDir, pgpass, superuser, replication, rewind, parameters, pgHba,
        createReplicaMethods, replicaMethods, basebackup, useUnixSocket, usePgRewind, pgCtlTimeout,
        removeDataDirectoryOnRewindFailure, removeDataDirectoryOnDivergedTimelines, Map.of());
  }

  /** Debian's PostgreSQL 15 binaries ({@code postgresql.bin_dir}'s default, declared in {@link PostgresKeys}). */
  public static final Path DEFAULT_BIN_DIR = PostgresKeys.defaultBinDir();

  /** The role pg_rewind connects as. */
  public Credentials rewindRole() {
    return rewind.orElse(superuser);
  }
}
