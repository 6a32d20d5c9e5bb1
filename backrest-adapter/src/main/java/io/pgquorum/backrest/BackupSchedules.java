package io.pgquorum.backrest;

import java.time.Instant;
import java.util.Optional;

/** The three schedules of {@code backrest.schedule}, and which backup is due between two instants. */
public record BackupSchedules(Schedule full, Schedule diff, Schedule incr) {
  /** A backup that is due: its type and the slot it fills (recorded so no other node runs the same slot). */
  public record Due(BackupType type, Instant slot) {}

  public Schedule of(BackupType type) {
    return switch (type) {
      case FULL -> full;
      case DIFF -> diff;
      case INCR -> incr;
    };
  }

  /**
   * The backup due for a slot in {@code (after, now]}: the strongest type that has one (a full backup makes the
   * diff and incr of the same moment pointless), at its latest slot. Empty when nothing is due. {@code after} is the
   * last slot already run (or checked), as recorded by the caller.
   */
  public Optional<Due> due(Instant after, Instant now) {
    for (BackupType t : BackupType.values()) {
      Optional<Instant> slot = of(t).slotAtOrBefore(now);
      if (slot.isPresent() && slot.get().isAfter(after)) {
        return Optional.of(new Due(t, slot.get()));
      }
    }
    return Optional.empty();
  }
}
