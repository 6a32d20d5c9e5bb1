package io.pgquorum.coordinator.rest;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.SyncMode;
import io.pgquorum.coordinator.config.TimingDefaults;
import io.pgquorum.coordinator.ha.NodeStatus;
import java.util.OptionalLong;

/**
 * Values derived from one {@link NodeStatus} that several endpoints need (health checks, status JSON, metrics),
 * computed the same way everywhere.
 */
final class StatusFacts {
  /** The version peers and monitoring see in {@code patroni.version} and {@code patroni_version}. */
  static final String VERSION = "0.1.0";

  private StatusFacts() {}

  /** The lease length from the cluster's dynamic config, or the default when none was read. */
  static java.time.Duration ttl(NodeStatus s) {
    return s.cluster().flatMap(ClusterSnapshot::config).map(v -> v.value().ttl()).orElse(TimingDefaults.TTL);
  }

  /** Maintenance mode: the dynamic config's {@code pause} key is true. */
  static boolean paused(NodeStatus s) {
    return s.cluster().flatMap(ClusterSnapshot::config).map(v -> isTrue(v.value().raw().get("pause")))
        .orElse(false);
  }

  /** Whether the DCS showed no leader lock; unknown (no snapshot yet) counts as unlocked, as in Patroni. */
  static boolean clusterUnlocked(NodeStatus s) {
    return s.cluster().map(ClusterSnapshot::isUnlocked).orElse(true);
  }

  /**
   * The newest primary WAL position this node knows: the {@code status} key's optime, else the leader member's
   * published xlog location. Empty when neither is known.
   */
  static OptionalLong leaderOptime(ClusterSnapshot c) {
    long optime = c.lastLeaderOptime();
    if (optime > 0) {
      return OptionalLong.of(optime);
    }
    return c.leaderMember().map(Member::xlogLocation).orElse(OptionalLong.empty());
  }

  /** Whether this node is listed as a synchronous standby in the {@code sync} key. */
  static boolean inSync(NodeStatus s) {
    return s.cluster().flatMap(ClusterSnapshot::sync).map(y -> y.syncStandbys().contains(s.name()))
        .orElse(false);
  }

  /**
   * Whether the cluster runs quorum commit ({@code synchronous_mode: quorum}): then a member of the {@code sync} key
   * is a quorum standby (Patroni 4's {@code quorum_standby}), not a synchronous one.
   */
  static boolean quorumMode(NodeStatus s) {
    return config(s).map(v -> v.synchronous().mode() == SyncMode.QUORUM).orElse(false);
  }

  /** The holder of a standby cluster's lock, running as the remote's standby (Patroni's standby_leader role). */
  static boolean standbyLeader(NodeStatus s) {
    return s.holdsLock() && s.pg().running() && "standby_leader".equals(s.role());
  }

  /** The dynamic config, when the last snapshot had a valid one. */
  static java.util.Optional<DynamicConfig> config(NodeStatus s) {
    return s.cluster().flatMap(ClusterSnapshot::config).map(v -> v.value());
  }

  static boolean isTrue(Object v) {
    return Boolean.TRUE.equals(v) || (v instanceof String str && (str.equalsIgnoreCase("true")
        || str.equalsIgnoreCase("on") || str.equalsIgnoreCase("yes")));
  }
}
