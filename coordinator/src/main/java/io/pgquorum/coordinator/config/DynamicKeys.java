package io.pgquorum.coordinator.config;

import io.pgquorum.coordinator.config.ConfigKey.Kind;
import java.util.List;

/**
 * The keys of the dynamic configuration: {@code bootstrap.dcs} in a node's file, then the JSON {@code config} key
 * in the DCS that every node reads (changed with {@code PATCH /config} or {@code pgctl edit-config}). Names and
 * layout are Patroni's; paths here are relative to that document.
 *
 * <p>Timing invariant (Patroni's, kept for the same reason): {@code loop_wait + 2 * retry_timeout <= ttl}. A
 * primary refreshes its lease once per loop; a refresh attempt may take up to retry_timeout; the primary must be
 * able to notice a failed refresh, retry once, and still demote before the lease runs out on the majority side.
 * When a document breaks it, {@link DynamicConfigParser} lowers loop_wait first, then retry_timeout, and says which
 * value it changed. The defaults satisfy it (1 + 2 * 1 <= 5).
 */
final class DynamicKeys {
  static final KeyTable TABLE = new KeyTable("", "`bootstrap.dcs` and the DCS `config` key (cluster-wide)");
  private static final KeyTable T = TABLE;
  private static final int MAX_SECONDS = 86_400;
  private static final long MAX_MILLIS = MAX_SECONDS * 1_000L;

  static final ConfigKey TTL = T.fractionalSeconds("ttl", 5, 0, MAX_MILLIS)
      .atLeast(4_000, "a shorter lease cannot be refreshed reliably on a busy machine, and every hiccup would become a "
          + "failover")
      .why("the leader lease. Patroni's is 30; the embedded DCS commits in milliseconds and expires a lease within "
          + "ttl*(1+rho)/(1-rho) of the last refresh, so a short lease is safe, and it is what makes failover fast. "
          + "5 rather than the minimum: when the replica whose node leads the DCS's Raft group dies, the DCS answers "
          + "nobody until an election ends (0.6-1.4 s measured on a saturated 2-core machine, plus up to 0.5 s of a "
          + "client's attempt), and the primary's lease "
          + "(ttl - retry_timeout) must outlast that with room to spare (bench's replica-loss suite). Safe to change "
          + "at any time");
  static final ConfigKey LOOP_WAIT = T.fractionalSeconds("loop_wait", 1, 100, MAX_MILLIS)
      .why("time between HA cycles (Patroni: 10); each cycle costs one DCS read and one write. At least 0.1 s: "
          + "the loop's shortest wait");
  static final ConfigKey RETRY_TIMEOUT = T.fractionalSeconds("retry_timeout", 1, 1_000, MAX_MILLIS)
      .why("how long a DCS or PostgreSQL operation may take before it counts as failed; the DCS client's timeout "
          + "follows it. At least 1 s: it is also the lease's safety margin, and the worst case of fencing "
          + "PostgreSQL (PostgresFence) must fit in half of it");
  static final ConfigKey MAXIMUM_LAG_ON_FAILOVER = T.key("maximum_lag_on_failover", Kind.BYTES)
      .dflt(1_048_576L).range(0, Long.MAX_VALUE)
      .why("how far a replica may lag the last known primary position and still be promoted (Patroni's default)");
  static final ConfigKey PRIMARY_START_TIMEOUT = T.seconds("primary_start_timeout", 300, 0, MAX_SECONDS)
      .alias("master_start_timeout")
      .why("how long a primary whose PostgreSQL crashed keeps the lock while crash recovery runs, before a replica "
          + "may take over (Patroni's default and meaning; 0 = fail over at once). Long, because a restart loses no "
          + "transaction while an asynchronous failover may");
  static final ConfigKey PAUSE = T.bool("pause", false)
      .why("maintenance mode (Patroni's): the nodes keep the lock and their member keys but never start, stop, "
          + "promote or demote PostgreSQL on their own, so an operator can work on it by hand. Set by `pgctl "
          + "pause`/`resume` or `PATCH /config`. Unlike Patroni, the leader still fences its PostgreSQL when its "
          + "lease really runs out, and a primary without the lock is still demoted: a writable PostgreSQL always "
          + "has a valid lease");
  static final ConfigKey FAILSAFE_MODE = T.bool("failsafe_mode", false)
      .why("a primary that cannot reach the DCS keeps running while every member listed in the `failsafe` key "
          + "answers its POST /failsafe (each then promises not to race for the lock for one ttl, with the DCS's "
          + "clock-rate allowance); any member missing and it demotes at its lease deadline (Patroni's). Only for "
          + "DCS errors: a lock that belongs to someone else still demotes at once");
  static final ConfigKey RAFT_LEADERSHIP_OFF_PRIMARY = T.bool("raft_leadership_off_primary", true)
      .why("pgquorum's own: a primary whose node also leads the DCS's Raft group hands that leadership to another "
          + "voter, so that losing the primary's node does not also leave the DCS without a leader (measured: "
          + "1.2-1.8 s unanswered) during the failover, and so that leader-local lease refreshes, where a new Raft "
          + "leader restarts the lock's lease at its full ttl, do not lengthen it. Costs one short DCS pause per "
          + "transfer, and a failed one an election, so after a failure the next is asked 30 s later at the "
          + "earliest; never a safety condition");
  static final ConfigKey POSTGRESQL = T.key("postgresql", Kind.SECTION)
      .why("the PostgreSQL settings every node shares");
  static final ConfigKey USE_PG_REWIND = T.bool("postgresql.use_pg_rewind", false)
      .why("rewind a former primary whose timeline diverged instead of re-cloning it. Patroni's default; "
          + "recommended (pgquorum always sets wal_log_hints)");
  static final ConfigKey USE_SLOTS = T.bool("postgresql.use_slots", true)
      .why("the primary keeps a physical replication slot per member, so it keeps the WAL a replica still needs "
          + "(Patroni's default)");
  static final ConfigKey PARAMETERS = T.key("postgresql.parameters", Kind.SETTINGS).defaultIs("none")
      .why("PostgreSQL settings for every node; those that must be equal on every node (max_connections, "
          + "wal_level, ...) are taken only from here");
  static final ConfigKey RECOVERY_CONF = T.key("postgresql.recovery_conf", Kind.SETTINGS).defaultIs("none")
      .why("every replica's recovery settings (restore_command to fetch WAL from an archive, "
          + "archive_cleanup_command, recovery_min_apply_delay, ...), unless a node sets its own; recovery targets "
          + "and primary_conninfo are never taken from here");
  static final ConfigKey PG_HBA = T.key("postgresql.pg_hba", Kind.LIST).defaultIs("none")
      .why("pg_hba.conf lines for every node whose own `postgresql.pg_hba` is empty");

  static final ConfigKey STANDBY_CLUSTER = T.key("standby_cluster", Kind.SECTION).defaultIs("none")
      .why("makes this a standby cluster that follows a remote one (Patroni's disaster-recovery setup): the lock "
          + "holder is a standby leader replicating from `host`:`port` or only from the archive (`restore_command`), "
          + "the other members cascade from it, and elections run as usual. Any of host, port, restore_command makes "
          + "it one; removing the section promotes the cluster (its standby leader becomes a writable primary)");
  static final ConfigKey STANDBY_HOST = T.key("standby_cluster.host", Kind.TEXT).defaultIs("none: archive only")
      .why("the remote primary's host (libpq's: several, comma-separated, make the standby leader connect to the "
          + "writable one, target_session_attrs=read-write). Required with `port`");
  static final ConfigKey STANDBY_PORT = T.key("standby_cluster.port", Kind.INTEGER).dflt(5432L).range(1, 65535)
      .why("the remote primary's PostgreSQL port");
  static final ConfigKey STANDBY_PRIMARY_SLOT_NAME = T.key("standby_cluster.primary_slot_name", Kind.TEXT)
      .defaultIs("none").accepts("lower-case letters, digits and `_`, at most 63")
      .why("a physical replication slot on the remote primary for the standby leader, so the remote keeps the WAL "
          + "it has not received. Create it on the remote cluster (and keep it across the remote's failovers): "
          + "without it the standby leader relies on the remote's wal_keep_size or the archive");
  static final ConfigKey STANDBY_RESTORE_COMMAND = T.key("standby_cluster.restore_command", Kind.COMMAND)
      .defaultIs("none")
      .why("the standby leader's restore_command: fetches WAL from the remote's archive (e.g. `pgbackrest "
          + "--stanza=main archive-get %f \"%p\"`), alone (archive only) or as the fallback of streaming");
  static final ConfigKey STANDBY_ARCHIVE_CLEANUP_COMMAND =
      T.key("standby_cluster.archive_cleanup_command", Kind.COMMAND).defaultIs("none")
          .why("the standby leader's archive_cleanup_command");
  static final ConfigKey STANDBY_RECOVERY_MIN_APPLY_DELAY =
      T.key("standby_cluster.recovery_min_apply_delay", Kind.TEXT).defaultIs("0")
          .accepts("a number of milliseconds, or a number with a unit (us, ms, s, min, h, d)")
          .why("delays the standby leader's replay by this much (PostgreSQL's setting): a window to stop a mistake "
              + "on the remote before it reaches this cluster");
  static final ConfigKey STANDBY_CREATE_REPLICA_METHODS =
      T.key("standby_cluster.create_replica_methods", Kind.LIST).dflt(List.of("basebackup"))
          .why("how the first standby leader's data directory is made from the remote, tried in order: "
              + "`basebackup` (pg_basebackup from host:port as the replication user) or the name of a node's "
              + "`postgresql.<method>` section (e.g. a restore from the remote's pgBackRest repository, the way "
              + "an archive-only standby cluster starts)");

  static final ConfigKey SLOTS = T.key("slots", Kind.SECTION).defaultIs("none")
      .accepts("a mapping of slot names (lower-case letters, digits and `_`, at most 63) to `{type: physical}` or "
          + "`{type: logical, database: <db>, plugin: <plugin>}`")
      .why("permanent replication slots (Patroni's), e.g. for a backup tool or an external standby: a physical one "
          + "is made on the primary and copied to every replica, moved along to the primary's position for it, so "
          + "that it exists after a failover. Removing one from here drops it (once inactive) on every node, even "
          + "if it existed before it was named here. A logical one (`wal_level: logical`) is made on the primary in "
          + "its database, copied onto every replica that may be promoted (a restart of that replica, PostgreSQL 15 "
          + "cannot make one on a standby) and moved along there, so that a consumer continues on the new primary "
          + "after a failover; removing it drops only the copies and slots pgquorum made. See \"Permanent logical "
          + "slots\"");

  static final ConfigKey MEMBER_SLOTS_TTL = T.key("member_slots_ttl", Kind.TEXT).dflt("30min")
      .accepts("a whole number of seconds, or of a unit: `ms`, `s`, `min`, `h`, `d` (e.g. `30min`); 0 turns it off")
      .what("a whole number of seconds, or of a unit (ms, s, min, h, d), e.g. 30min")
      .why("how long the leader keeps the replication slot of a member that is gone (its member key expired: "
          + "stopped, crashed or cut off), and every replica its copy, so that the member can come back and stream "
          + "from where it stopped instead of being re-cloned. Patroni 4's key and default; 0 drops the slot as soon "
          + "as the member key is gone (Patroni 3). The price: the primary keeps the WAL that member still needs for "
          + "as long, so a member that will not come back should be removed (its slot goes when this runs out)");

  // Synchronous replication (Patroni's keys and meanings). Read into SyncSettings; on and quorum are enforced by the
  // HA loop (coordinator.ha.SyncDuty over the pure rules of coordinator.ha.sync).
  static final ConfigKey SYNCHRONOUS_MODE = T.key("synchronous_mode", Kind.TEXT).dflt(false)
      .accepts("a boolean (`off`/`on`, `false`/`true`) or `quorum`")
      .what("a boolean (off/on, false/true) or quorum")
      .why("synchronous replication: `on` makes commits wait for the synchronous standbys listed in the `sync` key, "
          + "and only they (or the former leader) may be promoted; `quorum` makes commits wait for ANY "
          + "synchronous_node_count of them, and a candidate needs votes from the `sync` key's voters. Off by "
          + "default, as Patroni's: commits do not wait, and a failover may lose the last ones. Both modes are "
          + "enforced");
  static final ConfigKey SYNCHRONOUS_MODE_STRICT = T.bool("synchronous_mode_strict", false)
      .why("with no synchronous standby available, commits wait (they hang, they are not refused) instead of the "
          + "primary falling back to asynchronous replication (Patroni's; synchronous_standby_names `*`). Enforced in "
          + "`on` mode; while commits wait, /patroni (`pgquorum.sync_commits_blocked`), /metrics "
          + "(`pgquorum_sync_commits_blocked`) and pgctl list (`Commits blocked on: ...`) say so");
  static final ConfigKey SYNCHRONOUS_NODE_COUNT = T.key("synchronous_node_count", Kind.INTEGER).dflt(1L)
      .range(1, Integer.MAX_VALUE)
      .why("how many synchronous standbys a commit waits for (capped by the eligible standbys; Patroni's default). "
          + "Enforced in `on` and `quorum` modes");
  static final ConfigKey MAXIMUM_LAG_ON_SYNCNODE = T.key("maximum_lag_on_syncnode", Kind.BYTES).dflt(-1L)
      .range(-1, Long.MAX_VALUE)
      .why("a synchronous standby lagging more than this behind the most advanced replica (or the primary, with one "
          + "replica) loses its synchronous duty to a healthier one; 0 or less never checks (Patroni's default -1). "
          + "Enforced in `on` and `quorum` modes, on the standbys' flush positions");

  static {
    // Patroni keys pgquorum does not implement. The default is Patroni's: spelling it out changes nothing, so
    // it is not reported (only the postgresql ones are reported whenever present).
    T.ignored("postgresql.pg_ident").add();
    T.ignored("check_timeline").dflt(false).add();
    T.ignored("max_timelines_history").dflt(0L).add();
    T.ignored("primary_stop_timeout").dflt(0L).add();
    T.ignored("master_stop_timeout").dflt(0L).add();
    T.ignored("ignore_slots").add();
  }

  private DynamicKeys() {}
}
