package io.pgquorum.coordinator.config;

import io.pgquorum.coordinator.config.ConfigKey.Kind;

/** The {@code tags} section: Patroni's tags with their meaning; any other tag is kept and published as written. */
final class TagsKeys {
  static final KeyTable TABLE = new KeyTable("tags", "`tags`");
  private static final KeyTable T = TABLE;

  static final ConfigKey NOFAILOVER = T.bool("nofailover", false)
      .why("never take the leader lock");
  static final ConfigKey NOLOADBALANCE = T.bool("noloadbalance", false)
      .why("`GET /replica` answers 503, so load balancers skip this node");
  static final ConfigKey CLONEFROM = T.bool("clonefrom", false)
      .why("other nodes prefer this one as a base backup source, then stream from the leader (or their "
          + "replicatefrom member)");
  static final ConfigKey REPLICATEFROM = T.key("replicatefrom", Kind.TEXT).defaultIs("none: the leader")
      .why("stream from this member (cascading) while it runs, else from the leader");
  static final ConfigKey NOSYNC = T.bool("nosync", false)
      .why("never become a synchronous standby");
  static final ConfigKey SYNC_PRIORITY = T.key("sync_priority", Kind.INTEGER).dflt(1L)
      .range(Integer.MIN_VALUE, Integer.MAX_VALUE).what("a whole number (0 or less = never synchronous)")
      .accepts("whole number (0 or less = never synchronous)")
      .why("higher is chosen first for synchronous duty; 0 or less never becomes a synchronous standby, as `nosync` "
          + "(Patroni 4.1's)");
  static final ConfigKey FAILOVER_PRIORITY = T.key("failover_priority", Kind.INTEGER).dflt(1L)
      .range(0, Integer.MAX_VALUE).what("a whole number (0 = never promote)")
      .why("higher wins among equally healthy candidates; 0 never promotes");

  static final ConfigKey NOSTREAM = T.bool("nostream", false)
      .why("this replica does not stream: it replays only what restore_command fetches from the archive (no "
          + "primary_conninfo), and no replication slot is kept for it (Patroni's nostream; no effect on a primary)");

  private TagsKeys() {}
}
