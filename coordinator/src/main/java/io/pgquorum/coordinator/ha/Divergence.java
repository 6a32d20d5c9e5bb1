package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.postgres.Upstream;

/**
 * What a {@link Action.Rejoin} does when this node's timeline diverged from its upstream's (a former primary that
 * wrote past the point where the new leader's timeline forked): run pg_rewind first or not, and when that is off
 * or fails, re-clone (moving the data directory aside, never deleting it) or fail with an operator's message. Only
 * whether it diverged is found out while rejoining; what to do about it is decided with the plan, from
 * {@code use_pg_rewind} (the node's override, else the dynamic setting) and the
 * {@code remove_data_directory_on_*} settings.
 *
 * @param rewind try pg_rewind first
 * @param reclone when not rewound: move the data directory aside and clone again (else fail)
 * @param moveAsideReason why the data directory is moved aside (its new name says so)
 * @param failure the task's failure message when it may not re-clone
 * @param required whether a check that cannot be made (the upstream unreachable) fails the rejoin; false for a
 *     standby cluster's remote, which Patroni also checks only when it can: a standby leader whose remote site is
 *     lost must still start and serve reads (and be promotable)
 */
public record Divergence(boolean rewind, boolean reclone, String moveAsideReason, String failure, boolean required) {
  /**
   * No timeline comparison: a read-only start without an upstream (nothing to diverge from), or a standby leader
   * starting as the remote's standby (see {@code Decider.standbyLeader}).
   */
  static final Divergence NOT_CHECKED = new Divergence(false, false, "", "", false);

  static Divergence decide(Upstream up, HaPolicy policy) {
    boolean usePgRewind = policy.node().usePgRewind().orElse(policy.dynamic().usePgRewind());
    boolean reclone = usePgRewind ? policy.node().removeDataDirectoryOnRewindFailure()
        : policy.node().removeDataDirectoryOnDivergedTimelines();
    String failure = "this node's timeline diverged from leader " + up.name() + " and "
        + (usePgRewind ? "pg_rewind failed" : "use_pg_rewind is off")
        + "; set postgresql.remove_data_directory_on_"
        + (usePgRewind ? "rewind_failure" : "diverged_timelines")
        + " to re-clone automatically, or reinitialize the node";
    return new Divergence(usePgRewind, reclone, usePgRewind ? "rewind failed" : "diverged timeline", failure, true);
  }

  /**
   * Patroni's check against a standby cluster's remote ({@code _handle_rewind_or_reinitialize} with the remote
   * member): pg_rewind from the remote primary when {@code use_pg_rewind}, never a re-clone (Patroni does not
   * reinitialise a standby cluster's member for diverged timelines), and a remote that cannot be reached is no
   * reason not to start.
   */
  static Divergence fromRemote(HaPolicy policy) {
    boolean usePgRewind = policy.node().usePgRewind().orElse(policy.dynamic().usePgRewind());
    String failure = "this node's timeline diverged from the remote primary (standby_cluster) and "
        + (usePgRewind ? "pg_rewind from it failed" : "use_pg_rewind is off")
        + "; rebuild this node (move its data directory aside) or fix the remote";
    return new Divergence(usePgRewind, false, "", failure, false);
  }
}
