package io.pgquorum.coordinator.fence;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.config.TimingDefaults;
import io.pgquorum.coordinator.ha.LeaseGuard;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The fencing timing budget written next to {@link PostgresFence}: its parts are the constants the code uses, and
 * their sum leaves most of the smallest lease margin (retry_timeout, at least 1 s) for scheduling delays and drift.
 * The SIGKILL path itself is exercised against a real PostgreSQL whose pg_ctl hangs ({@code FencingTest}).
 */
class PostgresFenceBudgetTest {
  @Test
  void theWorstCaseFitsWellInsideTheSmallestMargin() {
    assertThat(PostgresFence.GUARD_TICK).as("the budget's guard tick is the guard's")
        .isEqualTo(LeaseGuard.CHECK_INTERVAL);
    assertThat(PostgresFence.SMALLEST_MARGIN).as("the smallest retry_timeout the configuration accepts")
        .isEqualTo(TimingDefaults.MIN_RETRY_TIMEOUT);
    long worst = PostgresFence.worstCaseNanos();
    assertThat(Duration.ofNanos(worst)).isEqualTo(Duration.ofMillis(370));
    assertThat(worst).as("at most half the smallest margin").isLessThanOrEqualTo(
        PostgresFence.SMALLEST_MARGIN.toNanos() / 2);
    assertThat(WatchdogState.DEVICE_RESET_GRACE_NANOS).as("a device reset lands within the smallest margin")
        .isLessThanOrEqualTo(PostgresFence.SMALLEST_MARGIN.toNanos() / 2);
  }
}
