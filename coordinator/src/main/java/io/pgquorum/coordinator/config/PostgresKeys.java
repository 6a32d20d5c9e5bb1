package io.pgquorum.coordinator.config;

import io.pgquorum.coordinator.config.ConfigKey.Kind;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The {@code postgresql} section: how this node runs its PostgreSQL. */
final class PostgresKeys {
  static final KeyTable TABLE = new KeyTable("postgresql", "`postgresql`");
  private static final KeyTable T = TABLE;

  /** The placeholder of the role keys, and the roles it stands for. */
  static final String ROLE = "<role>";
  static final String SUPERUSER = "superuser";
  static final String REPLICATION = "replication";
  static final String REWIND = "rewind";
  static final List<String> ROLES = List.of(SUPERUSER, REPLICATION, REWIND);

  static final ConfigKey LISTEN = T.key("listen", Kind.ADDRESS).required().env()
      .accepts("host[,host...]:port")
      .why("PostgreSQL's listen_addresses and port (a `port` or `listen_addresses` parameter is ignored)");
  static final ConfigKey CONNECT_ADDRESS = T.key("connect_address", Kind.ADDRESS).env()
      .defaultIs("`postgresql.listen`, unless that has several hosts or a wildcard")
      .why("how replicas and clients reach this PostgreSQL (the member's conn_url)");
  static final ConfigKey DATA_DIR = T.key("data_dir", Kind.PATH).required().env()
      .why("PGDATA; must be missing, empty or hold a cluster: nothing else in it is ever cloned into or moved");
  static final ConfigKey BIN_DIR = T.key("bin_dir", Kind.PATH).dflt(Path.of("/usr/lib/postgresql/15/bin")).env()
      .why("the PostgreSQL 15 binaries (Debian's location)");
  static final ConfigKey PGPASS = T.key("pgpass", Kind.PATH).env()
      .defaultIs("`.pgpass_pgquorum_<name>` beside the data directory")
      .why("the password file pgquorum writes for its libpq tools: not inside the data directory (re-clones empty "
          + "it), not in /tmp (shared), and one per data directory");
  static final ConfigKey AUTHENTICATION = T.key("authentication", Kind.SECTION).required()
      .why("the roles pgquorum creates at bootstrap and connects as");
  static final ConfigKey ROLE_SECTION = T.key("authentication." + ROLE, Kind.SECTION)
      .defaultIs("required for superuser and replication")
      .why("superuser: pgquorum's own connections; replication: replicas; rewind: pg_rewind (default: the "
          + "superuser)");
  static final ConfigKey ROLE_USERNAME = roleKey("username", Kind.TEXT).defaultIs("required in a role")
      .why("the role's name");
  static final ConfigKey ROLE_PASSWORD = roleKey("password", Kind.SECRET)
      .why("without one, pgquorum writes no pg_hba.conf line for the role (never trust): admit it in "
          + "`postgresql.pg_hba`");
  static final List<ConfigKey> ROLE_LIBPQ = List.of("sslmode", "sslcert", "sslkey", "sslrootcert", "sslcrl",
      "sslcrldir", "sslnegotiation", "gssencmode", "channel_binding").stream()
      .map(option -> roleKey(option, Kind.TEXT).why("libpq's " + option + " for this role's connections")).toList();
  static final ConfigKey ROLE_SSLPASSWORD = roleKey("sslpassword", Kind.SECRET)
      .why("libpq's sslpassword for this role's connections");
  static final ConfigKey PARAMETERS = T.key("parameters", Kind.SETTINGS).defaultIs("none")
      .why("this node's PostgreSQL settings, over the dynamic ones; those that must be equal on every node are "
          + "taken only from the dynamic configuration");
  static final ConfigKey PG_HBA = T.key("pg_hba", Kind.LIST).defaultIs("the dynamic configuration's")
      .why("pg_hba.conf lines, written exactly as given after pgquorum's own");
  static final ConfigKey CREATE_REPLICA_METHODS = T.key("create_replica_methods", Kind.LIST)
      .dflt(List.of(PostgresSection.BASEBACKUP))
      .why("how a replica is created (and reinitialized), tried in order; `basebackup` is built in, and so is "
          + "`backrest` (a restore from the pgBackRest repository, `--delta` over a reusable data directory) with a "
          + "`backrest` section, which makes the default `[backrest, basebackup]`; others need a section");
  static final ConfigKey METHOD_COMMAND = T.key("<method>.command", Kind.COMMAND).defaultIs("required in a method")
      .why("a custom replica method; gets --scope, --datadir, --role=replica, --connstring, and every other key of "
          + "the section as --key=value");
  static final ConfigKey METHOD_NO_PARAMS = T.bool("<method>.no_params", false)
      .why("do not add the standard parameters");
  static final ConfigKey METHOD_KEEP_DATA = T.bool("<method>.keep_data", false)
      .why("do not empty the data directory first");
  static final ConfigKey METHOD_NO_LEADER = T.bool("<method>.no_leader", false)
      .why("may run without a leader (e.g. a restore from backup)");
  static final ConfigKey BASEBACKUP = T.key("basebackup", Kind.OPTIONS).defaultIs("none")
      .why("pg_basebackup options: `verbose` becomes --verbose, `{max-rate: 100M}` --max-rate=100M");
  static final ConfigKey RECOVERY_CONF = T.key("recovery_conf", Kind.SETTINGS).defaultIs("the dynamic configuration's")
      .why("a replica's recovery settings (restore_command, archive_cleanup_command, recovery_min_apply_delay, ...), "
          + "replacing the dynamic ones as a whole; recovery targets and primary_conninfo are never taken from here");
  static final ConfigKey USE_UNIX_SOCKET = T.bool("use_unix_socket", false)
      .why("connect to the local PostgreSQL through its Unix socket");
  static final ConfigKey USE_PG_REWIND = T.key("use_pg_rewind", Kind.BOOLEAN)
      .defaultIs("the dynamic `postgresql.use_pg_rewind`")
      .why("this node's override of the cluster-wide setting");
  static final ConfigKey PG_CTL_TIMEOUT = T.seconds("pg_ctl_timeout", 60, 1, 86_400)
      .why("how long a start, stop or promote may take (Patroni's default)");
  static final ConfigKey REMOVE_DATA_DIRECTORY_ON_REWIND_FAILURE =
      T.bool("remove_data_directory_on_rewind_failure", false)
          .why("re-clone when pg_rewind fails (the old directory is moved aside, not deleted)");
  static final ConfigKey REMOVE_DATA_DIRECTORY_ON_DIVERGED_TIMELINES =
      T.bool("remove_data_directory_on_diverged_timelines", false)
          .why("re-clone when timelines diverged and use_pg_rewind is off");

  static final ConfigKey CALLBACKS = T.key("callbacks", Kind.SECTION).defaultIs("none")
      .why("scripts run after PostgreSQL events, as `<cmd> <action> <role> <scope>`, in the background: a new one "
          + "kills one still running, and a failure is only logged (Patroni's callbacks)");
  /** {@code callbacks.on_start} and the others, in {@link CallbackAction}'s order. */
  static final List<ConfigKey> CALLBACK_KEYS = java.util.Arrays.stream(CallbackAction.values())
      .map(a -> T.key("callbacks." + a.key(), Kind.COMMAND).defaultIs("none").why(callbackWhy(a))).toList();
  static final ConfigKey PRE_PROMOTE = T.key("pre_promote", Kind.COMMAND).defaultIs("none")
      .why("run (and waited for, at most pg_ctl_timeout) after the leader lock is taken and before the promotion: "
          + "a non-zero exit aborts the promotion and gives the lock back, and the node stays out of leader races "
          + "for ttl (a fencing hook)");
  static final ConfigKey BEFORE_STOP = T.key("before_stop", Kind.COMMAND).defaultIs("none")
      .why("run (and waited for, at most pg_ctl_timeout) before pgquorum stops a running PostgreSQL; its exit code "
          + "is ignored. Skipped for a primary that must stop at once (its lease is gone or about to run out)");

  static {
    T.ignored("config_dir").env().why("configuration files stay in the data directory");
    T.ignored("bin_name").add();
    T.ignored("pg_ident").add();
    T.ignored("custom_conf").add();
    T.ignored("use_unix_socket_repl").add();
    T.ignored("proxy_address").env().add();
  }

  /** The keys of a custom method's section ({@code postgresql.<method>}), in the order they are read. */
  static final List<ConfigKey> METHOD_KEYS = List.of(METHOD_COMMAND, METHOD_NO_PARAMS, METHOD_KEEP_DATA,
      METHOD_NO_LEADER);

  private PostgresKeys() {}

  private static String callbackWhy(CallbackAction a) {
    switch (a) {
      case ON_START:
        return "after PostgreSQL was started (and once when pgquorum finds it running)";
      case ON_STOP:
        return "after pgquorum stopped PostgreSQL";
      case ON_RESTART:
        return "after PostgreSQL was restarted";
      case ON_RELOAD:
        return "after PostgreSQL's configuration was reloaded";
      case ON_ROLE_CHANGE:
        return "after a promotion (role primary) or a demotion (then role replica once it runs again)";
      default:
        throw new AssertionError(a);
    }
  }

  /** A key of every role: {@code postgresql.authentication.<role>.<name>}, variable PATRONI_<ROLE>_<NAME>. */
  private static ConfigKey.Builder roleKey(String name, Kind kind) {
    return T.key("authentication." + ROLE + "." + name, kind)
        .env("PATRONI_<ROLE>_" + name.toUpperCase(Locale.ROOT));
  }

  /**
   * {@code bin_dir}'s default as a path. Here, not in {@link ConfigKey}: the pure decision types reach ConfigKey
   * through their value records (Tags, DynamicConfig), and must not reach file-system types (ArchitectureTest).
   */
  static Path defaultBinDir() {
    return (Path) BIN_DIR.defaultValue().orElseThrow();
  }
}
