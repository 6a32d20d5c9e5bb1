package io.pgquorum.coordinator.config;

import java.util.List;
import java.util.Optional;

/**
 * The dynamic configuration's {@code standby_cluster} section (Patroni's): this cluster follows a remote one. Its
 * lock holder is the <em>standby leader</em>, a standby of the remote primary ({@code host}/{@code port}) or of
 * the archive only ({@code restore_command}); every other member cascades from the standby leader. Removing the
 * section promotes the cluster. The keys, defaults and reasons are in {@link DynamicKeys}.
 *
 * @param host the remote primary's host (libpq's {@code host}: a comma-separated list is allowed); empty for an
 *     archive-only standby cluster
 * @param port the remote primary's port
 * @param primarySlotName the replication slot on the remote primary the standby leader streams through, if any
 *     (it must exist there: the remote cluster keeps it, e.g. as a permanent slot)
 * @param restoreCommand the standby leader's {@code restore_command} (fetches WAL from the remote's archive)
 * @param archiveCleanupCommand the standby leader's {@code archive_cleanup_command}
 * @param recoveryMinApplyDelay the standby leader's {@code recovery_min_apply_delay}, as PostgreSQL reads it
 * @param createReplicaMethods how the standby leader's first data directory is made from the remote, in order
 *     ({@code basebackup} or the names of {@code postgresql.<method>} sections)
 */
public record StandbyCluster(
    Optional<String> host,
    int port,
    Optional<String> primarySlotName,
    Optional<String> restoreCommand,
    Optional<String> archiveCleanupCommand,
    Optional<String> recoveryMinApplyDelay,
    List<String> createReplicaMethods) {
  public StandbyCluster {
    createReplicaMethods = List.copyOf(createReplicaMethods);
  }

  /** Whether the standby leader streams from a remote primary (else it only restores from the archive). */
  public boolean streams() {
    return host.isPresent();
  }
}
