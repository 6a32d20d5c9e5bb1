package io.pgquorum.coordinator.postgres;

import io.pgquorum.dcs.planted.PlantedBug;

/**
 * The PostgreSQL adapter's planted bugs, for the fault-injection harness and the tests that prove a check can fail
 * (see {@link io.pgquorum.dcs.planted.PlantedBugs} for how they are switched on and shown). Each hook is one small,
 * commented branch at the point it perturbs, marked {@code PLANTED BUG}.
 */
public enum PgBug implements PlantedBug {
  /**
   * The stopped probe reports the last checkpoint's timeline, ignoring a minimum recovery point on a later one (one
   * branch in {@link StateProbe}): the data of a node promoted and stopped before the promotion's checkpoint (or
   * then run as a standby and stopped before a restartpoint on the new timeline) reads as the old timeline, so the
   * epoch record of its own fork does not apply and it is taken for the leader's fork of the same number
   * (docs/findings/same-timeline-forks.md).
   */
  STOPPED_PROBE_CHECKPOINT_TIMELINE("stopped-probe-checkpoint-timeline", "durability",
      "a stopped node reports its last checkpoint's timeline, so a fork of the leader's timeline goes unnoticed");

  private final String id;
  private final String breaks;
  private final String description;

  PgBug(String id, String breaks, String description) {
    this.id = id;
    this.breaks = breaks;
    this.description = description;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String breaks() {
    return breaks;
  }

  @Override
  public String description() {
    return description;
  }
}
