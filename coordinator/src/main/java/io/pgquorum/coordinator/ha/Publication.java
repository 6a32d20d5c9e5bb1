package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.LeaderTimeline;
import io.pgquorum.coordinator.postgres.PgState;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The second, publishing step of a cycle: what this node says about itself once the decision's actions ran. Pure,
 * like {@link Decider}: the loop hands it the post-action facts and performs what it plans.
 *
 * <p>Why a second step rather than more actions in the {@link Decision}: the member key must show PostgreSQL as it
 * is after the plan (a demotion, a start), so it is computed from the probe the loop takes after a plan with
 * {@link Action.ChangesPostgres} steps, and from the task the plan may just have started. (etcd-io/raft's
 * Ready/Advance is the shape: the driver performs, reports the outcome, and keeps no rule of its own.)
 *
 * @param state Patroni's state string for the REST API and {@link NodeStatus}
 * @param role Patroni's role string
 * @param memberKey the member key write or deletion this cycle needs, if any
 * @param refresh what was remembered of the last member key write before this step
 * @param nowNanos the loop's nano clock when this step was planned (a write counts as sent then)
 * @param stoppedDiverged why PostgreSQL stays stopped when a rejoin found a divergence it may not repair
 *     ({@link Divergence#stoppedBecause})
 */
record Publication(String state, String role, Optional<Action.MemberKeyAction> memberKey,
    MemberKeyRefresh refresh, long nowNanos, Optional<String> stoppedDiverged) {

  /** The version the member key reports. */
  static final String VERSION = "0.1.0";

  /** The role of a standby cluster's lock holder (Patroni's). */
  static final String STANDBY_LEADER = "standby_leader";

  /**
   * Plans the publishing step.
   *
   * @param cluster this cycle's snapshot (empty when the DCS could not be read: nothing is written then)
   * @param pg PostgreSQL after the plan (the cycle's probe, or a new one after actions that change it)
   * @param runningTask the task running after the plan (it may have started one)
   * @param shutdown the final cycle of a clean shutdown: the key is deleted
   * @param refresh what the last cycle's step remembered ({@link #advance})
   */
  static Publication plan(Optional<ClusterSnapshot> cluster, PgState pg, Optional<Task> runningTask,
      boolean shutdown, HaPolicy policy, MemberKeyRefresh refresh, long nowNanos) {
    return plan(cluster, pg, runningTask, shutdown, policy, refresh, nowNanos, Optional.empty(), Optional.empty());
  }

  /**
   * As above, with what the decision remembers: the restart this node has scheduled (Patroni's
   * {@code scheduled_restart} member field) and the last failure of its rejoin (a divergence it may not repair).
   */
  static Publication plan(Optional<ClusterSnapshot> cluster, PgState pg, Optional<Task> runningTask,
      boolean shutdown, HaPolicy policy, MemberKeyRefresh refresh, long nowNanos, HaMemory memory) {
    return plan(cluster, pg, runningTask, shutdown, policy, refresh, nowNanos, memory.scheduledRestart(),
        Divergence.stoppedBecause(pg, memory), memory.leavingSync().isPresent());
  }

  /** As above, with the scheduled restart and the divergence that keeps PostgreSQL stopped given directly. */
  static Publication plan(Optional<ClusterSnapshot> cluster, PgState pg, Optional<Task> runningTask,
      boolean shutdown, HaPolicy policy, MemberKeyRefresh refresh, long nowNanos,
      Optional<LocalRequest.ScheduledRestart> scheduledRestart, Optional<String> stoppedDiverged) {
    return plan(cluster, pg, runningTask, shutdown, policy, refresh, nowNanos, scheduledRestart, stoppedDiverged,
        false);
  }

  /**
   * As above; {@code leavingSync}: this synchronous standby is about to restart ({@link HaMemory#leavingSync()})
   * and says {@code nosync} in its tags, as Patroni's does, so that the primary drops it from the sync key and from
   * synchronous_standby_names (SyncPool leaves nosync members out) before it stops.
   */
  static Publication plan(Optional<ClusterSnapshot> cluster, PgState pg, Optional<Task> runningTask,
      boolean shutdown, HaPolicy policy, MemberKeyRefresh refresh, long nowNanos,
      Optional<LocalRequest.ScheduledRestart> scheduledRestart, Optional<String> stoppedDiverged,
      boolean leavingSync) {
    String state = stateOf(pg, runningTask, policy.node());
    // Patroni's standby_leader role: the holder of a standby cluster's lock, a standby of the remote.
    boolean standbyLeader = pg.isReplica() && policy.dynamic().standbyCluster().isPresent()
        && cluster.map(c -> c.isLeader(policy.name())).orElse(false);
    String role = standbyLeader ? STANDBY_LEADER : roleOf(pg);
    Optional<Action.MemberKeyAction> key = Optional.empty();
    if (shutdown) {
      // Even with the DCS unreadable: the deletion is worth trying, and costs nothing if it fails.
      key = Optional.of(new Action.DeleteMemberKey());
    } else if (cluster.isPresent()) {
      Map<String, Object> fields = memberFields(pg, state, role, policy);
      // Only this node can read its own timeline history file: /cluster and pgctl list show the verdict from here.
      Decider.offLeaderLine(cluster.get(), pg).or(() -> stoppedDiverged)
          .ifPresent(why -> fields.put(LeaderTimeline.MEMBER_FIELD, why));
      scheduledRestart.ifPresent(r -> fields.put("scheduled_restart", scheduledRestartField(r)));
      if (leavingSync) {
        Map<String, Object> tags = new LinkedHashMap<>(policy.tags().all());
        tags.put("nosync", true);
        fields.put("tags", tags);
      }
      Duration ttl = policy.dynamic().ttl();
      // Unchanged keys are refreshed at a third of their TTL, not every cycle: see MemberKeyRefresh.
      MemberKeyRefresh.Step step = refresh.step(fields, ttl, policy.dynamic().loopWait(),
          cluster.get().member(policy.name()), nowNanos);
      if (step == MemberKeyRefresh.Step.WRITE) {
        key = Optional.of(new Action.WriteMemberKey(fields, ttl));
      } else if (step == MemberKeyRefresh.Step.REFRESH) {
        key = Optional.of(new Action.RefreshMemberKey(fields, ttl));
      }
    }
    return new Publication(state, role, key, refresh, nowNanos, stoppedDiverged);
  }

  /**
   * What to remember for the next cycle, given the member key step's outcome: {@code writtenRevision} is the
   * revision the DCS stores the key at after a write or refresh, empty when it failed, was a deletion, or nothing
   * was planned.
   */
  MemberKeyRefresh advance(OptionalLong writtenRevision) {
    if (memberKey.isEmpty()) {
      return refresh;
    }
    if (memberKey.get() instanceof Action.WriteMemberKey w && writtenRevision.isPresent()) {
      return refresh.written(w.fields(), w.ttl(), writtenRevision.getAsLong(), nowNanos);
    }
    if (memberKey.get() instanceof Action.RefreshMemberKey r && writtenRevision.isPresent()) {
      return refresh.written(r.fields(), r.ttl(), writtenRevision.getAsLong(), nowNanos);
    }
    return refresh.forget();
  }

  /** Patroni's {@code scheduled_restart}: the time, and the conditions given with it. */
  static Map<String, Object> scheduledRestartField(LocalRequest.ScheduledRestart r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schedule", r.at());
    r.conditions().role().ifPresent(v -> m.put("role", v));
    r.conditions().postgresVersion().ifPresent(v -> m.put("postgres_version", PgVersions.display(v)));
    if (r.conditions().onlyIfPending()) {
      m.put("restart_pending", true);
    }
    return m;
  }

  /** Patroni's state string: the running task's, else what PostgreSQL does. */
  static String stateOf(PgState pg, Optional<Task> runningTask, NodeSettings node) {
    if (runningTask.isPresent()) {
      return runningTask.get().patroniState(node.customBootstrap());
    }
    if (pg.running()) {
      return pg.isReplica() ? pg.replicationState().filter("streaming"::equals).orElse("running") : "running";
    }
    return "stopped";
  }

  /** Patroni's role string. */
  static String roleOf(PgState pg) {
    if (pg.dataDir() != PgState.DataDirState.INITIALIZED) {
      return "uninitialized";
    }
    if (pg.isPrimary()) {
      return "primary";
    }
    return "replica";
  }

  /** Whether a published role names a primary: pgquorum's {@code primary}, or Patroni's older {@code master}. */
  static boolean isPrimaryRole(String role) {
    return "primary".equals(role) || "master".equals(role);
  }

  /** The member key's fields, in Patroni's order; {@code state} is the REST state (streaming reads "running"). */
  static Map<String, Object> memberFields(PgState pg, String state, String role, HaPolicy policy) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("conn_url", policy.node().connUrl());
    m.put("api_url", policy.node().apiUrl());
    m.put("state", pg.running() ? "running" : state);
    m.put("role", role);
    m.put("version", VERSION);
    if (pg.running() || pg.walPosition() > 0) {
      m.put("xlog_location", pg.walPosition());
    }
    if (pg.timeline() > 0) {
      m.put("timeline", pg.timeline());
    }
    // pgquorum's own field, only when known (Patroni's fields above are unchanged): the fork of that timeline, so
    // that members judge each other's forks from the keys alone (LeaderTimeline.ofMember, a copy's source epoch).
    pg.timelineEpoch().ifPresent(e -> m.put(io.pgquorum.coordinator.cluster.Member.TIMELINE_EPOCH, e));
    pg.replicationState().ifPresent(s -> m.put("replication_state", s));
    if (pg.isPrimary()) {
      // pgquorum's own field, what a synchronous standby leaving its duty waits on (Member.SYNCHRONOUS_STANDBY_NAMES);
      // "" is left out, as Patroni's fields are when they say nothing.
      pg.synchronousStandbyNames().filter(s -> !s.isEmpty())
          .ifPresent(s -> m.put(io.pgquorum.coordinator.cluster.Member.SYNCHRONOUS_STANDBY_NAMES, s));
    }
    if (!policy.tags().all().isEmpty()) {
      m.put("tags", policy.tags().all());
    }
    if (pg.pendingRestart()) {
      m.put("pending_restart", true);
      if (!pg.pendingRestartReason().isEmpty()) {
        m.put("pending_restart_reason",
            io.pgquorum.coordinator.postgres.PendingRestartReason.json(pg.pendingRestartReason()));
      }
    }
    if (pg.archiveFailing()) {
      // pgquorum's own field: others (pgctl list, monitoring reading /cluster) see that this node's WAL does not
      // reach the archive; only this node can read its pg_stat_archiver.
      m.put("archive_failing", true);
    }
    if (NodeStatus.commitsBlocked(pg)) {
      // pgquorum's own field (issue 14): this primary's commits wait for synchronous standbys that are not there;
      // pgctl list, which reads the DCS, says so below its table.
      m.put("sync_commits_blocked", true);
    }
    if (policy.dynamic().paused()) {
      // Patroni's: a member says it has seen maintenance mode, what `pgctl pause --wait` waits for.
      m.put("pause", true);
    }
    return m;
  }
}
