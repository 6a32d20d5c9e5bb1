package io.pgquorum.coordinator.ha;

import java.util.OptionalLong;

/**
 * What the decision remembers from one cycle to the next: its own state, handed back by the loop as an input
 * ({@link LocalState#memory()}) and returned, updated, with every {@link Decision}. Keeping it a value that only
 * {@link Decider} computes keeps the rules that depend on time or on repetition pure and table-testable.
 *
 * @param primaryStartSinceNanos when (on the loop's nano clock) this holder began bringing PostgreSQL up as primary
 *     without it having come up since (the first start attempt after a crash, or the first cycle that saw the
 *     postmaster alive but not yet accepting connections): what {@code primary_start_timeout} is counted from
 * @param unprobeableCycles consecutive cycles (outside long tasks) whose probe could not tell PostgreSQL's state:
 *     see {@link Decider#UNPROBEABLE_CYCLES}
 */
public record HaMemory(OptionalLong primaryStartSinceNanos, int unprobeableCycles) {
  /** Nothing remembered (the first cycle, or nothing in progress). */
  public static final HaMemory NONE = new HaMemory(OptionalLong.empty(), 0);
}
