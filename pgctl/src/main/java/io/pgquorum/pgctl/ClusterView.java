package io.pgquorum.pgctl;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStatus;
import io.pgquorum.coordinator.cluster.Failover;
import io.pgquorum.coordinator.cluster.LeaderTimeline;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.DynamicConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A cluster as {@code pgctl list} shows it, derived from one DCS snapshot with patronictl's rules.
 *
 * @param scope cluster name
 * @param systemIdentifier the {@code initialize} key: the system identifier, {@code initializing} while a
 *     bootstrap runs, {@code uninitialized} when the key is absent
 * @param members every member key, sorted by name
 * @param paused the dynamic configuration says {@code pause: true} (maintenance mode)
 * @param switchover a switchover scheduled for a given time, when one is pending
 */
record ClusterView(
    String scope,
    String systemIdentifier,
    List<MemberView> members,
    boolean paused,
    Optional<ScheduledSwitchover> switchover) {

  ClusterView {
    members = List.copyOf(members);
  }

  /** The {@code failover} key of a scheduled switchover: when, from which leader, to which candidate. */
  record ScheduledSwitchover(String at, Optional<String> from, Optional<String> to) {}

  static ClusterView of(String scope, ClusterSnapshot snapshot) {
    Map<String, Object> dynamic = snapshot.config().map(v -> v.value()).map(DynamicConfig::raw).orElse(Map.of());
    OptionalLong reference = referencePosition(snapshot);
    List<MemberView> members = new ArrayList<>();
    for (Member m : snapshot.members().values()) { // the snapshot keeps members sorted by name
      members.add(member(m, snapshot, dynamic, reference));
    }
    String sysid = snapshot.initialize()
        .map(i -> i.bootstrapInProgress() ? "initializing" : i.systemIdentifier())
        .orElse("uninitialized");
    return new ClusterView(scope, sysid, members, truthy(dynamic.get("pause")),
        snapshot.failover().flatMap(ClusterView::scheduled));
  }

  private static MemberView member(Member m, ClusterSnapshot snapshot, Map<String, Object> dynamic,
      OptionalLong reference) {
    boolean leader = snapshot.isLeader(m.name());
    String role;
    if (leader) {
      role = dynamic.get("standby_cluster") instanceof Map<?, ?> standby && !standby.isEmpty()
          ? "Standby Leader" : "Leader";
    } else if (snapshot.sync().map(s -> s.lists(m.name())).orElse(false)) {
      // Case-insensitive, as PostgreSQL matches application_name and patronictl's sync.matches does.
      role = "quorum".equalsIgnoreCase(String.valueOf(dynamic.get("synchronous_mode")))
          ? "Quorum Standby" : "Sync Standby";
    } else {
      role = "Replica";
    }
    // A replica shows how it replicates (streaming, in archive recovery) when it says; otherwise, and always for
    // the leader, the PostgreSQL state (running, stopped, starting, creating replica, ...).
    String state = leader ? m.state() : m.replicationState().filter(s -> !s.isEmpty()).orElse(m.state());
    OptionalLong lag = OptionalLong.empty();
    boolean diverged = LeaderTimeline.ofMember(snapshot, m).isPresent();
    if (diverged) {
      // On a timeline the leader's does not continue: its position says nothing against the leader's (lag
      // unknown), and the state says why it is no healthy replica.
      state = state + " (diverged timeline)";
    } else if (!leader && reference.isPresent() && m.xlogLocation().isPresent()) {
      // A replica ahead of the reference (the reference is a little older than its own report) is not behind.
      lag = OptionalLong.of(Math.max(0, reference.getAsLong() - m.xlogLocation().getAsLong()));
    }
    boolean archiveFailing = Boolean.TRUE.equals(m.raw().get("archive_failing"));
    if (archiveFailing) {
      // pgquorum's own member field: the node's WAL does not reach the archive (its pg_stat_archiver says so).
      state = state + " (archiving fails)";
    }
    OptionalInt timeline = m.raw().get("timeline") instanceof Number n ? OptionalInt.of(n.intValue())
        : OptionalInt.empty();
    ConnAddress address = ConnAddress.parse(m.connUrl());
    return new MemberView(m.name(), address.host(), address.port(), role, state, timeline, lag, !leader,
        m.pendingRestart(), scheduledRestart(m.raw().get("scheduled_restart")), m.tags(),
        pendingRestartReason(m.raw().get("pending_restart_reason")), archiveFailing,
        Boolean.TRUE.equals(m.raw().get("sync_commits_blocked")));
  }

  /**
   * The WAL position lag is measured against: the newer of the leader's own report and the last position it
   * published in {@code status} (patronictl uses only the latter; the member key is refreshed as often and is
   * what the leader row itself shows). Zero means "never published", so it does not count as known.
   */
  private static OptionalLong referencePosition(ClusterSnapshot snapshot) {
    long leader = snapshot.leaderMember().map(m -> m.xlogLocation().orElse(0L)).orElse(0L);
    long status = snapshot.status().map(ClusterStatus::optime).orElse(0L);
    long best = Math.max(leader, status);
    return best > 0 ? OptionalLong.of(best) : OptionalLong.empty();
  }

  private static Optional<String> scheduledRestart(Object raw) {
    if (!(raw instanceof Map<?, ?> m) || m.get("schedule") == null) {
      return Optional.empty();
    }
    String value = String.valueOf(m.get("schedule"));
    if (m.get("postgres_version") != null) {
      value += " if version < " + m.get("postgres_version");
    }
    return Optional.of(value);
  }

  /**
   * Patroni's {@code pending_restart_reason}: {@code {param: {old_value, new_value}}}, shown as
   * {@code param: old->new}, one per parameter in the key's order.
   */
  private static List<String> pendingRestartReason(Object raw) {
    List<String> out = new ArrayList<>();
    if (raw instanceof Map<?, ?> params) {
      params.forEach((param, values) -> {
        if (values instanceof Map<?, ?> v) {
          out.add(param + ": " + v.get("old_value") + "->" + v.get("new_value"));
        }
      });
    }
    return out;
  }

  private static Optional<ScheduledSwitchover> scheduled(Failover f) {
    return f.scheduledAt().map(at -> new ScheduledSwitchover(at, f.leader(), f.member()));
  }

  private static boolean truthy(Object v) {
    return Boolean.TRUE.equals(v) || "true".equalsIgnoreCase(String.valueOf(v))
        || "on".equalsIgnoreCase(String.valueOf(v));
  }
}
