package io.pgquorum.coordinator.config;

import io.pgquorum.coordinator.config.ConfigKey.Kind;
import java.util.List;

/** The {@code bootstrap} section: used once, by the node that wins the race to initialize the cluster. */
final class BootstrapKeys {
  static final KeyTable TABLE = new KeyTable("bootstrap", "`bootstrap`");
  private static final KeyTable T = TABLE;

  static final ConfigKey DCS = T.key("dcs", Kind.SECTION).defaultIs("the next table's defaults")
      .why("seeds the DCS `config` key; afterwards the key is what every node uses (see the next table)");
  static final ConfigKey METHOD = T.key("method", Kind.TEXT).dflt("initdb")
      .accepts("`initdb`, `backrest` or a method name")
      .why("a custom bootstrap method (its section `bootstrap.<method>` says how), e.g. a restore from backup; "
          + "`backrest` (with a `backrest` section) is built in: the race winner restores the stanza's backup");
  static final ConfigKey METHOD_COMMAND = T.key("<method>.command", Kind.COMMAND).defaultIs("required in a method")
      .why("the command that creates the data directory; gets --scope and --datadir, and every other key of the "
          + "section as --key=value");
  static final ConfigKey METHOD_NO_PARAMS = T.bool("<method>.no_params", false)
      .why("do not add --scope and --datadir");
  static final ConfigKey METHOD_KEEP_EXISTING_RECOVERY_CONF = T.bool("<method>.keep_existing_recovery_conf", false)
      .why("keep the recovery settings the command wrote");
  static final ConfigKey METHOD_RECOVERY_CONF = T.key("<method>.recovery_conf", Kind.SETTINGS).defaultIs("none")
      .why("recovery settings for the first start (point-in-time recovery)");
  static final ConfigKey BACKREST = T.key("backrest", Kind.SECTION).defaultIs("the next keys' defaults")
      .why("the built-in `bootstrap.method: backrest`: which backup and recovery target the race winner restores "
          + "(a section with a `command` is a custom method instead, Patroni's way)");
  static final ConfigKey BACKREST_TYPE = T.key("backrest.type", Kind.CHOICE).dflt("latest")
      .choices("latest", "time", "lsn", "xid", "name", "immediate")
      .why("where recovery stops: `latest` is the end of the archive, `immediate` the backup's consistency point; "
          + "the new cluster is promoted there");
  static final ConfigKey BACKREST_TARGET = T.key("backrest.target", Kind.TEXT)
      .defaultIs("required for time, lsn, xid and name; refused for latest and immediate")
      .why("the recovery target, as pgBackRest's --target (e.g. `0/3000060`, `2026-12-04 10:00:00+00`)");
  static final ConfigKey BACKREST_TARGET_EXCLUSIVE = T.bool("backrest.target_exclusive", false)
      .why("stop just before the target instead of just after it (time, lsn and xid)");
  static final ConfigKey BACKREST_SET = T.key("backrest.set", Kind.TEXT)
      .defaultIs("pgBackRest's choice: the latest, or for a time target the newest that ended before it")
      .why("the backup label to restore, e.g. `20261202-155319F`");
  static final ConfigKey INITDB = T.key("initdb", Kind.OPTIONS).defaultIs("none")
      .why("initdb options: `data-checksums` becomes --data-checksums, `{encoding: UTF8}` --encoding=UTF8");
  static final ConfigKey PG_HBA = T.key("pg_hba", Kind.LIST).defaultIs("none")
      .why("pg_hba.conf lines written after initdb (deprecated in Patroni; prefer `postgresql.pg_hba`)");
  static final ConfigKey POST_BOOTSTRAP = T.key("post_bootstrap", Kind.COMMAND).alias("post_init")
      .why("run once after the new cluster is up, with a connection URL as its argument");

  static {
    T.ignored("users").why("Patroni removed it; create roles in the post_bootstrap script");
  }

  /** The keys of a custom method's section ({@code bootstrap.<method>}), in the order they are read. */
  static final List<ConfigKey> METHOD_KEYS = List.of(METHOD_COMMAND, METHOD_NO_PARAMS,
      METHOD_KEEP_EXISTING_RECOVERY_CONF, METHOD_RECOVERY_CONF);

  private BootstrapKeys() {}
}
