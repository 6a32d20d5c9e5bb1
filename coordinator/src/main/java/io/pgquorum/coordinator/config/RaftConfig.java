package io.pgquorum.coordinator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code raft} section: this node's member of the embedded DCS. Mirrors Patroni's {@code raft} section
 * (self_addr, bind_addr, partner_addrs, data_dir), which is why users can keep their layout.
 *
 * @param selfAddr address other members reach this member at ({@code host:port} or {@code id@host:port})
 * @param bindAddr address to bind, when it differs from selfAddr (NAT, 0.0.0.0)
 * @param partnerAddrs the other members' addresses at bootstrap
 * @param dataDir Raft log and snapshots; must not be inside the PostgreSQL data directory
 * @param tls mutual TLS between members, when configured (certfile, keyfile, cafile)
 * @param insecure {@code raft.insecure}: the operator accepts plaintext Raft on non-loopback addresses (default
 *     false: such a member refuses to start without {@code raft.tls}, because the Raft port accepts writes and
 *     membership changes from anyone who can reach it)
 * @param join {@code raft.join} (default false; {@code PATRONI_RAFT_JOIN}, {@code bin/pgquorum --join}): on an
 *     empty data_dir, come in as a new member through a membership change instead of founding a group or
 *     resuming as a voter. Needed to bring back a member whose data_dir was lost, and to add a member that is
 *     not in the other members' configuration. Ignored (with a warning) while data_dir holds this member's log,
 *     so leaving it on is harmless; but a member with it never founds a new group.
 * @param leaseRefresh {@code raft.lease_refresh} (default leader-local): how this member serves, and this node's
 *     DCS client asks for, refreshes of the leader lock (see {@link LeaseRefresh})
 * @param electionTimeout {@code raft.election_timeout} (default 0.5 s): the least time this member waits without
 *     hearing from the Raft leader before it calls an election; each wait is drawn between it and twice it
 */
public record RaftConfig(
    String selfAddr, Optional<String> bindAddr, List<String> partnerAddrs, Path dataDir, Optional<RaftTls> tls,
    boolean insecure, boolean join, LeaseRefresh leaseRefresh, Duration electionTimeout) {
  /** {@code raft.election_timeout}'s default (declared with the key, {@link RaftKeys}). */
  public static final Duration DEFAULT_ELECTION_TIMEOUT = RaftKeys.ELECTION_TIMEOUT.defaultDuration();

  public RaftConfig {
    partnerAddrs = List.copyOf(partnerAddrs);
  }

  /**
   * A section without {@code raft.insecure}, {@code raft.join} (both false), {@code raft.lease_refresh} and
   * {@code raft.election_timeout}.
   */
  public RaftConfig(String selfAddr, Optional<String> bindAddr, List<String> partnerAddrs, Path dataDir,
      Optional<RaftTls> tls) {
    this(selfAddr, bindAddr, partnerAddrs, dataDir, tls, false, false, LeaseRefresh.LEADER_LOCAL,
        DEFAULT_ELECTION_TIMEOUT);
  }

  /**
   * {@code raft.lease_refresh}. LEADER_LOCAL: a refresh of the existing lock is re-armed in the Raft leader's
   * memory and answered after a majority confirmed the leader's term (raft-dcs {@code LeaseTracker}, "Leader-local
   * refresh"); anything it cannot serve so takes the log. DURABLE: every refresh is a log entry.
   */
  public enum LeaseRefresh {
    LEADER_LOCAL, DURABLE
  }

  /** PEM files for member-to-member TLS. */
  public record RaftTls(Path certfile, Path keyfile, Path cafile) {}
}
