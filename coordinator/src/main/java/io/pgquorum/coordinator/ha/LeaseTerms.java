package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Duration;

/**
 * How long a confirmed acquire, refresh or re-arm of the leader lease lets this node act as the leader, on its own
 * clock from before it sent the write. Decided by the {@link Decider} from the cycle's dynamic configuration and
 * carried by the lock actions, so the executor only applies it to what the DCS replied.
 *
 * <p>The rule: {@code min(stored ttl, configured ttl) - retry_timeout}.
 * <ul>
 *   <li><b>stored ttl</b>: the DCS expires the key with the ttl stored on it (a refresh re-arms it with that ttl,
 *       whatever the configuration says now), so that is the only ttl the holder may count on. Taking the
 *       configured ttl instead was hole 1 of issue 10: after an operator raised {@code ttl} (or the {@code config}
 *       key vanished and the node fell back to a larger {@code bootstrap.dcs} ttl), the DCS expired the key at the
 *       old ttl while the old primary stayed writable until the new one: two writable primaries for seconds.
 *   <li><b>configured ttl</b>: when the operator lowered {@code ttl}, the holder already behaves as if the short
 *       lease were in force (until {@link Action.RearmLock} has stored it), so nothing depends on the longer one.
 *   <li><b>retry_timeout margin</b>: covers an immediate stop plus {@link LeaseGuard}'s check interval, and the
 *       clock-rate drift the DCS's expiry factor already allows for; {@code loop_wait + 2 * retry_timeout <= ttl}
 *       keeps it below ttl.
 * </ul>
 *
 * @param configuredTtl the ttl in force this cycle
 * @param margin retry_timeout
 * @param ignoresDrift PLANTED BUG {@link HaBug#LEASE_IGNORES_DRIFT}: the configured ttl, no margin
 */
public record LeaseTerms(Duration configuredTtl, Duration margin, boolean ignoresDrift) {

  static LeaseTerms of(DynamicConfig dyn, PlantedBugs bugs) {
    return new LeaseTerms(dyn.ttl(), dyn.retryTimeout(), bugs.active(HaBug.LEASE_IGNORES_DRIFT));
  }

  /** Nanoseconds the lease stays usable after the send of a write the DCS confirmed with {@code storedTtl}. */
  long validForNanos(Duration storedTtl) {
    if (ignoresDrift) {
      // PLANTED BUG (test harness only): no margin, so a slow local clock lets the lease outlive the DCS's.
      return configuredTtl.toNanos();
    }
    long ttlNanos = Math.min(storedTtl.toNanos(), configuredTtl.toNanos());
    return Math.max(0, ttlNanos - margin.toNanos());
  }
}
