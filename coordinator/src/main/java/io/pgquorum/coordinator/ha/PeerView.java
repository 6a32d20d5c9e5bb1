package io.pgquorum.coordinator.ha;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a peer's REST API ({@code GET <api_url>}, Patroni's {@code /patroni} JSON) said when this node asked during
 * a leader race. Gathered by the loop before deciding (in parallel, with a short timeout), so the decision itself
 * stays pure.
 *
 * @param name member name
 * @param reachable whether it answered in time
 * @param role its role string (primary, replica, ...), when it answered
 * @param running whether its PostgreSQL is running
 * @param walPosition its WAL position (primary: location; replica: max(received, replayed))
 * @param timeline its timeline
 * @param failoverPriority from its tags (0 = never), 1 when absent
 * @param nofailover from its tags
 * @param timelineEpoch the fencing token of the promotion that started its timeline's fork, when it says
 *     ({@link io.pgquorum.coordinator.postgres.PgState#timelineEpoch}); a peer on another fork of the cluster's
 *     timeline is never a better candidate
 */
public record PeerView(
    String name,
    boolean reachable,
    Optional<String> role,
    boolean running,
    OptionalLong walPosition,
    int timeline,
    int failoverPriority,
    boolean nofailover,
    OptionalLong timelineEpoch) {
  /** A peer that did not say which fork its timeline is. */
  public PeerView(String name, boolean reachable, Optional<String> role, boolean running, OptionalLong walPosition,
      int timeline, int failoverPriority, boolean nofailover) {
    this(name, reachable, role, running, walPosition, timeline, failoverPriority, nofailover, OptionalLong.empty());
  }

  public static PeerView unreachable(String name) {
    return new PeerView(name, false, Optional.empty(), false, OptionalLong.empty(), 0, 1, false);
  }
}
