package io.pgquorum.bench.soak;

/**
 * What the soak suite counts from its samples of the cluster: which node answered as the single primary and on
 * which timeline. Nothing is killed or cut during a soak, so every change it counts is spurious: a failover that
 * happened only because the machine was loaded.
 *
 * <ul>
 *   <li>primary changes: a sample naming another node as the primary than the last sample that named one;
 *   <li>promotions: how far the primary's timeline rose (every promotion makes a new timeline, also when the node
 *       that lost its lock wins it again, which a primary change alone would miss; a rise by two is two
 *       promotions, one of them between samples);
 *   <li>time without a primary: from the first sample without a single primary to the next sample with one.
 * </ul>
 */
final class PrimaryWatch {
  private int lastPrimary = -1;
  private long lastTimeline = -1;
  private int primaryChanges;
  private long promotions;
  private long withoutPrimaryNanos;
  private long longestWithoutPrimaryNanos;
  private long gapSince = -1;
  private int samples;
  private int samplesWithoutPrimary;

  /**
   * One sample at {@code atNanos}: {@code primary} the node answering as the single primary (-1: none or several),
   * {@code timeline} its timeline (-1: not read).
   */
  void sample(long atNanos, int primary, long timeline) {
    samples++;
    if (primary < 0) {
      samplesWithoutPrimary++;
      if (gapSince < 0) {
        gapSince = atNanos;
      }
      return;
    }
    closeGap(atNanos);
    if (lastPrimary >= 0 && primary != lastPrimary) {
      primaryChanges++;
    }
    lastPrimary = primary;
    if (timeline >= 0) {
      if (lastTimeline >= 0 && timeline > lastTimeline) {
        promotions += timeline - lastTimeline;
      }
      lastTimeline = Math.max(lastTimeline, timeline);
    }
  }

  /** Ends the observation at {@code atNanos}: a stretch without a primary still open counts up to here. */
  void finish(long atNanos) {
    closeGap(atNanos);
  }

  private void closeGap(long atNanos) {
    if (gapSince >= 0) {
      long gap = atNanos - gapSince;
      withoutPrimaryNanos += gap;
      longestWithoutPrimaryNanos = Math.max(longestWithoutPrimaryNanos, gap);
      gapSince = -1;
    }
  }

  int primaryChanges() {
    return primaryChanges;
  }

  long promotions() {
    return promotions;
  }

  double secondsWithoutPrimary() {
    return withoutPrimaryNanos / 1e9;
  }

  double longestSecondsWithoutPrimary() {
    return longestWithoutPrimaryNanos / 1e9;
  }

  int samples() {
    return samples;
  }

  int samplesWithoutPrimary() {
    return samplesWithoutPrimary;
  }

  /** Whether any sample named a primary and read its timeline (a watch that saw nothing proves nothing). */
  boolean sawTimeline() {
    return lastTimeline >= 0;
  }
}
