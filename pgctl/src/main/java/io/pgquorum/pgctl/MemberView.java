package io.pgquorum.pgctl;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One member as {@code pgctl list} shows it: the values patronictl derives from a member key, before any
 * formatting.
 *
 * @param name member name
 * @param host host from the member's conn_url, when it has one
 * @param port port from the member's conn_url, when it names one
 * @param role Leader, Standby Leader, Sync Standby, Quorum Standby or Replica
 * @param state the replication state for a replica that reports one, else the PostgreSQL state
 * @param timeline the timeline the member reported, when it reported one
 * @param lagBytes how far the member is behind the leader's WAL position, when known (never for the leader)
 * @param lagApplies false for the leader, whose lag cell stays empty
 * @param pendingRestart the member waits for a restart to apply a parameter change
 * @param scheduledRestart a scheduled restart, as patronictl prints it
 * @param pendingRestartReason the parameters waiting for the restart, {@code param: old->new} each (from the
 *     member key's {@code pending_restart_reason}, when it publishes one)
 * @param tags the member's tags
 * @param archiveFailing the member says its WAL archiving fails ({@code archive_failing} in its key)
 * @param commitsBlocked the member, a primary, says its commits wait for synchronous standbys that are not there
 *     ({@code sync_commits_blocked} in its key)
 */
record MemberView(
    String name,
    Optional<String> host,
    OptionalInt port,
    String role,
    String state,
    OptionalInt timeline,
    OptionalLong lagBytes,
    boolean lagApplies,
    boolean pendingRestart,
    Optional<String> scheduledRestart,
    Map<String, Object> tags,
    java.util.List<String> pendingRestartReason,
    boolean archiveFailing,
    boolean commitsBlocked) {

  static final String UNKNOWN = "unknown";

  MemberView {
    tags = Map.copyOf(tags);
    pendingRestartReason = java.util.List.copyOf(pendingRestartReason);
  }

  /** Leader or Standby Leader: the root of the topology tree. */
  boolean isLeader() {
    return role.endsWith("Leader");
  }

  /** The member this one replicates from, when its {@code replicatefrom} tag names one. */
  Optional<String> replicatesFrom() {
    Object v = tags.get("replicatefrom");
    return v == null || String.valueOf(v).isBlank() ? Optional.empty() : Optional.of(String.valueOf(v));
  }

  /**
   * The "Lag in MB" cell: empty for the leader, {@code unknown} when either position is unknown, else whole
   * mebibytes rounded half to even (what Python's {@code round} does, so the numbers match patronictl's).
   */
  Object lagInMb() {
    if (!lagApplies) {
      return "";
    }
    if (lagBytes.isEmpty()) {
      return UNKNOWN;
    }
    return new java.math.BigDecimal(lagBytes.getAsLong())
        .divide(java.math.BigDecimal.valueOf(1024L * 1024L), 0, java.math.RoundingMode.HALF_EVEN)
        .longValueExact();
  }
}
