package io.pgquorum.coordinator.config;

import io.pgquorum.coordinator.config.ConfigKey.Kind;

/** The {@code raft} section: this node's member of the embedded DCS, in Patroni's {@code raft} layout. */
final class RaftKeys {
  static final KeyTable TABLE = new KeyTable("raft", "`raft`");
  private static final KeyTable T = TABLE;

  static final ConfigKey SELF_ADDR = T.key("self_addr", Kind.ADDRESS).required().env()
      .accepts("host:port or id@host:port")
      .why("where the other members reach this one; also its member id unless written as id@host:port");
  static final ConfigKey BIND_ADDR = T.key("bind_addr", Kind.ADDRESS).env().defaultIs("`raft.self_addr`")
      .why("the address to bind when it differs from self_addr (NAT, 0.0.0.0)");
  static final ConfigKey PARTNER_ADDRS = T.key("partner_addrs", Kind.ADDRESSES).env().defaultIs("none")
      .why("the other members (not this one), for a new group's first start");
  static final ConfigKey DATA_DIR = T.key("data_dir", Kind.PATH).required().env()
      .why("the Raft log and snapshots; not inside the PostgreSQL data directory, which re-clones empty");
  static final ConfigKey TLS = T.key("tls", Kind.SECTION)
      .why("mutual TLS between members and for DCS clients (pgctl too); required off loopback unless "
          + "raft.insecure");
  static final ConfigKey TLS_CERTFILE = T.key("tls.certfile", Kind.PATH).defaultIs("required in `raft.tls`")
      .why("this member's certificate");
  static final ConfigKey TLS_KEYFILE = T.key("tls.keyfile", Kind.PATH).defaultIs("required in `raft.tls`")
      .why("its private key, unencrypted PKCS#8");
  static final ConfigKey TLS_CAFILE = T.key("tls.cafile", Kind.PATH).defaultIs("required in `raft.tls`")
      .why("the CA every member's certificate must chain to");
  static final ConfigKey INSECURE = T.bool("insecure", false).env()
      .why("accept plaintext Raft off loopback. Without TLS the Raft port takes writes and membership changes from "
          + "anyone who can reach it, so such a member refuses to start unless this says the network is trusted");
  static final ConfigKey JOIN = T.bool("join", false).env()
      .why("on an empty data_dir, join the group as a new member instead of founding one (a lost data_dir, a new "
          + "member); ignored while data_dir holds a log. Off, because a member with it never founds a group");
  static final ConfigKey LEASE_REFRESH = T.key("lease_refresh", Kind.CHOICE).dflt("leader_local").env()
      .choices("leader_local", "durable")
      .why("how the leader lock's refreshes travel. leader_local: the Raft leader re-arms the lease in memory and "
          + "answers once a majority confirmed its term after the refresh arrived (no log entry, no fsync on three "
          + "members each cycle; a new Raft leader restarts every lease from its election, so the lock outlives a "
          + "Raft leader change by up to an election). durable: every refresh is a Raft log entry. Safe to differ "
          + "between members during a change");
  static final ConfigKey ELECTION_TIMEOUT = T.fractionalSeconds("election_timeout", 0.5, 100, 5_000).env()
      .why("how long a member hears nothing from the Raft leader before it calls an election (each wait is drawn "
          + "between this and twice this; a leader that heard no majority for twice this steps down). The same on "
          + "every member. Shorter brings the DCS back sooner after its leader's node dies (a new leader 0.64-1.41 s "
          + "after the kill at 0.5, 0.39-0.61 s at 0.25, cores saturated), and the primary's lock must outlast that "
          + "(keep ttl - retry_timeout well above it); but a member paused for twice this (a garbage collection on a "
          + "loaded machine: 0.48 s measured) then loses leadership for nothing: at 0.25 a 30-minute soak saw it "
          + "once, and the primary's refreshes went 2.7 s unanswered (bench results election-timeout-2026-12-06). "
          + "0.5: Ratis' 0.15 flapped on a cold JVM on two cores");
  static final ConfigKey PASSWORD = T.refused("password", Kind.SECRET).env()
      .why("pgquorum does not use pysyncobj's shared-password encryption. Configure raft.tls (certfile, keyfile, "
          + "cafile) to encrypt and authenticate member traffic, or remove raft.password to run without "
          + "encryption (on a non-loopback address that also needs raft.insecure: true)");

  private RaftKeys() {}
}
