package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.postgres.PgState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When this node creates the pgBackRest stanza (issue 13): decided here, purely, and added to the plan as a
 * step ({@link Action.CreateStanza}) so the decision transcripts show it; the executor only starts it in the
 * background. A node without a {@code backrest} section ({@link BackrestView#OFF}) is left untouched.
 *
 * <p>Only the lock holder whose PostgreSQL runs as primary creates it, and only in a plan that keeps the lock
 * (a {@link Action.RefreshLock} gate, with the step after it: a failed refresh ends the plan before the step) and
 * changes nothing in PostgreSQL: stanza-create reads the primary's control data and check forces a WAL switch,
 * both meaningless on a server about to stop. Once per daemon run: after a restart or a failover the new holder
 * runs it again, which is harmless (stanza-create on a matching stanza succeeds) and is the check a promotion
 * needs anyway. Not while the cluster is paused: check forces a WAL switch, and in maintenance mode pgquorum
 * leaves PostgreSQL to the operator (the stanza is created once the pause ends). A failure is retried once
 * {@link BackrestView#retryAfterNanos()} passed; never a reason to change anything else in the plan, so
 * pgBackRest can never block HA.
 */
final class BackrestRules {
  private BackrestRules() {}

  static Decision apply(Decision d, Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy,
      long nowNanos) {
    BackrestView b = local.backrest();
    boolean due = b.stanza() == BackrestView.Stanza.NEEDED || b.stanza() == BackrestView.Stanza.FAILED
        && b.retryAfterNanos().orElse(Long.MIN_VALUE) - nowNanos <= 0;
    PgState pg = local.pg();
    if (!due || cluster.isEmpty() || !cluster.get().isLeader(policy.name()) || !pg.running() || !pg.isPrimary()
        || local.runningTask().isPresent() || local.shutdownRequested() || policy.dynamic().paused()) {
      return d;
    }
    if (!d.keepsLockQuietly()) {
      return d;
    }
    List<Action> actions = new ArrayList<>(d.actions());
    actions.add(new Action.CreateStanza());
    return d.withActions(actions);
  }
}
