package io.pgquorum.coordinator.rest;

import io.pgquorum.dcs.api.RaftStats;
import java.time.Duration;
import java.util.Optional;

/**
 * What a witness publishes for its REST endpoint, about once a second: its DCS member's Raft figures and how long
 * ago that member last had confirmed contact with a majority (a follower hearing its leader, or a leader hearing
 * enough followers). The endpoint reads only this value, so a request never waits for Raft.
 *
 * @param scope the cluster (a metrics label)
 * @param name how the witness is named (a metrics label): its name, else its Raft address
 * @param raft the member's last sampled figures
 * @param viewAge the contact age at {@code publishedNanos}; empty when the member never had such contact
 * @param publishedNanos {@link System#nanoTime()} when this was published
 */
public record WitnessStatus(String scope, String name, RaftStats raft, Optional<Duration> viewAge,
    long publishedNanos) {

  /**
   * Whether the member is part of a group with a leader it heard from within {@code recent}, as of
   * {@code nowNanos}. The time since publication counts too: a publisher that stopped makes the witness unhealthy
   * rather than reporting an old contact as fresh.
   */
  public boolean healthy(long nowNanos, Duration recent) {
    if (raft.leaderId().isEmpty() || viewAge.isEmpty()) {
      return false;
    }
    Duration age = viewAge.get().plusNanos(Math.max(0, nowNanos - publishedNanos));
    return age.compareTo(recent) <= 0;
  }

  /** The contact age as of {@code nowNanos}, milliseconds; -1 when there was none. */
  long contactAgeMillis(long nowNanos) {
    return viewAge.map(a -> a.plusNanos(Math.max(0, nowNanos - publishedNanos)).toMillis()).orElse(-1L);
  }
}
