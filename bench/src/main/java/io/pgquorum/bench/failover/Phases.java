package io.pgquorum.bench.failover;

/**
 * The split of one failover into detection, election and promotion, from the moments the bench observed (all in
 * nanoseconds of one monotonic clock).
 *
 * <ul>
 *   <li>detection: fault → the DCS no longer shows the old leader key (expired or deleted);
 *   <li>election: → the DCS shows a survivor holding the leader key;
 *   <li>promotion: → the first committed write on a survivor.
 * </ul>
 *
 * A step the observer did not see on its own (the key went straight from the old holder to a new one between two
 * polls, or the write came first) ends together with the next one, so the three always add up to the total and
 * none is negative.
 *
 * @param total fault → first write, seconds
 * @param detection seconds
 * @param election seconds
 * @param promotion seconds
 */
public record Phases(double total, double detection, double election, double promotion) {

  /**
   * Computes the phases.
   *
   * @param faultAt the moment just before the signal
   * @param oldKeyGoneAt first observation without the old leader key, or -1 if never seen apart
   * @param newLeaderAt first observation of a survivor holding the key, or -1 if never seen
   * @param firstWriteAt the first committed write on a survivor (required)
   */
  public static Phases of(long faultAt, long oldKeyGoneAt, long newLeaderAt, long firstWriteAt) {
    if (firstWriteAt < faultAt) {
      throw new IllegalArgumentException("the first write (" + firstWriteAt + ") precedes the fault (" + faultAt
          + ")");
    }
    long elected = newLeaderAt < 0 ? firstWriteAt : clamp(newLeaderAt, faultAt, firstWriteAt);
    long detected = oldKeyGoneAt < 0 ? elected : clamp(oldKeyGoneAt, faultAt, elected);
    return new Phases(sec(firstWriteAt - faultAt), sec(detected - faultAt), sec(elected - detected),
        sec(firstWriteAt - elected));
  }

  private static long clamp(long v, long lo, long hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static double sec(long nanos) {
    return nanos / 1e9;
  }
}
