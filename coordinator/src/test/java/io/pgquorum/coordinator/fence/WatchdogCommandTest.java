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
    assertThat(WatchdogCommand.parse("  ARM 1234567890123  \r")).isEqualTo(new WatchdogCommand.Arm(1234567890123L));
    // System.nanoTime may be negative in principle (the JDK only promises differences): the line carries it as is.
    assertThat(WatchdogCommand.parse("ARM -42")).isEqualTo(new WatchdogCommand.Arm(-42));
    assertThat(WatchdogCommand.parse("DISARM")).isEqualTo(new WatchdogCommand.Disarm());
    assertThat(WatchdogCommand.parse("EXIT")).isEqualTo(new WatchdogCommand.Exit());
  }

  @Test
  void formattingRoundTrips() {
    for (WatchdogCommand c : new WatchdogCommand[] {new WatchdogCommand.Arm(Long.MAX_VALUE),
        new WatchdogCommand.Arm(Long.MIN_VALUE), new WatchdogCommand.Arm(System.nanoTime()),
        new WatchdogCommand.Disarm(), new WatchdogCommand.Exit()}) {
      assertThat(WatchdogCommand.parse(c.toLine())).isEqualTo(c);
    }
  }

  @Test
  void badLinesSayWhy() {
    String needs = "ARM needs a deadline in nanoseconds of the monotonic clock";
    assertThatThrownBy(() -> WatchdogCommand.parse("ARM")).hasMessage("unknown command");
    assertThatThrownBy(() -> WatchdogCommand.parse("ARM x")).hasMessage(needs);
    assertThatThrownBy(() -> WatchdogCommand.parse("ARM -")).hasMessage(needs);
    assertThatThrownBy(() -> WatchdogCommand.parse("ARM 1e3")).hasMessage(needs);
    assertThatThrownBy(() -> WatchdogCommand.parse("ARM 10 20")).hasMessage(needs);
    assertThatThrownBy(() -> WatchdogCommand.parse("ARM 99999999999999999999")).hasMessage(needs);
    assertThatThrownBy(() -> WatchdogCommand.parse("ARM 9999999999999999999"))
        .hasMessage("ARM deadline 9999999999999999999 is out of range");
    assertThatThrownBy(() -> WatchdogCommand.parse("disarm")).hasMessage("unknown command");
    assertThatThrownBy(() -> WatchdogCommand.parse("")).hasMessage("unknown command");
  }
}
