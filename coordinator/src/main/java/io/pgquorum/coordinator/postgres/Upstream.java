package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.StandbyCluster;
import java.util.Optional;

/**
 * The server a replica streams from (or clones/rewinds from).
 *
 * @param name the member name; also the replication slot on the upstream is named after <em>this</em> node,
 *     and {@code application_name} in primary_conninfo is this node's name
 * @param host host of its PostgreSQL (empty for an archive-only {@link #remote})
 * @param port port of its PostgreSQL
 * @param remote present when this is the remote a standby cluster's leader follows ({@code standby_cluster}): its
 *     slot, restore_command, apply delay and replica methods are the section's, not this cluster's
 */
public record Upstream(String name, String host, int port, Optional<StandbyCluster> remote) {
  /** How a standby leader's upstream is named in logs and task labels. */
  public static final String REMOTE_NAME = "the remote primary";

  /** A member of this cluster. */
  public Upstream(String name, String host, int port) {
    this(name, host, port, Optional.empty());
  }

  /** The remote primary (or only its archive) that {@code standbyCluster}'s standby leader follows. */
  public static Upstream remote(StandbyCluster standbyCluster) {
    return new Upstream(REMOTE_NAME, standbyCluster.host().orElse(""), standbyCluster.port(),
        Optional.of(standbyCluster));
  }

  /**
   * host:port as a replica's probe reports its upstream from primary_conninfo (an IPv6 host in brackets); empty
   * for an archive-only remote, which has no primary_conninfo.
   */
  public String address() {
    if (!streams()) {
      return "";
    }
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }

  /** Whether there is a server to stream from (an archive-only remote has none). */
  public boolean streams() {
    return !host.isEmpty();
  }
}
