package io.pgquorum.bench.failover;

import java.util.Comparator;
import java.util.List;

/**
 * Whether, and for how long, the observers' reads of the leader key went unanswered after the fault (kill -9 of
 * the node that held the DCS's Raft / etcd leader leaves the DCS without a leader until the survivors elect one).
 * During such a stretch the key's state is unknown, so it counts as "not detected" for the phase split; this
 * record says how long it lasted.
 *
 * @param seen whether any read completing after the fault went unanswered
 * @param seconds fault → the first answered read after the first unanswered one (0 when not seen; when seen but
 *     not recovered, fault → the last read the observers made)
 * @param recovered whether an answered read followed the unanswered one before the trial ended
 */
public record DcsOutage(boolean seen, double seconds, boolean recovered) {

  /** One observer read: when it completed (nanoTime) and whether the DCS answered (key present or absent). */
  public record Read(long at, boolean answered) {}

  /** No unanswered read after the fault. */
  public static final DcsOutage NONE = new DcsOutage(false, 0, true);

  /** Computes the outage from every observer's reads (any order, any number of observers). */
  public static DcsOutage of(long faultAt, List<Read> reads) {
    List<Read> after = reads.stream().filter(r -> r.at() >= faultAt).sorted(Comparator.comparingLong(Read::at))
        .toList();
    long firstFailure = -1;
    for (Read r : after) {
      if (firstFailure < 0) {
        if (!r.answered()) {
          firstFailure = r.at();
        }
      } else if (r.answered() && r.at() > firstFailure) {
        return new DcsOutage(true, (r.at() - faultAt) / 1e9, true);
      }
    }
    if (firstFailure < 0) {
      return NONE;
    }
    return new DcsOutage(true, (after.get(after.size() - 1).at() - faultAt) / 1e9, false);
  }
}
