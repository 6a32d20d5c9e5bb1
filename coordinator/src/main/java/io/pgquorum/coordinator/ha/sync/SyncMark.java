package io.pgquorum.coordinator.ha.sync;

/**
 * What the primary remembers about synchronous_standby_names from one cycle to the next: the value it last saw
 * PostgreSQL run with, and the primary's WAL position when it first saw it (B.3 of the reference: a standby is
 * confirmed only once it has caught up to that position, so every commit acknowledged under an earlier value is on
 * it). Why the first cycle that sees the value rather than the cycle that set it: the position is read after the
 * value in the same probe, so it is at or past every commit acknowledged before the value took effect. After a
 * restart of the daemon nothing is remembered, and the first cycle marks the position it reads then (later than
 * needed: a standby is confirmed a little later, never too early).
 *
 * @param names the value PostgreSQL ran with
 * @param lsn the primary's position when this value was first seen
 */
public record SyncMark(SyncStandbyNames names, long lsn) {
  /** The mark for this cycle: {@code previous} while the value is unchanged, else a new one at {@code position}. */
  public static SyncMark next(java.util.Optional<SyncMark> previous, SyncStandbyNames now, long position) {
    return previous.filter(p -> p.names().equals(now)).orElseGet(() -> new SyncMark(now, position));
  }
}
