package io.pgquorum.coordinator.ha;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A promise this node gave a primary running on failsafe ({@code POST /failsafe}): not to race for the leader lock
 * before {@code untilNanos} on this node's monotonic clock. See {@link FailsafeRules} for why it must outlast the
 * lease the primary takes from it.
 *
 * @param leader the primary's member name, as it sent it
 * @param untilNanos the end of the promise
 * @param slots the positions of the primary's slots it sent with the request (Patroni's {@code slots}: slot name to
 *     WAL position in bytes, its own slot at its current position), which a replica cut off from the DCS moves its
 *     copies to ({@link FailsafeRules#slotAdvance}); empty when it sent none
 */
public record FailsafePromise(String leader, long untilNanos, Map<String, Long> slots) {
  public FailsafePromise {
    slots = java.util.Collections.unmodifiableMap(new TreeMap<>(slots));
  }

  /**
   * What the HA loop samples of failsafe mode each cycle.
   *
   * @param promise the latest promise given, if any (expired ones too: the rule compares with now)
   * @param startedNanos when this daemon started: promises given before a restart are forgotten, so for one promise's
   *     length after it the node does not race while failsafe mode is on
   * @param heldLease this daemon has held the leader lease since it started: then no promise of an earlier daemon of
   *     this node can still be in force (see {@link FailsafeRules#whyNoRace}), and the start no longer holds it back
   */
  public record Local(Optional<FailsafePromise> promise, long startedNanos, boolean heldLease) {
    /** No promise, and a start long ago (the decision transcripts' and tests' default). */
    public static final Local NONE = new Local(Optional.empty(), Long.MIN_VALUE / 4, false);
  }
}
