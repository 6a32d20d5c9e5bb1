package io.pgquorum.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.bench.failover.Timing;
import io.pgquorum.bench.failover.Variant;
import org.junit.jupiter.api.Test;

class SoakVariantsTest {
  @Test
  void unsetSoaksEachSystemAtItsDefaults() {
    assertThat(SoakSuite.variants(null)).containsExactly(Variant.pgquorumDefaults(3), Variant.patroniDefaults(3));
    assertThat(SoakSuite.variants(" ")).containsExactly(Variant.pgquorumDefaults(3), Variant.patroniDefaults(3));
  }

  @Test
  void aListPicksTheVariantsInItsOrder() {
    assertThat(SoakSuite.variants("patroni-defaults, pgquorum-aggressive"))
        .containsExactly(Variant.patroniDefaults(3), Variant.pgquorumAggressive(3));
  }

  @Test
  void pgquorumAtGivenSecondsIsNamedBySettings() {
    assertThat(SoakSuite.variants("pgquorum:4/2/1")).singleElement().satisfies(v -> {
      assertThat(v.system()).isEqualTo("pgquorum");
      assertThat(v.name()).isEqualTo("4/2/1");
      assertThat(v.timing()).isEqualTo(new Timing(4, 2, 1));
    });
    assertThatThrownBy(() -> SoakSuite.variants("pgquorum:4/2"))
        .hasMessageStartingWith("PGQUORUM_BENCH_SOAK_VARIANTS: unknown variant 'pgquorum:4/2'");
    assertThatThrownBy(() -> SoakSuite.variants("pgquorum:4/x/1"))
        .hasMessageStartingWith("PGQUORUM_BENCH_SOAK_VARIANTS: unknown variant 'pgquorum:4/x/1'");
  }

  /** A hog is a busy shell under timeout: stopping it must stop the shell too (timeout passes no SIGKILL on). */
  @Test
  void stoppingAHogStopsItsBusyShell() throws Exception {
    Process hog = new ProcessBuilder("timeout", "60", "sh", "-c", "while :; do :; done").start();
    ProcessHandle shell = null;
    for (int i = 0; i < 250 && shell == null; i++) {
      shell = hog.descendants().findFirst().orElse(null);
      if (shell == null) {
        Thread.sleep(20); // polling for the shell to start, with a bound
      }
    }
    assertThat(shell).as("the busy shell").isNotNull();
    SoakSuite.stopHog(hog);
    assertThat(shell.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS).isAlive()).isFalse();
    assertThat(hog.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void anUnknownNameIsRefusedByName() {
    assertThatThrownBy(() -> SoakSuite.variants("pgquorum-defaults,pgquorum-fast"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("PGQUORUM_BENCH_SOAK_VARIANTS: unknown variant 'pgquorum-fast'");
  }
}
