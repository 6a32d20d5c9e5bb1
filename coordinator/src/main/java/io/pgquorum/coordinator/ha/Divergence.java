package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.postgres.PgState;
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
 * @param knownFork the plan already knows this node's data is another fork of the leader's timeline number
 *     ({@code LeaderTimeline.otherEpoch}): no timeline check (pg_rewind's would find nothing, the history files
 *     being equal) and no pg_rewind (it would take the forks for one timeline and rewind from the wrong point,
 *     keeping the other fork's records), straight to the re-clone, or the failure when that is not allowed
 */
public record Divergence(boolean rewind, boolean reclone, String moveAsideReason, String failure, boolean required,
    boolean knownFork) {
  /** A divergence found, if at all, by the rejoin's own timeline check. */
  public Divergence(boolean rewind, boolean reclone, String moveAsideReason, String failure, boolean required) {
    this(rewind, reclone, moveAsideReason, failure, required, false);
  }

  /**
   * No timeline comparison: a read-only start without an upstream (nothing to diverge from), or a standby leader
   * starting as the remote's standby (see {@code Decider.standbyLeader}).
   */
  static final Divergence NOT_CHECKED = new Divergence(false, false, "", "", false);

  /** How every {@link #failure} begins: what {@link #reasonOf} recognises a divergence failure by. */
  private static final String FAILURE_PREFIX = "this node's timeline diverged from leader ";

  /**
   * The divergence a failed task reported ({@link #failure}, as {@link Task#failure} wraps it), or empty for any
   * other failure: why a node that may not repair itself stays stopped (issue 17, item 12).
   */
  static java.util.Optional<String> reasonOf(String taskFailure) {
    String error = Task.errorOf(taskFailure);
    return error.startsWith(FAILURE_PREFIX) ? java.util.Optional.of(error) : java.util.Optional.empty();
  }

  /**
   * Why this node stays stopped, when it does because its last rejoin found its timeline diverged from the
   * leader's and it may not repair that: published as {@code diverged} next to a running replica's off-line reason
   * (member key, {@code /patroni}, {@code /cluster}, {@code pgctl list}), so the reason is not in the log only. Kept
   * from the failure until PostgreSQL runs again (the retry is forgotten then) or the leader changes; also while a
   * retry of the rejoin runs, which is no news until it succeeds.
   */
  public static java.util.Optional<String> stoppedBecause(PgState pg, HaMemory memory) {
    if (pg.running()) {
      return java.util.Optional.empty();
    }
    return memory.retry().flatMap(r -> reasonOf(r.lastFailure()));
  }

  static Divergence decide(Upstream up, HaPolicy policy) {
    boolean usePgRewind = policy.node().usePgRewind().orElse(policy.dynamic().usePgRewind());
    boolean reclone = usePgRewind ? policy.node().removeDataDirectoryOnRewindFailure()
        : policy.node().removeDataDirectoryOnDivergedTimelines();
    String failure = FAILURE_PREFIX + up.name() + " and "
        + (usePgRewind ? "pg_rewind failed" : "use_pg_rewind is off")
        + "; set postgresql.remove_data_directory_on_"
        + (usePgRewind ? "rewind_failure" : "diverged_timelines")
        + " to re-clone automatically, or reinitialize the node";
    return new Divergence(usePgRewind, reclone, usePgRewind ? "rewind failed" : "diverged timeline", failure, true);
  }

  /**
   * A node whose data the plan knows to be on another fork of the leader's timeline number ({@code why}): it can
   * only be re-cloned (moved aside, never deleted), which the same settings allow as a failed pg_rewind's re-clone
   * ({@code remove_data_directory_on_rewind_failure} with {@code use_pg_rewind}, else
   * {@code remove_data_directory_on_diverged_timelines}); otherwise the rejoin fails saying why and what to set.
   */
  static Divergence anotherFork(Upstream up, HaPolicy policy, String why) {
    Divergence d = decide(up, policy);
    String failure = FAILURE_PREFIX + up.name() + " (" + why + "); pg_rewind cannot repair that; set "
        + "postgresql.remove_data_directory_on_" + (d.rewind() ? "rewind_failure" : "diverged_timelines")
        + " to re-clone automatically (the data directory is moved aside), or reinitialize the node";
    return new Divergence(false, d.reclone(), "another fork", failure, true, true);
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
