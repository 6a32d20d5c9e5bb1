package io.pgquorum.jepsen.fault;

import java.util.List;

/**
 * A reproducible fault schedule: plain data, saved as JSON (regression files), replayed exactly.
 *
 * @param name a label ("seed-1234-7", "regression-isolate-primary", ...)
 * @param seed the generator seed it came from (0 for hand-written schedules); printed on every failure
 * @param nodes cluster size
 * @param steps the faults, by start time
 * @param quietMillis how long the workload keeps running after the last step was reverted (the availability
 *     checker measures recovery inside it)
 */
public record Schedule(String name, long seed, int nodes, List<Step> steps, long quietMillis) {
  public Schedule {
    steps = List.copyOf(steps);
    if (nodes < 1) {
      throw new IllegalArgumentException("a schedule needs at least one node, got " + nodes);
    }
  }

  /** When the last fault is reverted (0 for an empty schedule). */
  public long lastHealMillis() {
    return steps.stream().mapToLong(Step::endMillis).max().orElse(0);
  }

  /** Total workload duration: last heal plus the quiet tail. */
  public long totalMillis() {
    return lastHealMillis() + quietMillis;
  }
}
