package io.pgquorum.coordinator.postgres;

/**
 * The epoch of one timeline: the fencing token of the promotion that started the fork of {@code timeline} a data
 * directory holds (docs/findings/same-timeline-forks.md). What the decision tells the executor to record after a
 * copy or a streamed switch, and what {@link TimelineEpochRecord} keeps on disk (with the system identifier).
 *
 * @param timeline the timeline (1 or more)
 * @param epoch the promotion's fencing token
 */
public record TimelineEpoch(int timeline, long epoch) {
  public TimelineEpoch {
    if (timeline < 1) {
      throw new IllegalArgumentException("timeline must be 1 or more, not " + timeline);
    }
  }
}
