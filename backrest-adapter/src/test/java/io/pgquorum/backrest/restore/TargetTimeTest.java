package io.pgquorum.backrest.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TargetTimeTest {
  private static final Instant AT = Instant.parse("2026-12-04T10:15:00Z");

  @Test
  void postgresAndIsoFormsWithAZoneAreTheSameMoment() {
    for (String t : new String[] {"2026-12-04 10:15:00+00", "2026-12-04T10:15:00Z", "2026-12-04 10:15:00 UTC",
        "2026-12-04 11:15:00+01", "2026-12-04 11:15:00+01:00", "2026-12-04 05:15-0500", " 2026-12-04 10:15:00z "}) {
      assertThat(TargetTime.parse(t, "--target-time").instant()).as(t).isEqualTo(AT);
    }
  }

  @Test
  void rendersInUtcWithAnExplicitZoneKeepingMicroseconds() {
    assertThat(TargetTime.parse("2026-12-04 11:15:00+01", "--target-time").render())
        .isEqualTo("2026-12-04 10:15:00+00");
    assertThat(TargetTime.parse("2026-12-04T10:15:00.250Z", "--target-time").render())
        .isEqualTo("2026-12-04 10:15:00.25+00");
    assertThat(TargetTime.parse("2026-12-04T10:15:00.123456789Z", "--target-time").render())
        .isEqualTo("2026-12-04 10:15:00.123456+00");
  }

  @Test
  void aTimeWithoutZoneIsRefusedSayingWhy() {
    assertThatThrownBy(() -> TargetTime.parse("2026-12-04 10:15:00", "--target-time")).hasMessage(
        "--target-time \"2026-12-04 10:15:00\" has no time zone: write it with one, such as 2026-12-04 10:15:00+00"
            + " (a time without a zone is read in the server's zone, a classic way to restore to the wrong moment)");
  }

  @Test
  void garbageAndImpossibleDatesNameTheOption() {
    assertThatThrownBy(() -> TargetTime.parse("yesterday", "--target-time"))
        .hasMessageStartingWith("--target-time must be a time with its zone such as");
    assertThatThrownBy(() -> TargetTime.parse("2026-02-30 10:00:00+00", "--target-time"))
        .hasMessageStartingWith("--target-time \"2026-02-30 10:00:00+00\" is not a valid time");
    assertThatThrownBy(() -> TargetTime.parse("2026-12-04 10:00:00+25", "--target-time"))
        .hasMessageStartingWith("--target-time \"2026-12-04 10:00:00+25\" is not a valid time");
  }
}
