package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStatus;
import io.pgquorum.coordinator.cluster.HistoryEntry;
import io.pgquorum.coordinator.cluster.Initialize;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.cluster.Versioned;
import io.pgquorum.coordinator.config.DynamicConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A {@link ClusterSnapshot} built key by key: each {@code with*} sets one DCS key and leaves the others as they
 * are, so a scenario changes only what it is about. Revisions are fixed small numbers: the {@link Decider} reads
 * none of them except the leader's fencing token, which is set explicitly.
 */
final class ClusterBuilder {
  private Optional<Initialize> initialize = Optional.empty();
  private Optional<LeaderLock> leader = Optional.empty();
  private final Map<String, Member> members = new TreeMap<>();
  private Optional<ClusterStatus> status = Optional.empty();
  private List<HistoryEntry> history = List.of();
  private Optional<Versioned<DynamicConfig>> config = Optional.empty();
  private Optional<io.pgquorum.coordinator.cluster.Failover> failover = Optional.empty();
  private Optional<io.pgquorum.coordinator.cluster.SyncState> sync = Optional.empty();

  /** A DCS with no keys at all: nobody has bootstrapped. */
  static ClusterBuilder noKeys() {
    return new ClusterBuilder();
  }

  /** The {@code initialize} key holding {@code systemIdentifier}, created by {@code owner}. */
  ClusterBuilder withInitialize(String systemIdentifier, String owner) {
    initialize = Optional.of(new Initialize(systemIdentifier, 2, owner));
    return this;
  }

  /** The {@code initialize} key's "" placeholder: {@code owner} won the bootstrap race and is bootstrapping. */
  ClusterBuilder withBootstrapInProgress(String owner) {
    return withInitialize("", owner);
  }

  ClusterBuilder withoutInitialize() {
    initialize = Optional.empty();
    return this;
  }

  /** The leader key: held by {@code name}, created at revision {@code token} (its fencing token), stored ttl. */
  ClusterBuilder withLeader(String name, long token, Duration ttl) {
    leader = Optional.of(new LeaderLock(name, token, token, ttl));
    return this;
  }

  ClusterBuilder withoutLeader() {
    leader = Optional.empty();
    return this;
  }

  /** A {@code members/<name>} key; {@code connUrl} "" when the member has not published an address. */
  ClusterBuilder withMember(String name, String connUrl) {
    members.put(name, new Member(name, 3, connUrl, "http://127.0.0.1:8008/patroni", "running", "replica", "0.1.0",
        OptionalLong.of(1000), 1, Optional.empty(), Map.of(), false, Map.of()));
    return this;
  }

  /**
   * A {@code members/<name>} key with its state, role and tags (clonefrom, replicatefrom) as well; what a cascading
   * replica reads about its upstream and a clone about its source.
   */
  ClusterBuilder withMember(String name, String connUrl, String state, String role, Map<String, Object> tags) {
    return withMember(name, connUrl, state, role, tags, 1);
  }

  /** As above, with the timeline the member publishes (0: none published, unknown). */
  ClusterBuilder withMember(String name, String connUrl, String state, String role, Map<String, Object> tags,
      int timeline) {
    return withMember(name, connUrl, state, role, tags, timeline, Map.of());
  }

  /** As above, with fields beyond Patroni's ones the decisions read ({@code synchronous_standby_names}, ...). */
  ClusterBuilder withMember(String name, String connUrl, String state, String role, Map<String, Object> tags,
      int timeline, Map<String, Object> raw) {
    members.put(name, new Member(name, 3, connUrl, "http://127.0.0.1:8008/patroni", state, role, "0.1.0",
        OptionalLong.of(1000), timeline, Optional.empty(), tags, false, raw));
    return this;
  }

  Optional<Member> member(String name) {
    return Optional.ofNullable(members.get(name));
  }

  ClusterBuilder withoutMember(String name) {
    members.remove(name);
    return this;
  }

  /** The {@code status} key: the last leader position the holder published. */
  ClusterBuilder withOptime(long optime) {
    status = Optional.of(new ClusterStatus(optime, Map.of(), 5));
    return this;
  }

  /** The {@code status} key's slots and retain_slots (Patroni 4), keeping its optime (0 when there was none). */
  ClusterBuilder withStatusSlots(Map<String, Long> slots) {
    long optime = status.map(ClusterStatus::optime).orElse(0L);
    status = Optional.of(new ClusterStatus(optime, slots, List.copyOf(new java.util.TreeSet<>(slots.keySet())), 5));
    return this;
  }

  ClusterBuilder withoutStatus() {
    status = Optional.empty();
    return this;
  }

  /** The {@code history} key: one entry per ended timeline, oldest first, each with where it ended. */
  ClusterBuilder withHistory(List<long[]> endedTimelineAndLsn) {
    List<HistoryEntry> h = new ArrayList<>();
    for (long[] e : endedTimelineAndLsn) {
      h.add(new HistoryEntry(e[0], e[1], "no recovery target specified", Optional.empty(), Optional.of("node2"),
          e.length > 2 ? java.util.OptionalLong.of(e[2]) : java.util.OptionalLong.empty()));
    }
    history = List.copyOf(h);
    return this;
  }

  /** Whether the {@code config} key exists (its content is not read by the decision: the policy carries it). */
  ClusterBuilder withConfigKey(boolean present, DynamicConfig value) {
    config = present ? Optional.of(new Versioned<>(value, 4)) : Optional.empty();
    return this;
  }

  /** The {@code failover} key: a switchover or failover request (at mod revision 9), or none. */
  ClusterBuilder withFailover(Optional<io.pgquorum.coordinator.cluster.Failover> request) {
    failover = request;
    return this;
  }

  /** The {@code sync} key (its revision is part of the state), or none. */
  ClusterBuilder withSync(Optional<io.pgquorum.coordinator.cluster.SyncState> key) {
    sync = key;
    return this;
  }

  ClusterSnapshot build() {
    return new ClusterSnapshot(10, initialize, config, leader, members, failover, sync, history,
        status);
  }
}
