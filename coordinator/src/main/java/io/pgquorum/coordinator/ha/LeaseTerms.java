package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.config.DynamicConfig;
import java.time.Duration;

/**
 * How long a confirmed acquire, refresh or re-arm of the leader lease lets this node act as the leader, on its own
 * clock from before it sent the write. Pure: the executor applies it to what the DCS replied.
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
 */
final class LeaseTerms {
  private LeaseTerms() {}

  /** Nanoseconds the lease stays usable after the send of a write the DCS confirmed with {@code storedTtl}. */
  static long validForNanos(Duration storedTtl, DynamicConfig dyn) {
    long ttlNanos = Math.min(storedTtl.toNanos(), dyn.ttlDuration().toNanos());
    return Math.max(0, ttlNanos - dyn.retryTimeoutDuration().toNanos());
  }
}
