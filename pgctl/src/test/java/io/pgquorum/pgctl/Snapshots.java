package io.pgquorum.pgctl;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStatus;
import io.pgquorum.coordinator.cluster.Failover;
import io.pgquorum.coordinator.cluster.HistoryEntry;
import io.pgquorum.coordinator.cluster.Initialize;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.cluster.SyncState;
import io.pgquorum.coordinator.cluster.Versioned;
import io.pgquorum.coordinator.config.DynamicConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Builds {@link ClusterSnapshot}s by hand, the way the codec would decode Patroni's keys. */
final class Snapshots {
  static final long MIB = 1024L * 1024L;
  static final String SYSID = "7301234567890123456";

  private Optional<Initialize> initialize = Optional.empty();
  private Optional<Versioned<DynamicConfig>> config = Optional.empty();
  private Optional<LeaderLock> leader = Optional.empty();
  private final Map<String, Member> members = new LinkedHashMap<>();
  private Optional<Failover> failover = Optional.empty();
  private Optional<SyncState> sync = Optional.empty();
  private Optional<ClusterStatus> status = Optional.empty();
  private List<HistoryEntry> history = List.of();

  static Snapshots cluster() {
    return new Snapshots();
  }

  Snapshots initialized(String sysid) {
    initialize = Optional.of(new Initialize(sysid, 1, "pg1"));
    return this;
  }

  Snapshots leader(String name) {
    leader = Optional.of(new LeaderLock(name, 5, 5, Duration.ofSeconds(8)));
    return this;
  }

  Snapshots history(HistoryEntry... entries) {
    history = List.of(entries);
    return this;
  }

  Snapshots status(long optime) {
    status = Optional.of(new ClusterStatus(optime, Map.of(), 6));
    return this;
  }

  Snapshots sync(String... standbys) {
    sync = Optional.of(new SyncState(leader.map(LeaderLock::name), List.of(standbys), 7));
    return this;
  }

  Snapshots config(Map<String, Object> raw) {
    config = Optional.of(new Versioned<>(TestConfigs.dynamic(raw), 2));
    return this;
  }

  Snapshots failover(String from, String to, String scheduledAt) {
    failover = Optional.of(new Failover(Optional.ofNullable(from), Optional.ofNullable(to),
        Optional.ofNullable(scheduledAt), 8));
    return this;
  }

  /** A member key with Patroni's fields; {@code extra} adds or overrides fields (e.g. tags, timeline). */
  Snapshots member(String name, String connUrl, String role, String state, Long xlog, Integer timeline,
      Map<String, Object> extra) {
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("conn_url", connUrl);
    raw.put("api_url", "http://127.0.0.1:8008/patroni");
    raw.put("state", state);
    raw.put("role", role);
    raw.put("version", "0.1.0");
    if (xlog != null) {
      raw.put("xlog_location", xlog);
    }
    if (timeline != null) {
      raw.put("timeline", timeline);
    }
    raw.putAll(extra);
    @SuppressWarnings("unchecked")
    Map<String, Object> tags = raw.get("tags") instanceof Map<?, ?> t ? (Map<String, Object>) t : Map.of();
    members.put(name, new Member(name, 10, connUrl, (String) raw.get("api_url"), state, role, "0.1.0",
        xlog == null ? OptionalLong.empty() : OptionalLong.of(xlog), timeline == null ? 0 : timeline,
        Optional.ofNullable((String) raw.get("replication_state")), tags,
        Boolean.TRUE.equals(raw.get("pending_restart")), raw));
    return this;
  }

  ClusterSnapshot build() {
    return new ClusterSnapshot(42, initialize, config, leader, members, failover, sync, history, status);
  }

  /** The three-member cluster of the golden tests: leader, streaming replica 2.5 MiB behind, stopped replica. */
  static ClusterSnapshot threeMembers() {
    long leaderLsn = 100 * MIB;
    return cluster()
        .initialized(SYSID)
        .leader("pg1")
        .status(leaderLsn - MIB)
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "primary", "running", leaderLsn, 3, Map.of())
        .member("pg2", "postgres://10.0.0.2:5432/postgres", "replica", "running", leaderLsn - 5 * MIB / 2, 3,
            Map.of("replication_state", "streaming"))
        .member("pg3", "postgres://10.0.0.3:5432/postgres", "replica", "stopped", null, null, Map.of())
        .build();
  }
}
