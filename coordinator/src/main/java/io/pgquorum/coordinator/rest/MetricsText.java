package io.pgquorum.coordinator.rest;

import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.metrics.NodeMetrics;
import io.pgquorum.coordinator.metrics.PrometheusText;
import io.pgquorum.coordinator.postgres.PgState;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code GET /metrics}: the node status as Prometheus text (exposition format 0.0.4), with Patroni's metric names
 * and labels so existing dashboards and alerts keep working. Every metric is a gauge. Patroni's are always present
 * (0 when not applicable), so a series never disappears when a node changes role; the backup and archiving ones
 * ({@link BackupMetrics}) are left out where they do not apply (no backrest section, no archiver running) and are
 * NaN where they apply but are not known yet. The node's internal metrics ({@link NodeMetrics}: the DCS member's
 * Raft figures, the HA loop's cycles and decisions, lease refreshes, fencing) follow, with their own types
 * (gauge, counter, summary).
 */
final class MetricsText {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private MetricsText() {}

  /** The metrics at the real time (backup ages count to now). */
  static String of(NodeStatus s) {
    return of(s, java.time.Clock.systemUTC().instant());
  }

  /** The metrics with backup ages counted to {@code now}, without the node's internal ones. */
  static String of(NodeStatus s, Instant now) {
    return of(s, now, null);
  }

  /**
   * The metrics with backup ages counted to {@code now}, followed by the node's internal ones ({@link NodeMetrics}:
   * Raft, HA loop, lease, fencing) when {@code internal} is not null. Reads only published values.
   */
  static String of(NodeStatus s, Instant now, NodeMetrics internal) {
    PgState pg = s.pg();
    String labels = "{scope=\"" + escape(s.scope()) + "\",name=\"" + escape(s.name()) + "\"}";
    StringBuilder out = new StringBuilder(4096);
    Gauges g = new Gauges(out, labels);
    g.add("patroni_version", "Version of pgquorum, Patroni-style: two digits per semver part.", version());
    g.add("patroni_postgres_running", "1 when PostgreSQL is running, 0 otherwise.", bool(pg.running()));
    g.add("patroni_postmaster_start_time", "Epoch seconds when the postmaster started.",
        pg.running() ? seconds(pg.postmasterStartTime()) : "0");
    g.add("patroni_primary", "1 when this node is the running primary holding the leader lock.",
        bool(s.isRunningPrimary()));
    g.add("patroni_xlog_location", "Current WAL location of the primary, bytes (0 on replicas).",
        Long.toString(pg.isPrimary() ? pg.walPosition() : 0));
    g.add("patroni_standby_leader", "1 when this node is the standby leader of a standby cluster.",
        bool(StatusFacts.standbyLeader(s)));
    g.add("patroni_replica", "1 when this node runs as a replica.", bool(pg.isReplica()));
    boolean inSync = pg.isReplica() && StatusFacts.inSync(s);
    g.add("patroni_sync_standby", "1 when this node is listed as a synchronous standby.",
        bool(inSync && !StatusFacts.quorumMode(s)));
    g.add("patroni_quorum_standby", "1 when this node is listed as a quorum standby (synchronous_mode: quorum).",
        bool(inSync && StatusFacts.quorumMode(s)));
    g.add("patroni_xlog_received_location", "WAL received by this replica, bytes.",
        Long.toString(pg.isReplica() ? pg.receivedLsn().orElse(0) : 0));
    g.add("patroni_xlog_replayed_location", "WAL replayed by this replica, bytes.",
        Long.toString(pg.isReplica() ? pg.replayedLsn().orElse(0) : 0));
    g.add("patroni_xlog_replayed_timestamp", "Epoch seconds of the last replayed transaction.",
        pg.isReplica() ? seconds(pg.replayedTimestamp()) : "0");
    g.add("patroni_xlog_paused", "1 when WAL replay is paused (or a pause was requested).",
        bool(pg.replayPaused()));
    g.add("patroni_postgres_streaming", "1 when this replica streams WAL from its upstream.",
        bool(pg.isReplica() && pg.replicationState().equals(Optional.of("streaming"))));
    g.add("patroni_postgres_in_archive_recovery", "1 when this replica replays WAL from the archive only.",
        bool(pg.isReplica() && pg.replicationState().equals(Optional.of("in archive recovery"))));
    g.add("patroni_postgres_server_version", "PostgreSQL server_version_num.",
        Integer.toString(pg.running() ? pg.serverVersion() : 0));
    g.add("patroni_cluster_unlocked", "1 when no member holds the leader lock.",
        bool(StatusFacts.clusterUnlocked(s)));
    g.add("patroni_failsafe_mode_is_active", "1 when this primary runs on failsafe (no DCS, every member accepted).",
        bool(s.failsafeActive()));
    g.add("patroni_postgres_timeline", "Timeline PostgreSQL runs on.",
        Integer.toString(pg.running() ? pg.timeline() : 0));
    g.add("patroni_dcs_last_seen", "Epoch seconds of the last successful DCS read.",
        Long.toString(s.dcsLastSeen().map(Instant::getEpochSecond).orElse(0L)));
    g.add("patroni_pending_restart", "1 when a changed parameter waits for a PostgreSQL restart.",
        bool(pg.pendingRestart()));
    g.add("patroni_is_paused", "1 when the cluster is in maintenance mode.", bool(StatusFacts.paused(s)));
    g.add("pgquorum_fencing_token", "Fencing token the primary runs with (0 when not a primary).",
        Long.toString(pg.isPrimary() ? pg.fencingToken().orElse(0) : 0));
    g.add("pgquorum_sync_commits_blocked", "1 when this primary's commits wait for synchronous standbys that are "
        + "not connected (synchronous_mode_strict without a synchronous standby), 0 otherwise.",
        bool(s.commitsBlocked()));
    g.add("pgquorum_planted_bugs", "Number of planted bugs active in this node (fault-injection harness only; "
        + "anything but 0 means the node is deliberately unsafe).", Integer.toString(s.plantedBugs().size()));
    BackupMetrics.add(g::add, s, now);
    if (!s.plantedBugs().isEmpty()) {
      out.append("# HELP pgquorum_planted_bug 1 for each planted bug active in this node.\n");
      out.append("# TYPE pgquorum_planted_bug gauge\n");
      for (String bug : s.plantedBugs()) {
        out.append("pgquorum_planted_bug").append(labels, 0, labels.length() - 1).append(",bug=\"")
            .append(escape(bug)).append("\"} 1\n");
      }
    }
    if (internal != null) {
      internal.render(out, labels.substring(1, labels.length() - 1));
    }
    return out.toString();
  }

  private static String version() {
    String[] parts = StatusFacts.VERSION.split("\\.");
    StringBuilder b = new StringBuilder();
    for (String p : parts) {
      b.append(String.format("%02d", Integer.parseInt(p)));
    }
    return b.toString();
  }

  private static String bool(boolean b) {
    return b ? "1" : "0";
  }

  private static String seconds(Optional<Instant> t) {
    return t.map(i -> String.format(java.util.Locale.ROOT, "%d.%06d", i.getEpochSecond(), i.getNano() / 1000))
        .orElse("0");
  }

  /** Label values escape backslash, double quote and newline (exposition format rules). */
  static String escape(String v) {
    return PrometheusText.escape(v);
  }

  private record Gauges(StringBuilder out, String labels) {
    void add(String name, String help, String value) {
      out.append("# HELP ").append(name).append(' ').append(help).append('\n');
      out.append("# TYPE ").append(name).append(" gauge\n");
      out.append(name).append(labels).append(' ').append(value).append('\n');
    }
  }
}
