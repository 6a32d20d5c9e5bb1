package io.pgquorum.coordinator.rest;

import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.postgres.PgState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node status document ({@code GET /patroni} and the body of every health check), in Patroni's shape so
 * monitoring, load balancer scripts and peers parse it unchanged. Fields PostgreSQL cannot supply while stopped
 * are left out, as Patroni does.
 */
final class StatusJson {
  private StatusJson() {}

  static Map<String, Object> of(NodeStatus s) {
    Map<String, Object> m = new LinkedHashMap<>();
    PgState pg = s.pg();
    m.put("state", s.state());
    if (pg.running()) {
      pg.postmasterStartTime().ifPresent(t -> m.put("postmaster_start_time", Json.pgTimestamp(t)));
    }
    m.put("role", s.role());
    if (pg.running()) {
      if (pg.serverVersion() > 0) {
        m.put("server_version", pg.serverVersion());
      }
      m.put("xlog", xlog(pg));
      if (pg.timeline() > 0) {
        m.put("timeline", pg.timeline());
      }
      if (pg.isReplica()) {
        pg.replicationState().ifPresent(r -> m.put("replication_state", r));
      }
      if (!pg.replication().isEmpty()) {
        m.put("replication", replication(pg));
      }
    }
    // The token of the promotion that started this data's timeline, when recorded: racing peers compare it with
    // the cluster's history (LeaderTimeline.otherEpoch). Kept while stopped (it belongs to the data).
    pg.timelineEpoch().ifPresent(e -> m.put("timeline_epoch", e));
    // A member of the sync key: a quorum standby in quorum mode, else a synchronous standby (Patroni 4's fields).
    if (pg.isReplica() && StatusFacts.inSync(s)) {
      m.put(StatusFacts.quorumMode(s) ? "quorum_standby" : "sync_standby", true);
    }
    m.put("cluster_unlocked", StatusFacts.clusterUnlocked(s));
    s.dcsLastSeen().ifPresent(t -> m.put("dcs_last_seen", t.getEpochSecond()));
    if (s.failsafeActive()) {
      m.put("failsafe_mode_is_active", true); // Patroni's: present only while true
    }
    if (!s.tags().all().isEmpty()) {
      m.put("tags", s.tags().all());
    }
    pg.systemIdentifier().ifPresent(id -> m.put("database_system_identifier", id));
    if (pg.pendingRestart()) {
      m.put("pending_restart", true);
      if (!pg.pendingRestartReason().isEmpty()) {
        m.put("pending_restart_reason",
            io.pgquorum.coordinator.postgres.PendingRestartReason.json(pg.pendingRestartReason()));
      }
    }
    if (StatusFacts.paused(s)) {
      m.put("pause", true);
    }
    Map<String, Object> self = new LinkedHashMap<>();
    self.put("version", StatusFacts.VERSION);
    self.put("scope", s.scope());
    self.put("name", s.name());
    m.put("patroni", self);
    if (pg.isPrimary()) {
      pg.fencingToken().ifPresent(t -> m.put("fencing_token", t));
    }
    m.put("pgquorum", pgquorum(s, System.nanoTime()));
    return m;
  }

  /**
   * pgquorum's own fields, kept apart from Patroni's: the leader lease as this node sees it (remaining
   * milliseconds on its own clock and the lease's fencing token, both absent when no lease is held) and the
   * watchdog process's state, and the planted bugs when any is active. The top-level {@code fencing_token} stays what
   * it always was: the token the running primary's PostgreSQL carries.
   */
  static Map<String, Object> pgquorum(NodeStatus s, long nowNanos) {
    Map<String, Object> q = new LinkedHashMap<>();
    s.leaseRemainingMillis(nowNanos).ifPresent(ms -> {
      q.put("lease_remaining_ms", ms);
      s.leaseToken().ifPresent(t -> q.put("fencing_token", t));
    });
    if (!s.watchdog().isEmpty()) {
      q.put("watchdog", s.watchdog());
    }
    if (s.pg().running() && s.pg().isPrimary() && s.pg().synchronousStandbyNames().filter(n -> !n.isBlank())
        .isPresent()) {
      // Issue 14: commits wait for synchronous standbys that are not there (synchronous_mode_strict without one, or
      // the moments before a lost standby is dropped). Patroni has no such field; a primary that replicates
      // synchronously always says, true or false.
      q.put("sync_commits_blocked", s.commitsBlocked());
    }
    if (s.holdsLock() && s.pg().running() && s.pg().isReplica() && "replica".equals(s.role())) {
      // The lock holder whose PostgreSQL is still a standby (not a standby cluster's leader): between winning the
      // race and its promotion, which a catch-up from a more advanced replica (issue 14, CatchUp) holds back for a
      // while; the cycle's message says what it waits for, e.g. "catching up from node3 before promotion: ...".
      q.put("before_promotion", s.message());
    }
    if (!s.waitingForOperator().isEmpty()) {
      q.put("waiting_for_operator", s.waitingForOperator());
    }
    if (!s.backrest().isEmpty()) {
      // pgBackRest's stanza state (issue 13): whether archiving into the repository was set up and checked here.
      q.put("backrest", s.backrest());
    }
    s.repository().ifPresent(r -> q.put("repository", BackupJson.repository(r)));
    s.pg().archiver().filter(a -> s.pg().running()).ifPresent(a -> q.put("archive", BackupJson.archive(a)));
    // A cluster-wide restore that runs (pgctl restore, the DCS restore key), as this node's last snapshot shows it.
    s.cluster().flatMap(io.pgquorum.coordinator.cluster.ClusterSnapshot::restoreInProgress).ifPresent(r -> {
      Map<String, Object> restore = new LinkedHashMap<>();
      restore.put("id", r.id());
      restore.put("phase", r.phase());
      restore.put("target", r.describeTarget());
      restore.put("ready", r.ready());
      q.put("restore", restore);
    });
    if (!s.replicaCreation().isEmpty()) {
      // How this node's copy was last built (issue 13): the method that worked, or that all failed, and each try.
      q.put("replica_creation", s.replicaCreation());
    }
    // Why a health check that a running replica fails for its timeline fails (see HealthCheck.replicaOk), or why a
    // replica whose rejoin found a divergence it may not repair stays stopped (issue 17, item 12).
    HealthCheck.offLeaderLine(s).or(s::stoppedDiverged).ifPresent(why -> q.put("diverged", why));
    if (!s.plantedBugs().isEmpty()) {
      // A deliberately unsafe node (fault-injection harness only) must never look like a normal one.
      q.put("planted_bugs", s.plantedBugs());
    }
    return q;
  }

  private static Map<String, Object> xlog(PgState pg) {
    Map<String, Object> x = new LinkedHashMap<>();
    if (pg.isPrimary()) {
      x.put("location", pg.walPosition());
    } else {
      x.put("received_location", pg.receivedLsn().orElse(pg.walPosition()));
      x.put("replayed_location", pg.replayedLsn().orElse(pg.walPosition()));
      x.put("replayed_timestamp", pg.replayedTimestamp().map(Json::pgTimestamp).orElse(null));
      // PostgreSQL's pause state, as Patroni reports pg_is_wal_replay_paused(): a requested pause counts too.
      x.put("paused", pg.replayPaused());
    }
    return x;
  }

  private static List<Map<String, Object>> replication(PgState pg) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (PgState.Standby st : pg.replication()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("application_name", st.applicationName());
      r.put("client_addr", st.clientAddr());
      r.put("state", st.state());
      r.put("sync_state", st.syncState());
      out.add(r);
    }
    return out;
  }
}
