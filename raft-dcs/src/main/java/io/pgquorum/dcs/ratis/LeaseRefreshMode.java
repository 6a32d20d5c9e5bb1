package io.pgquorum.dcs.ratis;

/**
 * How a refresh of an existing lease travels (issue 15). Either way a successful refresh guarantees the same thing
 * to its caller (see {@code io.pgquorum.dcs.lease.LeaseTracker}); creating a lease, changing its ttl and expiring
 * it are always log entries.
 */
public enum LeaseRefreshMode {
  /** Every refresh is a Raft log entry, written and fsynced on a majority. */
  DURABLE,
  /**
   * The Raft leader re-arms the lease in its own memory and answers after a majority confirmed its term at a
   * moment after the refresh arrived; anything it cannot serve that way (not the leader, a refusal, an expiry
   * in flight, a membership change) goes through the log as with {@link #DURABLE}. Safe in a group whose members
   * differ (a rolling change): every new leader re-arms every lease at its election in either mode, and a member
   * without this mode answers "unserved", so its clients' refreshes take the log. Set it on the members that
   * should serve such refreshes and on the clients that should ask for them.
   */
  LEADER_LOCAL
}
