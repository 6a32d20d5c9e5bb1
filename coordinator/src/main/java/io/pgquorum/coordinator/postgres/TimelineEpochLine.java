package io.pgquorum.coordinator.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The epochs of the timelines of a data directory's line, oldest first: for each timeline the data's history passes
 * through (from 2 on; timeline 1 has no epoch), the fencing token of the promotion that started the fork of it this
 * data descends from, where known (docs/findings/same-timeline-forks.md, and sim-seed-74489957632632.md for why the
 * older ones are kept: a primary that records an older switch in {@code history} must name that switch's fork, not
 * its current one's). A timeline missing from the list is unknown. Pure value; what {@link TimelineEpochRecord}
 * keeps on disk (with the system identifier).
 *
 * @param epochs strictly ascending by timeline
 */
public record TimelineEpochLine(List<TimelineEpoch> epochs) {
  /** Nothing known. */
  public static final TimelineEpochLine NONE = new TimelineEpochLine(List.of());

  public TimelineEpochLine {
    epochs = List.copyOf(epochs);
    for (int i = 1; i < epochs.size(); i++) {
      if (epochs.get(i).timeline() <= epochs.get(i - 1).timeline()) {
        throw new IllegalArgumentException("timelines must ascend: timeline " + epochs.get(i).timeline()
            + " follows timeline " + epochs.get(i - 1).timeline());
      }
    }
  }

  /** A line of one entry (what a record written before lines existed says). */
  public static TimelineEpochLine of(TimelineEpoch epoch) {
    return new TimelineEpochLine(List.of(epoch));
  }

  public boolean isEmpty() {
    return epochs.isEmpty();
  }

  /** The newest entry, if any. */
  public Optional<TimelineEpoch> newest() {
    return epochs.isEmpty() ? Optional.empty() : Optional.of(epochs.get(epochs.size() - 1));
  }

  /** The epoch recorded for {@code timeline}; empty when unknown. */
  public OptionalLong epochOf(int timeline) {
    for (TimelineEpoch e : epochs) {
      if (e.timeline() == timeline) {
        return OptionalLong.of(e.epoch());
      }
    }
    return OptionalLong.empty();
  }

  /** The entries for timelines up to and including {@code timeline}. */
  public TimelineEpochLine upTo(int timeline) {
    return new TimelineEpochLine(epochs.stream().filter(e -> e.timeline() <= timeline).toList());
  }

  /** The entries for timelines before {@code timeline}. */
  public TimelineEpochLine before(int timeline) {
    return upTo(timeline - 1);
  }

  /**
   * This line continued by {@code next}: the entries before its timeline, then {@code next}. What a promotion (its
   * new timeline under its own token) and a replica that streams onto a later timeline (its upstream's epoch for it)
   * make of their line. An entry for the same or a later timeline is dropped: it described a timeline this data
   * never reached (a promotion that failed after recording), so it says nothing about the new one.
   */
  public TimelineEpochLine extendedWith(TimelineEpoch next) {
    List<TimelineEpoch> out = new ArrayList<>(before(next.timeline()).epochs());
    out.add(next);
    return new TimelineEpochLine(out);
  }

  /** The entries for timelines after {@code timeline}. */
  public TimelineEpochLine after(int timeline) {
    return new TimelineEpochLine(epochs.stream().filter(e -> e.timeline() > timeline).toList());
  }

  /** {@code 2:39,3:70}: the form {@link TimelineEpochRecord} writes. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (TimelineEpoch e : epochs) {
      b.append(b.length() == 0 ? "" : ",").append(e.timeline()).append(':').append(e.epoch());
    }
    return b.toString();
  }
}
