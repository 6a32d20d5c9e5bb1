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
      .accepts("`initdb` or a method name")
      .why("a custom bootstrap method (its section `bootstrap.<method>` says how), e.g. a restore from backup");
  static final ConfigKey METHOD_COMMAND = T.key("<method>.command", Kind.COMMAND).defaultIs("required in a method")
      .why("the command that creates the data directory; gets --scope and --datadir, and every other key of the "
          + "section as --key=value");
  static final ConfigKey METHOD_NO_PARAMS = T.bool("<method>.no_params", false)
      .why("do not add --scope and --datadir");
  static final ConfigKey METHOD_KEEP_EXISTING_RECOVERY_CONF = T.bool("<method>.keep_existing_recovery_conf", false)
      .why("keep the recovery settings the command wrote");
  static final ConfigKey METHOD_RECOVERY_CONF = T.key("<method>.recovery_conf", Kind.SETTINGS).defaultIs("none")
      .why("recovery settings for the first start (point-in-time recovery)");
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
