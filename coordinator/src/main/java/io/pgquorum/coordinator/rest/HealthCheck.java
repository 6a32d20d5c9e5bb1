package io.pgquorum.coordinator.rest;

import io.pgquorum.coordinator.ha.Decider;
import io.pgquorum.coordinator.ha.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Patroni's health-check rules: which status code ({@code 200} or {@code 503}) a path answers for a given node
 * status. Pure: the caller passes the clocks.
 *
 * <p>Any path that is not a known endpoint answers 503, as in Patroni, so a load balancer pointed at a mistyped
 * check takes the node out of rotation rather than sending traffic to it. Paths are matched exactly (Patroni
 * matches substrings, so {@code /replicas} works there; here it is a 503).
 */
final class HealthCheck {
  static final int OK = 200;
  static final int UNAVAILABLE = 503;

  private HealthCheck() {}

  /**
   * The status code for {@code path}.
   *
   * @param status the last published status; null before the first cycle (everything is unavailable then)
   * @param nowNanos {@link System#nanoTime()} now, for liveness
   * @param now wall time now, for the DCS freshness in readiness
   * @throws BadRequest when a query parameter (e.g. {@code lag}) cannot be parsed
   */
  static int evaluate(String path, Map<String, List<String>> query, NodeStatus status, long nowNanos, Instant now)
      throws BadRequest {
    if (status == null) {
      return UNAVAILABLE;
    }
    // A status published while the lease was valid goes stale if the loop stops (a SIGSTOPped daemon answers
    // from its old status the moment it resumes; a stuck DCS call delays the next cycle). The lease deadline is
    // on this process's monotonic clock, so "primary" is judged against it at request time: past the deadline,
    // the guard and the watchdog are stopping PostgreSQL, and a load balancer must not send writes here.
    if (leaseRanOut(status, nowNanos)) {
      status = status.withoutLock();
    }
    switch (path) {
      case "/":
      case "/primary":
      case "/read-write":
      case "/master":
        return code(status.isRunningPrimary());
      case "/leader":
        return code(status.holdsLock());
      case "/standby-leader":
      case "/standby_leader":
        return code(StatusFacts.standbyLeader(status));
      case "/replica":
        return code(replicaOk(status, query));
      case "/read-only":
        return code(status.isRunningPrimary() || StatusFacts.standbyLeader(status) || replicaOk(status, query));
      case "/health":
        return code(status.pg().running());
      case "/liveness":
        return code(live(status, nowNanos));
      case "/readiness":
        return code(ready(status, now));
      case "/sync":
      case "/synchronous":
        return code(status.cluster().isPresent() && StatusFacts.inSync(status) && replicaOk(status, query));
      case "/async":
      case "/asynchronous":
        return code(status.cluster().isPresent() && !StatusFacts.inSync(status) && replicaOk(status, query));
      default:
        return UNAVAILABLE;
    }
  }

  private static int code(boolean ok) {
    return ok ? OK : UNAVAILABLE;
  }

  /**
   * A running replica that load balancers may use, narrowed by the query: {@code lag} (bytes behind the last
   * known primary position), {@code replication_state}, and {@code tag_<name>=<value>}.
   */
  static boolean replicaOk(NodeStatus s, Map<String, List<String>> query) throws BadRequest {
    // A standby leader is a standby too, but not a replica of this cluster (Patroni answers by role).
    if (!s.pg().isReplica() || StatusFacts.standbyLeader(s) || s.tags().noloadbalance()) {
      return false;
    }
    if (offLeaderLine(s).isPresent()) {
      // Issue 17, item 12: a replica on a timeline the leader's does not continue serves writes the cluster's line
      // does not have (after a point-in-time restore, the very data the restore removed), and its LSN compared
      // with the leader's says nothing, so no lag filter can catch it. Patroni has no such rule; here it is out of
      // /replica (and /read-only, /sync, /async) whatever the query, with the reason in the body (pgquorum.diverged)
      // until the HA loop has rewound or re-cloned it.
      return false;
    }
    Optional<String> lagParam = first(query, "lag");
    if (lagParam.isPresent()) {
      long maxLag = ByteSize.parse("lag", lagParam.get());
      OptionalLong lag = lagBytes(s);
      // Unknown primary position: nothing to compare with, so the filter does not apply (as in Patroni).
      if (lag.isPresent() && lag.getAsLong() > maxLag) {
        return false;
      }
    }
    Optional<String> wantedState = first(query, "replication_state");
    if (wantedState.isPresent() && !wantedState.equals(s.pg().replicationState())) {
      return false;
    }
    for (Map.Entry<String, List<String>> e : query.entrySet()) {
      if (e.getKey().startsWith("tag_") && !e.getValue().isEmpty()) {
        Object actual = s.tags().all().get(e.getKey().substring(4));
        if (actual == null || !String.valueOf(actual).equalsIgnoreCase(e.getValue().get(0))) {
          return false;
        }
      }
    }
    return true;
  }

  /** Why this replica is not on the leader's line of history ({@link Decider#offLeaderLine}), if it is not. */
  static Optional<String> offLeaderLine(NodeStatus s) {
    return s.cluster().flatMap(c -> Decider.offLeaderLine(c, s.pg()));
  }

  /**
   * Bytes this replica's replay is behind the newest known primary position. Replay (not receipt) is what a
   * reader sees, which is what a lag filter protects; without a replay position, the probe's WAL position.
   */
  static OptionalLong lagBytes(NodeStatus s) {
    OptionalLong leader = s.cluster().map(StatusFacts::leaderOptime).orElse(OptionalLong.empty());
    if (leader.isEmpty()) {
      return OptionalLong.empty();
    }
    long mine = s.pg().replayedLsn().orElse(s.pg().walPosition());
    return OptionalLong.of(Math.max(0, leader.getAsLong() - mine));
  }

  /**
   * The HA loop finished a cycle recently: within ttl for a primary (it must refresh its lease that often),
   * twice that otherwise. Always live in maintenance mode, where the loop deliberately does little.
   */
  private static boolean live(NodeStatus s, long nowNanos) {
    if (StatusFacts.paused(s)) {
      return true;
    }
    Duration ttl = StatusFacts.ttl(s);
    long bound = (s.pg().isPrimary() ? ttl : ttl.multipliedBy(2)).toNanos();
    return nowNanos - s.cycleNanos() <= bound;
  }

  private static boolean leaseRanOut(NodeStatus s, long nowNanos) {
    return s.holdsLock() && s.leaseDeadlineNanos().isPresent() && s.leaseDeadlineNanos().getAsLong() - nowNanos <= 0;
  }

  /** Serving traffic makes sense: the leader, or a streaming replica whose view of the DCS is fresh. */
  private static boolean ready(NodeStatus s, Instant now) {
    if (s.isRunningPrimary()) {
      return true;
    }
    if (!s.pg().isReplica() || !s.pg().replicationState().equals(Optional.of("streaming"))) {
      return false;
    }
    Duration ttl = StatusFacts.ttl(s);
    return s.dcsLastSeen().map(seen -> !seen.plus(ttl).isBefore(now)).orElse(false);
  }

  private static Optional<String> first(Map<String, List<String>> query, String key) {
    List<String> values = query.get(key);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }
}
