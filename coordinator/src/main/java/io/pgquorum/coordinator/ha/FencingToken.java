package io.pgquorum.coordinator.ha;

/**
 * The fencing token a start or promotion as primary runs with, as the plan states it. Why a type and not a number:
 * when the plan itself takes the lock, the token (the leader key's create revision) is known only once its
 * {@link Action.AcquireLock} gate has passed; the plan says so instead of leaving the executor to guess.
 */
public sealed interface FencingToken {
  /** The token of the lock this node holds (the snapshot's leader key, refreshed by a gate before it). */
  record Held(long token) implements FencingToken {}

  /** The token the {@link Action.AcquireLock} earlier in the same plan obtains. */
  record Acquired() implements FencingToken {}

  static FencingToken held(long token) {
    return new Held(token);
  }

  static FencingToken acquired() {
    return new Acquired();
  }
}
