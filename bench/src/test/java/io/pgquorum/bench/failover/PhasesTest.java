package io.pgquorum.bench.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PhasesTest {
  private static final long S = 1_000_000_000L;

  @Test
  void splitsAtTheObservedMoments() {
    Phases p = Phases.of(10 * S, 18 * S, 18 * S + S / 2, 19 * S);
    assertThat(p.total()).isCloseTo(9.0, within(1e-9));
    assertThat(p.detection()).isCloseTo(8.0, within(1e-9));
    assertThat(p.election()).isCloseTo(0.5, within(1e-9));
    assertThat(p.promotion()).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void aKeyThatWentStraightToTheNewHolderEndsDetectionAtTheElection() {
    Phases p = Phases.of(0, -1, 3 * S, 4 * S);
    assertThat(p.detection()).isCloseTo(3.0, within(1e-9));
    assertThat(p.election()).isZero();
    assertThat(p.promotion()).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void anUnseenElectionEndsWithTheWrite() {
    Phases p = Phases.of(0, 2 * S, -1, 5 * S);
    assertThat(p.detection()).isCloseTo(2.0, within(1e-9));
    assertThat(p.election()).isCloseTo(3.0, within(1e-9));
    assertThat(p.promotion()).isZero();
  }

  @Test
  void observationsAfterTheWriteAreClampedSoPhasesStayNonNegativeAndAddUp() {
    Phases p = Phases.of(S, 7 * S, 9 * S, 6 * S);
    assertThat(p.detection()).isCloseTo(5.0, within(1e-9));
    assertThat(p.election()).isZero();
    assertThat(p.promotion()).isZero();
    assertThat(p.detection() + p.election() + p.promotion()).isCloseTo(p.total(), within(1e-9));
  }

  @Test
  void aWriteBeforeTheFaultIsRejected() {
    assertThatThrownBy(() -> Phases.of(5 * S, -1, -1, 4 * S)).hasMessageContaining("precedes the fault");
  }
}
