package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.Upstream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Standby-cluster rules beyond the bootstrap and the holder's cycle (which stay in {@link Decider}): whom a member
 * follows while the standby cluster has no standby leader, and whether a running server still has the recovery
 * settings the {@code standby_cluster} section asks for ({@link StandbySettings}). Pure, as the decider.
 */
final class StandbyRules {
  private StandbyRules() {}

  /**
   * Patroni's {@code _get_node_to_follow} in a standby cluster without a lock holder: every member follows the
   * remote meanwhile (not while paused: a paused cluster re-points nobody without a leader), so the cluster keeps
   * up with the remote until a new standby leader is elected. Empty when this is no standby cluster, while paused,
   * for a {@code nostream} member,
   * and for an archive-only remote when {@code running} (Patroni's "continue following the old known standby
   * leader": its restore_command goes on fetching from the archive; a stopped member is started with it).
   */
  static Optional<Upstream> remoteWhileUnlocked(ClusterSnapshot c, HaPolicy policy, boolean running) {
    if (!c.isUnlocked() || policy.dynamic().paused() || policy.tags().nostream()) {
      // nostream: this member never streams, from the remote either (the upstream would become its
      // primary_conninfo); it is started without one, restoring from the archive.
      return Optional.empty();
    }
    return policy.dynamic().standbyCluster().map(Upstream::remote).filter(r -> r.streams() || !running);
  }

  /**
   * The step that points a running replica at the remote while the standby cluster has no standby leader
   * ({@link #remoteWhileUnlocked}), when it does not stream from the remote yet or lacks the section's settings;
   * empty otherwise (not a replica, a paused or archive-only cluster, nothing to change).
   */
  static Action[] followRemoteWhileUnlocked(ClusterSnapshot c, HaPolicy policy, PgState pg) {
    if (!pg.isReplica() || policy.tags().nostream()) {
      return new Action[0];
    }
    return remoteWhileUnlocked(c, policy, true)
        .filter(r -> !pg.upstream().equals(Optional.of(r.address()))
            || !StandbySettings.staleSettings(r.remote().orElseThrow(), pg, true, policy.dynamic().useSlots())
            .isEmpty())
        .map(Action.Follow::new).stream().toArray(Action[]::new);
  }

  /**
   * The standby leader's cycle when a changed section (same host and port: restore_command, slot, apply delay,
   * cleanup command) is not in force yet: {@code actions} (the holder's duties) and a follow of {@code remote},
   * which rewrites the recovery settings and reloads. Empty when nothing is stale.
   */
  static Optional<Decision> leaderSettingsChanged(HaPolicy policy, PgState pg, List<Action> actions,
      Upstream remote) {
    List<String> stale = StandbySettings.staleSettings(remote.remote().orElseThrow(), pg, true,
        policy.dynamic().useSlots());
    if (stale.isEmpty()) {
      return Optional.empty();
    }
    List<Action> plan = new ArrayList<>(actions);
    plan.add(new Action.Follow(remote));
    return Optional.of(new Decision(plan, DecisionMessage.STANDBY_LEADER_SETTINGS_CHANGED.format(stale)));
  }

  /**
   * A member following a standby leader ({@code up}: it, or the member it cascades from) runs with the section's
   * archive commands: when they are not in force, a follow of the same upstream first (rewrite and reload), then
   * {@code actions}. Empty outside a standby cluster, for a nostream member (it gets no section settings) and when
   * nothing is stale.
   */
  static Optional<Decision> memberSettingsChanged(HaPolicy policy, PgState pg, List<Action> actions, Upstream up,
      String leader) {
    List<String> stale = policy.tags().nostream() ? List.of() : policy.dynamic().standbyCluster()
        .map(sc -> StandbySettings.staleSettings(sc, pg, false, policy.dynamic().useSlots())).orElse(List.of());
    if (stale.isEmpty()) {
      return Optional.empty();
    }
    List<Action> plan = new ArrayList<>(List.of(new Action.Follow(up)));
    plan.addAll(actions);
    return Optional.of(new Decision(plan, DecisionMessage.STANDBY_MEMBER_SETTINGS_CHANGED.format(stale, leader)));
  }

  /**
   * How a start that follows the remote checks for divergence (Patroni's {@code _handle_rewind_or_reinitialize}
   * with the remote member): against a streaming remote, {@link Divergence#fromRemote}; not against an archive
   * (nothing to compare with), nor against a list of hosts (which of them is the primary is libpq's to find, and
   * the check connects to one host).
   */
  static Divergence divergenceCheck(Upstream remote, HaPolicy policy) {
    if (!remote.streams() || StandbySettings.severalHosts(remote)) {
      return Divergence.NOT_CHECKED;
    }
    return Divergence.fromRemote(policy);
  }
}
