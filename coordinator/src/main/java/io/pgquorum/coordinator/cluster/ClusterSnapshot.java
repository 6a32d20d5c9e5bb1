package io.pgquorum.coordinator.cluster;

import io.pgquorum.coordinator.config.DynamicConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One consistent view of a cluster's DCS keys, read in a single linearizable prefix read, so every value in it
 * comes from the same DCS revision. The HA loop loads one per cycle and decides from it alone.
 *
 * @param revision the DCS revision the whole snapshot was read at
 * @param initialize the {@code initialize} key: the system identifier, or "" while a bootstrap runs
 * @param config the dynamic configuration ({@code config} key), when present and valid
 * @param leader the leader lock, when held
 * @param members every {@code members/<name>} key, by name (sorted)
 * @param failover a requested switchover/failover ({@code failover} key), when one is pending
 * @param sync the {@code sync} key, when present
 * @param history the {@code history} key's timeline switches, oldest first
 * @param status the {@code status} key: the leader's last published WAL position and slots
 * @param backups the {@code backups} key ({@link BackupRecord#NONE} when absent)
 * @param restore the {@code restore} key: a cluster-wide point-in-time recovery, when one was requested
 * @param failsafe the {@code failsafe} key (Patroni's): each member failsafe mode asks, by name, with its api_url;
 *     while {@code failsafe_mode} is on only the members it lists may race for the lock
 */
public record ClusterSnapshot(
    long revision,
    Optional<Initialize> initialize,
    Optional<Versioned<DynamicConfig>> config,
    Optional<LeaderLock> leader,
    Map<String, Member> members,
    Optional<Failover> failover,
    Optional<SyncState> sync,
    List<HistoryEntry> history,
    Optional<ClusterStatus> status,
    BackupRecord backups,
    Optional<RestoreRecord> restore,
    Optional<Map<String, String>> failsafe) {
  /** A snapshot without a {@code failsafe} key. */
  public ClusterSnapshot(long revision, Optional<Initialize> initialize, Optional<Versioned<DynamicConfig>> config,
      Optional<LeaderLock> leader, Map<String, Member> members, Optional<Failover> failover,
      Optional<SyncState> sync, List<HistoryEntry> history, Optional<ClusterStatus> status, BackupRecord backups,
      Optional<RestoreRecord> restore) {
    this(revision, initialize, config, leader, members, failover, sync, history, status, backups, restore,
        Optional.empty());
  }

  /** A snapshot without a {@code restore} key. */
  public ClusterSnapshot(long revision, Optional<Initialize> initialize, Optional<Versioned<DynamicConfig>> config,
      Optional<LeaderLock> leader, Map<String, Member> members, Optional<Failover> failover,
      Optional<SyncState> sync, List<HistoryEntry> history, Optional<ClusterStatus> status, BackupRecord backups) {
    this(revision, initialize, config, leader, members, failover, sync, history, status, backups, Optional.empty());
  }

  /** A snapshot without a {@code backups} key. */
  public ClusterSnapshot(long revision, Optional<Initialize> initialize, Optional<Versioned<DynamicConfig>> config,
      Optional<LeaderLock> leader, Map<String, Member> members, Optional<Failover> failover,
      Optional<SyncState> sync, List<HistoryEntry> history, Optional<ClusterStatus> status) {
    this(revision, initialize, config, leader, members, failover, sync, history, status, BackupRecord.NONE);
  }

  /** This snapshot with {@code record} as its {@code backups} key. */
  public ClusterSnapshot withBackups(BackupRecord record) {
    return new ClusterSnapshot(revision, initialize, config, leader, members, failover, sync, history, status,
        record, restore, failsafe);
  }

  /** This snapshot with {@code record} as its {@code restore} key. */
  public ClusterSnapshot withRestore(Optional<RestoreRecord> record) {
    return new ClusterSnapshot(revision, initialize, config, leader, members, failover, sync, history, status,
        backups, record, failsafe);
  }

  /** This snapshot with {@code members} as its {@code failsafe} key. */
  public ClusterSnapshot withFailsafe(Optional<Map<String, String>> members) {
    return new ClusterSnapshot(revision, initialize, config, leader, members(), failover, sync, history, status,
        backups, restore, members);
  }

  /** The restore in progress (stopping or bootstrapping), if any: normal HA is suspended meanwhile. */
  public Optional<RestoreRecord> restoreInProgress() {
    return restore.filter(RestoreRecord::inProgress);
  }

  public ClusterSnapshot {
    members = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(members));
    history = List.copyOf(history);
    failsafe = failsafe.map(m -> java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(m)));
  }

  /** A cluster with no keys at all. */
  public static ClusterSnapshot empty(long revision) {
    return new ClusterSnapshot(revision, Optional.empty(), Optional.empty(), Optional.empty(), Map.of(),
        Optional.empty(), Optional.empty(), List.of(), Optional.empty());
  }

  public boolean isUnlocked() {
    return leader.isEmpty();
  }

  public boolean isLeader(String name) {
    return leader.map(l -> l.name().equals(name)).orElse(false);
  }

  public Optional<Member> member(String name) {
    return Optional.ofNullable(members.get(name));
  }

  /** The leader's member key, when the lock is held and the leader's member key exists. */
  public Optional<Member> leaderMember() {
    return leader.flatMap(l -> member(l.name()));
  }

  /** The last known primary WAL position ({@code status.optime}), 0 when unknown. */
  public long lastLeaderOptime() {
    return status.map(ClusterStatus::optime).orElse(0L);
  }

  /** The {@code status} key's mod revision in this snapshot, 0 when absent (what a conditional write expects). */
  public long statusRevision() {
    return status.map(ClusterStatus::modRevision).orElse(0L);
  }

  /** The last timeline switch's ended timeline recorded in history (0 when none). */
  public long lastHistoryTimeline() {
    return history.isEmpty() ? 0 : history.get(history.size() - 1).timeline();
  }

  /**
   * The timeline the cluster's primary runs on as far as {@code history} tells: one past the highest timeline
   * that ended (history entries name the timeline that <em>ended</em>, as in Patroni's {@code Cluster.timeline}),
   * 0 when history records no switch (unknown; timeline 1 needs no entry).
   */
  public long clusterTimeline() {
    return history.stream().mapToLong(HistoryEntry::timeline).max().orElse(-1) + 1;
  }

  /** Whether history records the end of {@code timeline} (the switch into {@code timeline + 1}). */
  public boolean historyRecordsEndOf(long timeline) {
    return historyEndOf(timeline).isPresent();
  }

  /** The history entry that ends {@code timeline} (its lsn is where {@code timeline + 1} forked off), if recorded. */
  public Optional<HistoryEntry> historyEndOf(long timeline) {
    return history.stream().filter(h -> h.timeline() == timeline).findFirst();
  }
}
