package io.pgquorum.jepsen.fault;

/**
 * One timed step of a schedule: apply {@code fault} at {@code atMillis} after the workload started, revert it
 * {@code durationMillis} later. Steps may overlap; reverting is per step.
 */
public record Step(long atMillis, long durationMillis, Fault fault) {
  public Step {
    if (atMillis < 0 || durationMillis < 0) {
      throw new IllegalArgumentException("step times must not be negative: at " + atMillis + " ms, duration "
          + durationMillis + " ms");
    }
  }

  public long endMillis() {
    return atMillis + durationMillis;
  }
}
