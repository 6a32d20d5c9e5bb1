package io.pgquorum.coordinator.cluster;

import java.util.Optional;

/**
 * The {@code failover} key: a requested switchover ({@code leader} set) or failover (only {@code member}).
 *
 * @param leader the current leader the request expects (switchover)
 * @param member the requested candidate
 * @param scheduledAt ISO-8601 time for a scheduled switchover
 * @param modRevision for compare-and-delete once handled
 */
public record Failover(Optional<String> leader, Optional<String> member, Optional<String> scheduledAt,
    long modRevision) {

  /** Patroni's name for what was asked: a switchover names the leader it moves away from, a failover does not. */
  public boolean isSwitchover() {
    return leader.isPresent();
  }

  /** Whether {@code name} is the requested candidate. */
  public boolean names(String name) {
    return member.map(name::equals).orElse(false);
  }
}
