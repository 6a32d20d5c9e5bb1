package io.pgquorum.coordinator.fence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The text protocol: what parses, what is a bad line, and that formatting round-trips. */
class WatchdogCommandTest {

  @Test
  void goodLines() {
    assertThat(WatchdogCommand.parse("ARM 5999")).isEqualTo(new WatchdogCommand.Arm(5999));
    assertThat(WatchdogCommand.parse("ARM 0")).isEqualTo(new WatchdogCommand.Arm(0));
    assertThat(WatchdogCommand.parse("  ARM 12  \r")).isEqualTo(new WatchdogCommand.Arm(12));
    assertThat(WatchdogCommand.parse("DISARM")).isEqualTo(new WatchdogCommand.Disarm());
    assertThat(WatchdogCommand.parse("EXIT")).isEqualTo(new WatchdogCommand.Exit());
  }

  @Test
  void formattingRoundTrips() {
    for (WatchdogCommand c : new WatchdogCommand[] {new WatchdogCommand.Arm(86_400_000L),
        new WatchdogCommand.Disarm(), new WatchdogCommand.Exit()}) {
      assertThat(WatchdogCommand.parse(c.toLine())).isEqualTo(c);
    }
  }

  @Test
  void badLinesSayWhy() {
    assertThatThrownBy(() -> WatchdogCommand.parse("ARM")).hasMessage("unknown command");
    assertThatThrownBy(() -> WatchdogCommand.parse("ARM x")).hasMessage("ARM needs a whole number of milliseconds");
    assertThatThrownBy(() -> WatchdogCommand.parse("ARM -1"))
        .hasMessage("ARM needs a whole number of milliseconds");
    assertThatThrownBy(() -> WatchdogCommand.parse("ARM 86400001")).hasMessage("ARM 86400001 is longer than a day");
    assertThatThrownBy(() -> WatchdogCommand.parse("ARM 9999999999999"))
        .hasMessage("ARM needs a whole number of milliseconds");
    assertThatThrownBy(() -> WatchdogCommand.parse("disarm")).hasMessage("unknown command");
    assertThatThrownBy(() -> WatchdogCommand.parse("")).hasMessage("unknown command");
  }
}
