package io.pgquorum.coordinator.config;

import java.nio.file.Path;
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
 */
public record RaftConfig(String selfAddr, Optional<String> bindAddr, List<String> partnerAddrs, Path dataDir,
    Optional<RaftTls> tls, boolean insecure) {
  public RaftConfig {
    partnerAddrs = List.copyOf(partnerAddrs);
  }

  /** A section without {@code raft.insecure} (the default: plaintext only on loopback). */
  public RaftConfig(String selfAddr, Optional<String> bindAddr, List<String> partnerAddrs, Path dataDir,
      Optional<RaftTls> tls) {
    this(selfAddr, bindAddr, partnerAddrs, dataDir, tls, false);
  }

  /** PEM files for member-to-member TLS. */
  public record RaftTls(Path certfile, Path keyfile, Path cafile) {}
}
