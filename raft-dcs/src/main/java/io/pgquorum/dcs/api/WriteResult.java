package io.pgquorum.dcs.api;

import java.util.Optional;

/**
 * The answer to a write.
 *
 * @param outcome what happened
 * @param revision the Raft index at which the write was decided (also for failed conditions)
 * @param entry after success, the key as written (empty after a delete); after a failure, the key's current
 *     state if it exists, so that the caller can retry against it
 * @param deleted number of keys removed by a delete
 * @param detail a human-readable reason for a failure, empty on success
 */
public record WriteResult(Outcome outcome, long revision, Optional<KeyValue> entry, long deleted, String detail) {

  /** How a write ended. None of these is an error: each is a normal, deterministic answer. */
  public enum Outcome {
    OK,
    /** The precondition did not hold (compare-and-set lost, or a refresh of a re-created lease). */
    CONDITION_FAILED,
    /** A refresh found no key: the lease expired or was deleted. */
    NOT_FOUND,
    /** A refresh of a lease someone else owns. */
    NOT_OWNER
  }

  public boolean succeeded() {
    return outcome == Outcome.OK;
  }
}
