package io.pgquorum.coordinator.ha;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Sends one failsafe round ({@code POST /failsafe} to every peer at once) and returns who accepted. Implemented
 * over HTTP by {@code io.pgquorum.coordinator.rest.FailsafeClient}; the simulator answers in memory.
 */
@FunctionalInterface
public interface FailsafeAsker {
  /** Nobody accepts (no REST client wired): a round with peers never extends the lease. */
  FailsafeAsker NONE = (peers, leader, ttl, slots) -> Set.of();

  /**
   * @param peers member name to api_url
   * @param leader this node's name, as the peers record the promise
   * @param ttl how long each promise is to last (before the clock-rate stretch)
   * @param slots the positions of this primary's slots, sent along (Patroni's {@code slots})
   * @return the names of the peers that answered 200 in time
   */
  Set<String> accepted(Map<String, String> peers, String leader, Duration ttl, Map<String, Long> slots);
}
