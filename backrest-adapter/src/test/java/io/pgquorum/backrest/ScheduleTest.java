package io.pgquorum.backrest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScheduleTest {
  private static Instant at(String iso) {
    return Instant.parse(iso);
  }

  @Test
  void intervalsAreAlignedToTheEpochSoEveryNodeAgrees() {
    Schedule s = Schedule.parse("every 4h");
    assertThat(s.slotAtOrBefore(at("2026-12-03T09:59:59Z"))).contains(at("2026-12-03T08:00:00Z"));
    assertThat(s.slotAtOrBefore(at("2026-12-03T12:00:00Z"))).contains(at("2026-12-03T12:00:00Z"));
    assertThat(Schedule.parse("EVERY  30m").slotAtOrBefore(at("2026-12-03T10:44:00Z")))
        .contains(at("2026-12-03T10:30:00Z"));
    assertThat(Schedule.parse("every 1d").slotAtOrBefore(at("2026-12-03T10:44:00Z")))
        .contains(at("2026-12-03T00:00:00Z"));
  }

  @Test
  void dailyAndWeeklySlotsAreInUtc() {
    Schedule daily = Schedule.parse("daily 01:30");
    assertThat(daily.slotAtOrBefore(at("2026-12-03T01:29:59Z"))).contains(at("2026-12-02T01:30:00Z"));
    assertThat(daily.slotAtOrBefore(at("2026-12-03T01:30:20Z"))).contains(at("2026-12-03T01:30:00Z"));
    Schedule weekly = Schedule.parse("weekly sun 01:00"); // 2026-12-06 is a Sunday
    assertThat(weekly.slotAtOrBefore(at("2026-12-03T10:00:00Z"))).contains(at("2026-11-29T01:00:00Z"));
    assertThat(weekly.slotAtOrBefore(at("2026-12-06T00:59:00Z"))).contains(at("2026-11-29T01:00:00Z"));
    assertThat(weekly.slotAtOrBefore(at("2026-12-06T01:00:00Z"))).contains(at("2026-12-06T01:00:00Z"));
    assertThat(weekly.slotAtOrBefore(at("2026-12-07T09:00:00Z"))).contains(at("2026-12-06T01:00:00Z"));
    assertThat(Schedule.parse("off").slotAtOrBefore(at("2026-12-07T09:00:00Z"))).isEmpty();
  }

  @Test
  void badSchedulesSayWhatIsAccepted() {
    assertThatThrownBy(() -> Schedule.parse("daily 24:00")).hasMessage(
        "has no such time of day (00:00 to 23:59): \"daily 24:00\"");
    assertThatThrownBy(() -> Schedule.parse("weekly sunday 01:00")).hasMessageContaining(
        "must be off, every <n>m|h|d, daily HH:MM or weekly <mon..sun> HH:MM (UTC)");
    assertThatThrownBy(() -> Schedule.parse("every 0m")).hasMessageContaining("from 1 minute");
  }

  @Test
  void aSlotSharedByTwoTypesRunsTheStrongerOnceAndAFilledSlotIsNotDueAgain() {
    BackupSchedules s = new BackupSchedules(Schedule.parse("weekly sun 01:00"), Schedule.parse("daily 01:00"),
        Schedule.parse("every 4h"));
    Instant sunday = at("2026-12-06T01:00:00Z");
    assertThat(s.due(at("2026-12-06T00:00:00Z"), at("2026-12-06T01:00:05Z")))
        .contains(new BackupSchedules.Due(BackupType.FULL, sunday));
    // After the full backup's slot is recorded, the daily diff of the same instant is not due.
    assertThat(s.due(sunday, at("2026-12-06T03:59:00Z"))).isEmpty();
    assertThat(s.due(sunday, at("2026-12-06T04:00:00Z")))
        .contains(new BackupSchedules.Due(BackupType.INCR, at("2026-12-06T04:00:00Z")));
    assertThat(s.due(at("2026-12-06T04:00:00Z"), at("2026-12-07T01:00:00Z")))
        .isEqualTo(Optional.of(new BackupSchedules.Due(BackupType.DIFF, at("2026-12-07T01:00:00Z"))));
  }
}
