package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PauseNoticeTest {
  @Test
  void saysOnceEachWayThatTheWatchdogKeepsFollowingTheLease() {
    PauseNotice n = new PauseNotice();
    assertThat(n.seen(false)).isEmpty();
    assertThat(n.seen(true)).hasValueSatisfying(line -> assertThat(line)
        .startsWith("PAUSE: maintenance mode on;").contains("watchdog stays armed"));
    assertThat(n.seen(true)).isEmpty();
    assertThat(n.seen(false)).hasValueSatisfying(line -> assertThat(line).startsWith("maintenance mode off;")
        .contains("watchdog"));
    assertThat(n.seen(false)).isEmpty();
  }

  @Test
  void aDaemonStartedInAPausedClusterSaysSoAtOnce() {
    assertThat(new PauseNotice().seen(true)).isPresent();
  }
}
